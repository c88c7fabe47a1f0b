"""Restore drill: back up a service's database, restore the backup, prove the copy is whole.

A backup nobody has restored is a hope, not a backup. For each service with migrations
(or one ``--database-url``) the drill:

1. takes a fingerprint of every table (its columns, its row count and a checksum of its
   rows that does not depend on row order) and a backup, both from one consistent view
   of the database: a read transaction and the online backup API for a SQLite file, an
   exported snapshot and ``pg_dump --format=custom --snapshot`` for PostgreSQL;
2. restores the backup into a fresh database (a new SQLite file, or a scratch PostgreSQL
   database created next to the source by ``pg_restore`` and dropped afterwards) and
   fingerprints it;
3. compares the fingerprints and reports how long the backup and the restore (with its
   verification) took: the restore time is the recovery time to expect at this size.

It exits 1 when anything differs or a step fails. A service's database URL comes from
``ops db migrate`` (``<SERVICE>_DATABASE_URL``, then ``DATABASE_URL``, then the
development default ``sqlite:///var/<service>.db``). PostgreSQL needs ``pg_dump`` and
``pg_restore`` at least as new as the server and a role that may create databases. On a
SQLite file, writers wait while the drill reads it (the services wait up to five seconds
for a lock): drill a copy or a quiet moment. See docs/runbooks/restore-database.md.

Usage::

    ops db restore-drill                     # every service with migrations
    ops db restore-drill --service NAME --backup-dir backups/
    ops db restore-drill --database-url postgresql+psycopg://... --json
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    URL,
    Connection,
    MetaData,
    Table,
    create_engine,
    inspect,
    make_url,
    select,
    text,
)

from ops.db import migrate
from ops.errors import OpsError

CHECKSUM_MODULUS = 2**256


class DrillError(OpsError):
    """A drill step failed; the message says which and why."""


@dataclass(frozen=True)
class TableFingerprint:
    """What must survive a backup and restore: the columns, the rows and their content."""

    columns: tuple[str, ...]
    rows: int
    checksum: str


@dataclass
class DrillResult:
    """One database's drill: timings in seconds and every difference found."""

    service: str
    database: str
    backup_file: str = ""
    backup_bytes: int = 0
    backup_seconds: float = 0.0
    restore_seconds: float = 0.0
    tables: int = 0
    rows: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        msg = f"{url}: the drill needs a SQLite file, not an in-memory database"
        raise DrillError(msg)
    path = Path(database)
    if not path.is_file():
        msg = f"{path}: no such SQLite database"
        raise DrillError(msg)
    return path


class _Checksum:
    """Row digests added up modulo 2**256: the result does not depend on row order."""

    def __init__(self) -> None:
        self.total = 0
        self.rows = 0

    def add(self, row: Sequence[object]) -> None:
        digest = hashlib.sha256(repr(tuple(row)).encode()).digest()
        self.total = (self.total + int.from_bytes(digest, "big")) % CHECKSUM_MODULUS
        self.rows += 1

    def fingerprint(self, columns: Sequence[str]) -> TableFingerprint:
        return TableFingerprint(tuple(columns), self.rows, f"{self.total:064x}")


def sqlite_fingerprint(connection: sqlite3.Connection) -> dict[str, TableFingerprint]:
    """Every table of a SQLite database, read through the driver itself."""
    names = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    found: dict[str, TableFingerprint] = {}
    for (name,) in names:
        quoted = '"' + str(name).replace('"', '""') + '"'
        columns = [row[1] for row in connection.execute(f"PRAGMA table_info({quoted})")]
        checksum = _Checksum()
        for row in connection.execute(f"SELECT * FROM {quoted}"):  # noqa: S608 - quoted name
            checksum.add(row)
        found[str(name)] = checksum.fingerprint(columns)
    return found


