"""``ops db``: the services' databases (migrations, the restore drill)."""

from __future__ import annotations

from pathlib import Path

import click

from ops.repo import resolve_root

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Repository root (default: the repository around the working directory).",
)


@click.group(name="db")
def cli() -> None:
    """Service databases: migrations and the restore drill."""


@cli.command(name="migrate")
@click.option(
    "--service",
    "services",
    multiple=True,
    metavar="NAME",
    help="Migrate only this service (repeatable; default: every service with migrations).",
)
@click.option("--revision", default="head", show_default=True, help="Revision to upgrade to.")
@root_option
def migrate_command(services: tuple[str, ...], revision: str, root: Path | None) -> int:
    """Apply every service's migrations (`python -m <package> migrate` per service).

    Each service's database is <SERVICE>_DATABASE_URL, else DATABASE_URL, else the
    development SQLite file var/<service>.db.
    """
    from ops.db.migrate import migrate  # noqa: PLC0415

    migrate(resolve_root(root), list(services) or None, revision)
    return 0


@cli.command(name="restore-drill")
@click.option(
    "--service",
    "services",
    multiple=True,
    metavar="NAME",
    help="Drill only this service (repeatable; default: every service with migrations).",
)
@click.option(
    "--database-url",
    help="Drill this database instead of the services' (--service then only names it).",
)
@click.option(
    "--backup-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the backups here (default: a temporary directory, deleted afterwards).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@root_option
def restore_drill_command(
    *,
    services: tuple[str, ...],
    database_url: str | None,
    backup_dir: Path | None,
    as_json: bool,
    root: Path | None,
) -> int:
    """Back up each service database, restore it and verify the copy."""
    from ops.db import restore_drill  # noqa: PLC0415 - needs SQLAlchemy (the db extra)

    selected = restore_drill.databases(resolve_root(root), list(services) or None, database_url)
    return restore_drill.run(selected, backup_dir, as_json=as_json)
