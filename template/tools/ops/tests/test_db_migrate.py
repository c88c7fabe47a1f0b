"""`ops db migrate`: which database each service is migrated in, and that each service's
own `migrate` command runs with it."""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest
from ops.cli import main
from ops.db import migrate

# A stand-in for a service package's `python -m <package> migrate`: it records the
# revision it was asked for in the database DATABASE_URL names, as Alembic would.
FAKE_MAIN = """
import os
import sqlite3
import sys
from pathlib import Path

command, *options = sys.argv[1:]
if command != "migrate" or options[:1] != ["--revision"]:
    sys.exit(f"unexpected arguments: {sys.argv[1:]}")
if os.environ.get("FAKE_MIGRATE_FAILS"):
    sys.exit("boom: the migration failed")
path = Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///"))
path.parent.mkdir(parents=True, exist_ok=True)
with sqlite3.connect(path) as connection:
    connection.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY)")
    connection.execute("CREATE TABLE IF NOT EXISTS alembic_version (version_num TEXT)")
    connection.execute("DELETE FROM alembic_version")
    connection.execute("INSERT INTO alembic_version VALUES (?)", (options[1],))
"""


def write_service(repo: Path, name: str, *, migrations: bool) -> None:
    directory = repo / "services" / name
    directory.mkdir(parents=True)
    package = name.replace("-", "_")
    annotation = f"goldenpath.dev/migrations: {package}.migrations" if migrations else ""
    catalog = f"""\
        kind: Component
        metadata:
          name: {name}
          annotations:
            goldenpath.dev/port: "{8000 + len(name)}"
            goldenpath.dev/app: {package}.app:create_app
            {annotation}
        """
    (directory / "catalog-info.yaml").write_text(textwrap.dedent(catalog), encoding="utf-8")
    if migrations:
        source = repo / "src" / package
        source.mkdir(parents=True)
        (source / "__init__.py").write_text("", encoding="utf-8")
        (source / "__main__.py").write_text(FAKE_MAIN, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_service(tmp_path, "auth", migrations=False)
    write_service(tmp_path, "order-history", migrations=True)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "src"))
    return tmp_path


def test_database_url_prefers_the_service_specific_variable() -> None:
    env = {"ORDER_HISTORY_DATABASE_URL": "postgresql://a/b", "DATABASE_URL": "sqlite:///x.db"}
    assert migrate.database_url("order-history", env) == "postgresql://a/b"
    assert migrate.database_url("catalog", env) == "sqlite:///x.db"
    assert migrate.database_url("catalog", {}) == "sqlite:///var/catalog.db"


def test_database_url_reads_the_mounted_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "database-url"
    secret.write_text("postgresql://mounted/db\n", encoding="utf-8")
    env = {"DATABASE_URL_FILE": str(secret)}
    assert migrate.database_url("catalog", env) == "postgresql://mounted/db"
    assert migrate.database_url("catalog", {**env, "DATABASE_URL": "sqlite:///x.db"}) == (
        "sqlite:///x.db"
    )


@pytest.mark.parametrize("content", ["", "  \n"], ids=["empty", "blank"])
def test_an_empty_secret_file_is_an_error_not_the_default(tmp_path: Path, content: str) -> None:
    secret = tmp_path / "database-url"
    secret.write_text(content, encoding="utf-8")
    with pytest.raises(migrate.MigrationError, match="DATABASE_URL_FILE"):
        migrate.database_url("catalog", {"DATABASE_URL_FILE": str(secret)})


def test_targets_are_the_services_with_migrations(repo: Path) -> None:
    found = migrate.targets(repo, None, {})
    assert [(t.service, t.package) for t in found] == [("order-history", "order_history")]
    with pytest.raises(migrate.MigrationError, match=r"auth has no goldenpath\.dev/migrations"):
        migrate.targets(repo, ["auth"], {})
    with pytest.raises(migrate.MigrationError, match="no service named 'billing'"):
        migrate.targets(repo, ["billing"], {})


def test_progress_lines_hide_the_password() -> None:
    url = "postgresql+psycopg://app:s3cr%40t@db:5432/items"  # pragma: allowlist secret
    assert migrate.shown_url(url) == "postgresql+psycopg://app:***@db:5432/items"
    assert migrate.shown_url("sqlite:///var/a.db") == "sqlite:///var/a.db"


def test_migrate_runs_each_services_command_with_its_database(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "var" / "nested" / "order-history.db"
    monkeypatch.setenv("ORDER_HISTORY_DATABASE_URL", f"sqlite:///{database}")
    assert main(["db", "migrate", "--root", str(repo), "--revision", "0001"]) == 0
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("select name from sqlite_master")}
        versions = connection.execute("select version_num from alembic_version").fetchall()
    assert {"items", "alembic_version"} <= tables
    assert versions == [("0001",)]


def test_a_failing_service_migration_fails_the_command(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("FAKE_MIGRATE_FAILS", "1")
    assert main(["db", "migrate", "--root", str(repo)]) == 1
    assert "order-history: migrations failed (exit code 1)" in capsys.readouterr().err
