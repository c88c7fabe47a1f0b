"""``ops dev``: run every service locally until Ctrl-C (``make dev``).

Applies every service's migrations, then starts every service found under
``services/*/catalog-info.yaml`` with development settings (``ENVIRONMENT=development``,
a SQLite file per service in ``var/``, the local auth service as token issuer), prints
where to find them and streams their logs. If a service dies, the others are stopped
too and the exit code is non-zero.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import click

from ops.errors import EXIT_FAILED, EXIT_USAGE, OpsError
from ops.repo import resolve_root


@click.command(name="dev")
@click.option(
    "--services",
    "names",
    help="Comma-separated catalog names to start (default: every service).",
)
@click.option(
    "--ready-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a JSON object {service: port} here once every service is ready.",
)
@click.option(
    "--ready-timeout",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds to wait for each /readyz.",
)
@click.option(
    "--grace",
    type=float,
    default=10.0,
    show_default=True,
    help="Seconds services get to stop after SIGTERM before SIGKILL.",
)
@click.option("--reload", is_flag=True, help="Restart a service when its code changes.")
@click.option("--skip-migrations", is_flag=True, help="Do not run migrations.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), hidden=True)
def cli(
    *,
    names: str | None,
    ready_file: Path | None,
    ready_timeout: float,
    grace: float,
    reload: bool,
    skip_migrations: bool,
    root: Path | None,
) -> int:
    """Run every service locally with development settings until Ctrl-C."""
    from ops import stack  # noqa: PLC0415 - httpx is needed only here

    repo_root = resolve_root(root)
    stop = threading.Event()
    try:
        everything = stack.discover(repo_root)
        services = stack.select_services(everything, names.split(",") if names else None)
    except OpsError as error:
        raise OpsError(str(error), exit_code=EXIT_USAGE) from error
    console = stack.Console(sys.stdout, [s.name for s in services])
    supervisor = stack.Supervisor(console, stop, repo_root)
    issuer = stack.auth_issuer(everything)
    with stack.stop_on_signals(stop):
        try:
            (repo_root / "var").mkdir(exist_ok=True)
            if not skip_migrations:
                stack.migrate(services, issuer, repo_root)
            for service in services:
                env = stack.service_env(service, issuer, os.environ)
                command = stack.uvicorn_command(service, sys.executable, reload=reload)
                supervisor.start(service, command, env)
            if supervisor.wait_ready(ready_timeout):
                table = stack.urls_table(services)
                console.say(f"\n{table}\n\nReady. Press Ctrl-C to stop.\n")
                if ready_file:
                    stack.write_ready_file(ready_file, services)
                supervisor.watch()
        except stack.StackError as error:
            console.say(f"dev: error: {error}")
            return EXIT_FAILED
        finally:
            supervisor.stop(grace)
            if ready_file:
                ready_file.unlink(missing_ok=True)
    return 0
