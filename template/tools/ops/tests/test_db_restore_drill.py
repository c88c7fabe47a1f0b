"""`ops db restore-drill`: a real backup and restore of the service databases.

SQLite always runs: the services' real migrations, plus a table of sample rows. The
PostgreSQL round trip (`postgres` marker) uses `TEST_POSTGRES_URL` when set, otherwise a
throwaway server started from `initdb`/`pg_ctl` on PATH or under /usr/lib/postgresql, and
is skipped when neither is there.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ops.cli import main
from ops.db import migrate, restore_drill
from sqlalchemy import create_engine, make_url, text

REPO_ROOT = Path(__file__).resolve().parents[3]

SAMPLE_ROWS = 250
POSTGRES_URL_VARIABLE = "TEST_POSTGRES_URL"
POSTGRES_USER = "postgres"


def migrated_sqlite(directory: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Path]]:
    """Every service with migrations, migrated into its own SQLite file under ``directory``."""
    targets = migrate.targets(REPO_ROOT, None, {})
    assert targets, "expected at least one service with migrations"
    databases = []
    for target in targets:
        database = directory / f"{target.service}.db"
        monkeypatch.setenv(
            f"{migrate.env_prefix(target.service)}_DATABASE_URL", f"sqlite:///{database}"
        )
        databases.append((target.service, database))
    assert main(["db", "migrate", "--root", str(REPO_ROOT)]) == 0
    return databases


def add_sample_rows(connection: sqlite3.Connection) -> None:
    """Rows of every SQLite storage class, NULLs and non-ASCII text included."""
    connection.execute(
        "CREATE TABLE drill_samples (id INTEGER PRIMARY KEY, name TEXT, price REAL, blob BLOB)"
    )
    connection.executemany(
        "INSERT INTO drill_samples VALUES (?, ?, ?, ?)",
        [
            (i, f"sample {i} \N{SNOWMAN}" if i % 7 else None, i * 1.25, bytes([i % 256]) * 3)
            for i in range(SAMPLE_ROWS)
        ],
    )
    connection.commit()


def test_sqlite_round_trip_of_the_migrated_databases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    databases = migrated_sqlite(tmp_path, monkeypatch)
    for _, database in databases:
        with contextlib.closing(sqlite3.connect(database)) as connection:
            add_sample_rows(connection)

    capsys.readouterr()  # migrate's progress lines

    backups = tmp_path / "backups"
    assert (
        main(
            [
                "db",
                "restore-drill",
                "--root",
                str(REPO_ROOT),
                "--json",
                "--backup-dir",
                str(backups),
            ]
        )
        == 0
    )
    results = json.loads(capsys.readouterr().out)
    assert [result["service"] for result in results] == [service for service, _ in databases]
    for result in results:
        assert result["ok"], result["differences"]
        assert result["rows"] > SAMPLE_ROWS  # the samples and the alembic version row
        assert result["tables"] > 2
        assert Path(result["backup_file"]).parent == backups
        assert Path(result["backup_file"]).stat().st_size == result["backup_bytes"] > 0
        assert result["backup_seconds"] >= 0
        assert result["restore_seconds"] >= 0


@pytest.fixture
def sample_database(tmp_path: Path) -> str:
    database = tmp_path / "sample.db"
    with contextlib.closing(sqlite3.connect(database)) as connection:
        add_sample_rows(connection)
    return f"sqlite:///{database}"


TAMPERING = {
    "row deleted": "DELETE FROM drill_samples WHERE id = 3",
    "value changed": "UPDATE drill_samples SET price = price + 1 WHERE id = 5",
    "table dropped": "DROP TABLE drill_samples",
}


@pytest.mark.parametrize("statement", TAMPERING.values(), ids=TAMPERING.keys())
def test_a_restored_copy_that_differs_fails_the_drill(
    sample_database: str,
    statement: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    restore_copy: Callable[[Path, Path], Path] = restore_drill.copy_sqlite

    def tampered_copy(backup_file: Path, restored: Path) -> Path:
        restore_copy(backup_file, restored)
        with contextlib.closing(sqlite3.connect(restored)) as connection:
            connection.execute(statement)
            connection.commit()
        return restored

    monkeypatch.setattr(restore_drill, "copy_sqlite", tampered_copy)
    assert (
        main(["db", "restore-drill", "--root", str(REPO_ROOT), "--database-url", sample_database])
        == 1
    )
    out = capsys.readouterr().out
    assert "drill_samples" in out
    assert out.rstrip().endswith("database: FAILED")


def test_compare_names_every_difference() -> None:
    same = restore_drill.TableFingerprint(("id", "name"), 2, "a")
    source = {"items": same, "events": same, "keys": same}
    restored = {
        "items": restore_drill.TableFingerprint(("id", "name"), 1, "b"),
        "events": restore_drill.TableFingerprint(("id", "name"), 2, "c"),
        "extra": same,
    }
    assert restore_drill.compare(source, restored) == [
        "events: same row count, different content",
        "extra: not in the source",
        "items: 1 rows restored, 2 in the source",
        "keys: missing from the restored copy",
    ]
    assert restore_drill.compare(source, dict(source)) == []


def test_a_missing_database_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "db",
                "restore-drill",
                "--root",
                str(REPO_ROOT),
                "--database-url",
                f"sqlite:///{tmp_path / 'absent.db'}",
            ]
        )
        == 1
    )
    assert "no such SQLite database" in capsys.readouterr().err


# --- PostgreSQL -----------------------------------------------------------------------------


def _postgres_bindir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    return next((bindir for bindir in reversed(candidates) if (bindir / "initdb").exists()), None)


def _as_postgres_user(workdir: Path) -> list[str]:
    """initdb refuses to run as root: run the server as the `postgres` account then."""
    if os.geteuid() != 0:
        return []
    import pwd  # noqa: PLC0415 - POSIX only, like this branch

    try:
        account = pwd.getpwnam(POSTGRES_USER)
    except KeyError:
        pytest.skip("running as root and there is no 'postgres' user to run initdb as")
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root and runuser is not available to drop privileges")
    os.chown(workdir, account.pw_uid, account.pw_gid)
    return [runuser, "-u", POSTGRES_USER, "--"]


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL URL of a role that may create databases."""
    configured = os.environ.get(POSTGRES_URL_VARIABLE)
    if configured:
        yield configured
        return
    bindir = _postgres_bindir()
    if bindir is None or shutil.which("pg_dump") is None:
        pytest.skip(f"PostgreSQL not available: set {POSTGRES_URL_VARIABLE} or install it")
    workdir = Path(tempfile.mkdtemp(prefix="pg-drill-"))
    prefix = _as_postgres_user(workdir)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = workdir / "data"
    pg_ctl = [*prefix, str(bindir / "pg_ctl"), "--pgdata", str(data)]
    options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        subprocess.run(  # noqa: S603 - fixed arguments
            [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", POSTGRES_USER, "-A", "trust"],
            check=True,
            capture_output=True,
        )
        subprocess.run(  # noqa: S603
            [*pg_ctl, "--log", str(workdir / "log"), "--options", options, "--wait", "start"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://{POSTGRES_USER}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*pg_ctl, "--mode", "immediate", "stop"], check=False, capture_output=True)  # noqa: S603
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    name = f"drill_{uuid.uuid4().hex}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.mark.postgres
def test_postgres_round_trip_of_a_migrated_database(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (target, *_) = migrate.targets(REPO_ROOT, None, {})
    monkeypatch.setenv(f"{migrate.env_prefix(target.service)}_DATABASE_URL", postgres_url)
    assert main(["db", "migrate", "--root", str(REPO_ROOT), "--service", target.service]) == 0
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE drill_samples (id serial PRIMARY KEY, name text, "
                "payload jsonb, at timestamptz DEFAULT now(), amount numeric(12, 2))"
            )
        )
        connection.execute(
            text(
                "INSERT INTO drill_samples (name, payload, amount) "
                "SELECT 'sample ' || i, jsonb_build_object('i', i), i / 4.0 "
                "FROM generate_series(1, :rows) AS i"
            ),
            {"rows": SAMPLE_ROWS},
        )
    engine.dispose()
    capsys.readouterr()  # migrate's progress lines

    assert (
        main(
            ["db", "restore-drill", "--root", str(REPO_ROOT), "--service", target.service, "--json"]
        )
        == 0
    )
    (result,) = json.loads(capsys.readouterr().out)
    assert result["ok"], result["differences"]
    assert result["rows"] == SAMPLE_ROWS + 1  # the samples and the alembic version row
    # The scratch database is gone again.
    admin = create_engine(postgres_url)
    with admin.connect() as connection:
        names = connection.execute(text("SELECT datname FROM pg_database")).scalars().all()
    admin.dispose()
    assert not [name for name in names if name.startswith("restore_drill_")]
