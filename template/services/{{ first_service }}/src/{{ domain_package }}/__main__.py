"""Command line of the service, what its container runs:

- `serve` runs the HTTP API with uvicorn (the image's default command);
- `migrate` brings the database to the latest schema (the migration Job before a release);
- `revision` writes the next migration (development);
- `relay-outbox` publishes pending outbox events.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from observability.logs import configure_logging, get_logger
from prometheus_client import start_http_server
from sqlalchemy.engine import make_url

from .adapters.publishers import LogEventPublisher
from .adapters.sqlalchemy import SqlUnitOfWork, create_database_engine
from .app import service_version
from .relay import OutboxRelay
from .settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP API with uvicorn")
    serve.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: %(default)s)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    serve.add_argument(
        "--reload", action="store_true", help="restart on code changes (development)"
    )

    migrate = commands.add_parser("migrate", help="upgrade the database (DATABASE_URL)")
    migrate.add_argument(
        "--revision", default="head", help="revision to upgrade to (default: %(default)s)"
    )

    revision = commands.add_parser("revision", help="write the next migration")
    revision.add_argument("-m", "--message", required=True, help="what the migration does")
    revision.add_argument(
        "--autogenerate",
        action="store_true",
        help="fill it with the difference between the database and the table definitions",
    )

    relay = commands.add_parser(
        "relay-outbox", help="publish pending outbox events, then exit (or keep polling)"
    )
    relay.add_argument("--batch-size", type=int, help="events per transaction (default: settings)")
    relay.add_argument("--max-batches", type=int, help="stop after this many batches")
    relay.add_argument(
        "--poll-interval",
        type=float,
        help="keep running, looking for new events every this many seconds",
    )
    relay.add_argument(
        "--metrics-port",
        type=int,
        help="serve the relay's Prometheus metrics on this port (all interfaces)",
    )

    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args.host, args.port, reload=args.reload)
    if args.command == "migrate":
        return _migrate(args.revision)
    if args.command == "revision":
        return _revision(args.message, autogenerate=args.autogenerate)
    return _relay(args.batch_size, args.max_batches, args.poll_interval, args.metrics_port)


def _serve(host: str, port: int, *, reload: bool) -> int:
    from service_kit.server import run  # noqa: PLC0415 - only this command needs the server

    # Validated here too, so a misconfiguration fails before uvicorn starts; the
    # connection limits (header size and timeout, keep-alive, concurrency) come from it.
    settings = Settings()
    run(f"{__package__}.app:create_app", settings, host=host, port=port, reload=reload)
    return 0


def _migrate(revision: str) -> int:
    from .migrations import MigrationSettings, upgrade  # noqa: PLC0415 - Alembic only here

    database_url = MigrationSettings().database_url
    shown = make_url(database_url).render_as_string(hide_password=True)
    sys.stdout.write(f"migrate: {__package__}: upgrading {shown} to {revision}\n")
    upgrade(database_url, revision)
    return 0


def _revision(message: str, *, autogenerate: bool) -> int:
    from .migrations import MigrationSettings, new_revision  # noqa: PLC0415

    path = new_revision(MigrationSettings().database_url, message, autogenerate=autogenerate)
    sys.stdout.write(f"{path}\n")
    return 0


def _relay(
    batch_size: int | None,
    max_batches: int | None,
    poll_interval: float | None,
    metrics_port: int | None,
) -> int:
    settings = Settings()
    configure_logging(
        service_name=settings.service_name, version=service_version(), level=settings.log_level
    )
    logger = get_logger("outbox.relay")
    engine = create_database_engine(settings.database_url)
    relay = OutboxRelay(
        lambda: SqlUnitOfWork(engine),
        LogEventPublisher(),
        batch_size=batch_size or settings.outbox_batch_size,
    )
    metrics_server = None
    if metrics_port is not None:
        metrics_server, _ = start_http_server(metrics_port, registry=relay.metrics.registry)
    try:
        while True:
            try:
                result = relay.relay_pending(max_batches=max_batches)
            except Exception as exc:
                # The batch has used up its retries. Polling, the next poll tries again
                # (the events stay pending); a single run reports the failure.
                logger.error("outbox relay failed", error=type(exc).__name__, exc_info=exc)
                if poll_interval is None:
                    return 1
            else:
                logger.info("outbox relayed", published=result.published, batches=result.batches)
                if poll_interval is None:
                    return 0
            time.sleep(poll_interval)
    except KeyboardInterrupt:
        return 130
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
            metrics_server.server_close()
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