def sql_fingerprint(connection: Connection) -> dict[str, TableFingerprint]:
    """Every table of the connection's default schema (PostgreSQL: public)."""
    found: dict[str, TableFingerprint] = {}
    for name in sorted(inspect(connection).get_table_names()):
        table = Table(name, MetaData(), autoload_with=connection)
        checksum = _Checksum()
        for row in connection.execute(select(table)):
            checksum.add(row)
        found[name] = checksum.fingerprint([column.name for column in table.columns])
    return found


def compare(
    source: dict[str, TableFingerprint], restored: dict[str, TableFingerprint]
) -> list[str]:
    """Every way the restored database differs from the source, one sentence each."""
    differences = [f"{name}: missing from the restored copy" for name in source.keys() - restored]
    differences += [f"{name}: not in the source" for name in restored.keys() - source]
    for name in source.keys() & restored.keys():
        before, after = source[name], restored[name]
        if before.columns != after.columns:
            differences.append(f"{name}: columns {after.columns} instead of {before.columns}")
        if before.rows != after.rows:
            differences.append(f"{name}: {after.rows} rows restored, {before.rows} in the source")
        elif before.checksum != after.checksum:
            differences.append(f"{name}: same row count, different content")
    return sorted(differences)


@contextlib.contextmanager
def _timed(result: DrillResult, attribute: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        setattr(result, attribute, round(time.perf_counter() - started, 3))


# --- SQLite ---------------------------------------------------------------------------------


def backup_sqlite(url: str, backup_file: Path, result: DrillResult) -> dict[str, TableFingerprint]:
    """Checksum the database and copy it inside one read transaction, so both see the same
    state. Writers wait meanwhile (the services wait up to five seconds for a lock)."""
    source = sqlite_path(url)
    with contextlib.closing(
        sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    ) as connection:
        connection.execute("BEGIN")
        try:
            fingerprint = sqlite_fingerprint(connection)
            target = sqlite3.connect(backup_file)
            with _timed(result, "backup_seconds"), contextlib.closing(target):
                connection.backup(target)
        finally:
            connection.execute("ROLLBACK")
    return fingerprint


def copy_sqlite(backup_file: Path, restored: Path) -> Path:
    """Restore a backup file into a new database file, the way a lost file is replaced."""
    source, target = sqlite3.connect(backup_file), sqlite3.connect(restored)
    with contextlib.closing(source), contextlib.closing(target):
        source.backup(target)
    return restored


def restore_sqlite(backup_file: Path, workdir: Path) -> dict[str, TableFingerprint]:
    restored = copy_sqlite(backup_file, workdir / "restored.db")
    with contextlib.closing(sqlite3.connect(restored)) as connection:
        return sqlite_fingerprint(connection)


# --- PostgreSQL -----------------------------------------------------------------------------


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI for the client tools; the password goes in the environment, since one on
    the command line is visible to every user of the machine."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None)
    return conninfo.render_as_string(hide_password=False), env


def _client_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        msg = f"{name} not found: install the PostgreSQL client tools (as new as the server)"
        raise DrillError(msg)
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    ran = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if ran.returncode != 0:
        msg = f"{Path(command[0]).name} failed ({ran.returncode}): {ran.stderr.strip()}"
        raise DrillError(msg)


def backup_postgres(
    url: str, backup_file: Path, result: DrillResult
) -> dict[str, TableFingerprint]:
    """pg_dump in the snapshot the checksums were taken in (an exported snapshot), so a
    database in use still compares exactly."""
    conninfo, env = _libpq(make_url(url))
    dump = [_client_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    dump += ["--file", str(backup_file), "--dbname", conninfo]
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection, connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            fingerprint = sql_fingerprint(connection)
            with _timed(result, "backup_seconds"):
                _run([*dump, f"--snapshot={snapshot}"], env)
    finally:
        engine.dispose()
    return fingerprint


def _admin(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def restore_postgres(backup_file: Path, source_url: str) -> dict[str, TableFingerprint]:
    """pg_restore into a scratch database on the source's server, dropped afterwards."""
    restore = [_client_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
    scratch = f"restore_drill_{uuid.uuid4().hex[:12]}"
    restored = make_url(source_url).set(database=scratch)
    _admin(source_url, f'CREATE DATABASE "{scratch}"')
    try:
        conninfo, env = _libpq(restored)
        _run([*restore, "--dbname", conninfo, str(backup_file)], env)
        engine = create_engine(restored)
        try:
            with engine.connect() as connection:
                return sql_fingerprint(connection)
        finally:
            engine.dispose()
    finally:
        _admin(source_url, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


# --- the drill ------------------------------------------------------------------------------


def backup(url: str, backup_file: Path, result: DrillResult) -> dict[str, TableFingerprint]:
    """Back ``url`` up into ``backup_file``; returns the source's fingerprint at that moment."""
    if is_sqlite(url):
        return backup_sqlite(url, backup_file, result)
    return backup_postgres(url, backup_file, result)


def restore(backup_file: Path, source_url: str, workdir: Path) -> dict[str, TableFingerprint]:
    """Restore ``backup_file`` into a fresh database; returns that database's fingerprint."""
    if is_sqlite(source_url):
        return restore_sqlite(backup_file, workdir)
    return restore_postgres(backup_file, source_url)


def drill(service: str, url: str, backup_dir: Path) -> DrillResult:
    """Back up ``url``, restore the backup into a fresh database and compare the two."""
    shown = make_url(url).render_as_string(hide_password=True)
    result = DrillResult(service=service, database=shown)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup_file = backup_dir / f"{service}-{stamp}.{'sqlite3' if is_sqlite(url) else 'dump'}"
    result.backup_file = str(backup_file)
    source = backup(url, backup_file, result)
    result.backup_bytes = backup_file.stat().st_size
    workdir = tempfile.TemporaryDirectory(prefix="restore-drill-")
    with workdir, _timed(result, "restore_seconds"):
        restored = restore(backup_file, url, Path(workdir.name))
    result.tables = len(source)
    result.rows = sum(table.rows for table in source.values())
    result.differences = compare(source, restored)
    return result


def report(result: DrillResult) -> str:
    status = "OK" if result.ok else "FAILED"
    verdict = "identical" if result.ok else f"{len(result.differences)} differences"
    lines = [
        f"restore-drill: {result.service} ({result.database})",
        f"  backup   {result.backup_seconds:7.3f} s  {result.backup_bytes:,} bytes in "
        f"{result.backup_file}",
        f"  restore  {result.restore_seconds:7.3f} s  into a fresh database, checksums included",
        f"  compare  {result.tables} tables, {result.rows:,} rows: {verdict}",
        *(f"    {difference}" for difference in result.differences),
        f"restore-drill: {result.service}: {status}",
    ]
    return "\n".join(lines)


def databases(
    repo_root: Path, services: Sequence[str] | None, database_url: str | None
) -> list[tuple[str, str]]:
    """(name, URL) of every database to drill: ``database_url``, or the services'."""
    if database_url:
        names = services or ["database"]
        if len(names) != 1:
            msg = "--database-url takes at most one --service (a name for the report)"
            raise DrillError(msg)
        return [(names[0], database_url)]
    selected = migrate.targets(repo_root, services, os.environ)
    return [(target.service, target.database_url) for target in selected]


def run(selected: Sequence[tuple[str, str]], backup_dir: Path | None, *, as_json: bool) -> int:
    """Drill every database in ``selected``; 0 when every copy matches its source."""
    results: list[DrillResult] = []
    if not selected:
        print("restore-drill: no service has a database (no migrations found)")
    with contextlib.ExitStack() as stack:
        directory = backup_dir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="restore-drill-backups-"))
        )
        directory.mkdir(parents=True, exist_ok=True)
        for service, url in selected:
            result = drill(service, url, directory)
            results.append(result)
            if not as_json:
                print(report(result))
    if as_json:
        payload = [asdict(result) | {"ok": result.ok} for result in results]
        print(json.dumps(payload, indent=2))
    return 0 if all(result.ok for result in results) else 1
