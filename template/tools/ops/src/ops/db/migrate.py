"""Apply every service's database migrations: ``ops db migrate`` (``make migrate``).

Each service owns its schema: its Alembic environment and revisions ship inside its
package, and ``python -m <package> migrate`` applies them (the same command its
container runs as a Kubernetes Job). This runs that command for every service whose
catalog entry has a ``goldenpath.dev/migrations`` annotation, with the service's
database URL in ``DATABASE_URL``, the first of:

1. ``<SERVICE>_DATABASE_URL`` (``CATALOG_DATABASE_URL`` for ``catalog``), so one
   shell can migrate several services with different databases;
2. ``DATABASE_URL``, the variable the service itself reads, or the contents of the
   file ``DATABASE_URL_FILE`` names (where a Secret is mounted);
3. ``sqlite:///var/<service>.db``, the development default ``ops dev`` uses.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ops.discovery import MIGRATIONS_ANNOTATION, discover_services
from ops.errors import OpsError


class MigrationError(OpsError):
    """Migrations cannot run; the message says for which service and why."""


@dataclass(frozen=True)
class MigrationTarget:
    """One service's package (which has the ``migrate`` command) and its database."""

    service: str
    package: str
    database_url: str


def env_prefix(service: str) -> str:
    """``order-history`` -> ``ORDER_HISTORY``: the service's environment variable prefix."""
    return re.sub(r"[^A-Za-z0-9]+", "_", service).strip("_").upper()


def database_url(service: str, environ: Mapping[str, str]) -> str:
    """The database ``service`` is migrated in (see the module docstring for the order)."""
    specific = environ.get(f"{env_prefix(service)}_DATABASE_URL")
    url = specific or environ.get("DATABASE_URL")
    if not url and environ.get("DATABASE_URL_FILE"):
        path = Path(environ["DATABASE_URL_FILE"])
        try:
            url = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            msg = f"DATABASE_URL_FILE: cannot read {path}: {exc}"
            raise MigrationError(msg) from exc
        if not url:
            msg = f"DATABASE_URL_FILE: {path} is empty"
            raise MigrationError(msg)
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
        found.append(MigrationTarget(info.name, info.package, database_url(info.name, environ)))
    if names is None:
        return found
    by_name = {target.service: target for target in found}
    selected = []
    for name in names:
        if name in by_name:
            selected.append(by_name[name])
        elif name in without:
            msg = f"{name} has no {MIGRATIONS_ANNOTATION} annotation in its catalog-info.yaml"
            raise MigrationError(msg)
        else:
            msg = f"no service named {name!r} under {repo_root / 'services'}"
            raise MigrationError(msg)
    return selected


def shown_url(url: str) -> str:
    """``url`` with its password hidden, for progress lines."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def upgrade(target: MigrationTarget, revision: str, *, cwd: Path) -> None:
    """Run ``python -m <package> migrate --revision <revision>`` for ``target``."""
    command = [sys.executable, "-m", target.package, "migrate", "--revision", revision]
    # The URL is resolved here, so the service must not also see the file variable.
    env = {**os.environ, "DATABASE_URL": target.database_url}
    env.pop("DATABASE_URL_FILE", None)
    ran = subprocess.run(command, cwd=cwd, env=env, check=False)  # noqa: S603
    if ran.returncode != 0:
        msg = f"{target.service}: migrations failed (exit code {ran.returncode}), see above"
        raise MigrationError(msg)


def migrate(repo_root: Path, names: Sequence[str] | None, revision: str) -> None:
    """Upgrade every selected service's database to ``revision``."""
    selected = targets(repo_root, names, os.environ)
    if not selected:
        print("migrate: no service has migrations")
    for target in selected:
        print(
            f"migrate: {target.service}: upgrading {shown_url(target.database_url)} to {revision}"
        )
        upgrade(target, revision, cwd=repo_root)
