#!/usr/bin/env python3
"""Apply database migrations: ``make migrate``.

Every service found under ``services/*/catalog-info.yaml`` whose catalog entry has
a ``goldenpath.dev/migrations`` annotation gets ``alembic upgrade head`` run
against its database. Migrations are a separate step, never part of app start-up,
so a deployment runs them once (the compose ``migrate`` service, a Kubernetes
job) before the new version serves traffic.

Each service's database URL is the first of:

1. ``<SERVICE>_DATABASE_URL`` (``CATALOG_DATABASE_URL`` for ``catalog``), so one
   shell can migrate several services with different databases;
2. ``DATABASE_URL``, the variable the service itself reads, or the contents of the
   file ``DATABASE_URL_FILE`` names (the migration Job mounts the Secret there);
3. ``sqlite:///var/<service>.db``, the development default ``make dev`` uses.

Usage::

    python scripts/migrate.py                   # every service with migrations
    python scripts/migrate.py --service catalog
    python scripts/migrate.py --revision 0002   # stop at an older revision than head
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from service_kit.discovery import discover_services
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parent.parent


class MigrationError(Exception):
    """Migrations cannot run; the message says for which service and why."""


@dataclass(frozen=True)
class MigrationTarget:
    """One service's Alembic scripts and the database they apply to."""

    service: str
    script_location: Path
    database_url: str


def env_prefix(service: str) -> str:
    """``order-history`` -> ``ORDER_HISTORY``: the service's environment variable prefix."""
    return re.sub(r"[^A-Za-z0-9]+", "_", service).strip("_").upper()


def database_url(service: str, environ: Mapping[str, str]) -> str:
    """The database ``service`` is migrated in (see the module docstring for the order)."""
    specific = environ.get(f"{env_prefix(service)}_DATABASE_URL")
    url = specific or environ.get("DATABASE_URL")
    if not url and environ.get("DATABASE_URL_FILE"):
        url = Path(environ["DATABASE_URL_FILE"]).read_text(encoding="utf-8").strip()
        if not url:
            raise SystemExit(f"migrate: DATABASE_URL_FILE {environ['DATABASE_URL_FILE']} is empty")
    return url or f"sqlite:///var/{service}.db"


def targets(
    repo_root: Path, names: Sequence[str] | None, environ: Mapping[str, str]
) -> list[MigrationTarget]:
    """The services to migrate: all with migrations, or exactly ``names``."""
    found: list[MigrationTarget] = []
    without: set[str] = set()
    for info in discover_services(repo_root):
        if info.migrations is None:
            without.add(info.name)
            continue
        location = info.migrations if info.migrations.is_absolute() else repo_root / info.migrations
        found.append(MigrationTarget(info.name, location, database_url(info.name, environ)))
    if names is None:
        return found
    by_name = {target.service: target for target in found}
    selected = []
    for name in names:
        if name in by_name:
            selected.append(by_name[name])
        elif name in without:
            msg = f"{name} has no goldenpath.dev/migrations annotation in its catalog-info.yaml"
            raise MigrationError(msg)
        else:
            msg = f"no service named {name!r} under {repo_root / 'services'}"
            raise MigrationError(msg)
    return selected


def ensure_sqlite_directory(url: str, cwd: Path) -> None:
    """SQLite creates the database file but not its directory: create that."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    (path if path.is_absolute() else cwd / path).parent.mkdir(parents=True, exist_ok=True)


def alembic_config(target: MigrationTarget) -> Config:
    """An in-memory Alembic configuration: no alembic.ini needed per service."""
    if not (target.script_location / "env.py").is_file():
        msg = f"{target.service}: {target.script_location} has no Alembic env.py"
        raise MigrationError(msg)
    config = Config()
    config.set_main_option("script_location", str(target.script_location))
    # ConfigParser interpolates '%', which URL-encoded passwords contain.
    config.set_main_option("sqlalchemy.url", target.database_url.replace("%", "%%"))
    return config


def upgrade(target: MigrationTarget, revision: str) -> None:
    """Run ``alembic upgrade <revision>`` for ``target``.

    The service's env.py may read the URL from its settings instead of the Alembic
    config, so DATABASE_URL is set to the same value while it runs.
    """
    ensure_sqlite_directory(target.database_url, Path.cwd())
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = target.database_url
    try:
        command.upgrade(alembic_config(target), revision)
    finally:
        if previous is None:
            del os.environ["DATABASE_URL"]
        else:
            os.environ["DATABASE_URL"] = previous


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Apply every service's database migrations.")
    parser.add_argument(
        "--service",
        action="append",
        dest="services",
        metavar="NAME",
        help="migrate only this service (repeatable; default: every service with migrations)",
    )
    parser.add_argument(
        "--revision", default="head", help="revision to upgrade to (default: %(default)s)"
    )
    parser.add_argument(
        "--repo-root",
        type=Path,
        default=REPO_ROOT,
        help="repository root holding services/ (default: this script's repository)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        selected = targets(args.repo_root.resolve(), args.services, os.environ)
        if not selected:
            print("migrate: no service has migrations")
        for target in selected:
            shown = make_url(target.database_url).render_as_string(hide_password=True)
            print(f"migrate: {target.service}: upgrading {shown} to {args.revision}")
            upgrade(target, args.revision)
    except MigrationError as error:
        print(f"migrate: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
