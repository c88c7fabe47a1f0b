"""The ``ops`` root command: finds the command groups and maps errors to exit codes.

A command group is any subpackage of ``ops`` with a click command named ``cli``. The
groups import their heavy dependencies (SQLAlchemy, regorus, httpx, ruamel.yaml) inside
their commands, so ``ops --help`` and the cheap checks need only the core install.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Sequence

import click

import ops
from ops.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, OpsError


def command_groups() -> dict[str, click.Command]:
    """Every ``ops.<group>.cli``, keyed by its command name."""
    groups: dict[str, click.Command] = {}
    for module in pkgutil.iter_modules(ops.__path__):
        if not module.ispkg:
            continue
        command = getattr(importlib.import_module(f"ops.{module.name}"), "cli", None)
        if isinstance(command, click.Command):
            groups[command.name or module.name] = command
    return groups


class DiscoveredGroup(click.Group):
    """A group whose subcommands are the discovered command groups."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(command_groups())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return command_groups().get(cmd_name)


@click.group(cls=DiscoveredGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Develop, check, migrate and deploy this repository.

    Run from anywhere inside the repository; `ops GROUP --help` describes a group.
    """


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ops`` with ``argv`` and return the exit code instead of exiting.

    Commands return their exit code (None means 0) or raise ``OpsError``; click's own
    usage errors exit with 2, as argparse did.
    """
    try:
        result = cli.main(
            args=list(sys.argv[1:] if argv is None else argv),
            prog_name="ops",
            standalone_mode=False,
        )
    except OpsError as error:
        click.echo(f"ops: error: {error}", err=True)
        return error.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code if error.exit_code else EXIT_USAGE
    except click.Abort:
        click.echo("ops: aborted", err=True)
        return EXIT_FAILED
    return int(result) if isinstance(result, int) else EXIT_OK


def run() -> None:
    """The console script."""
    sys.exit(main())
