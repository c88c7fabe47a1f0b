"""``ops adr``: architecture decision records in docs/adr/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ops.repo import resolve_root


@click.group(name="adr")
def cli() -> None:
    """Architecture decision records."""


@cli.command(name="new")
@click.argument("title")
@click.option(
    "--adr-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory with the records, template.md and README.md (default: docs/adr).",
)
def new_command(title: str, adr_dir: Path | None) -> int:
    """Create the next record from docs/adr/template.md and add it to the index.

    TITLE says what was decided, e.g. "Use PostgreSQL for orders".
    """
    from ops.adr.new import DEFAULT_ADR_DIR, create_adr  # noqa: PLC0415

    directory = adr_dir or resolve_root(None) / DEFAULT_ADR_DIR
    target = create_adr(title, directory, dt.datetime.now().astimezone().date())
    try:
        shown = target.relative_to(Path.cwd())
    except ValueError:
        shown = target
    click.echo(shown)
    return 0
