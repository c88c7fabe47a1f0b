"""Engine creation for the two supported databases: a SQLite file and PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url

# How long a SQLite writer waits for another writer's lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 5000


def create_database_engine(url: str, **options: Any) -> Engine:
    """Create an engine for `url` (`sqlite:///path.db` or `postgresql+psycopg://...`).

    For a SQLite file the parent directory is created (the default `var/` does not exist in
    a fresh checkout) and every connection enforces foreign keys and waits for locks.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # Connections dropped by the server or a proxy are replaced instead of failing a request.
        options.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **options)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **options)
    event.listen(engine, "connect", _configure_sqlite_connection)
    return engine


def _configure_sqlite_connection(connection: sqlite3.Connection, _record: object) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()
