"""scripts/migrate.py: which database each service is migrated in, and a real upgrade."""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import migrate
import pytest

ENV_PY = """
from alembic import context
from sqlalchemy import create_engine

url = context.config.get_main_option("sqlalchemy.url")
with create_engine(url).connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""

REVISION = """
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table("items", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("items")
"""


def write_service(repo: Path, name: str, *, migrations: bool) -> None:
    directory = repo / "services" / name
    directory.mkdir(parents=True)
    annotation = f"goldenpath.dev/migrations: data/migrations/{name}" if migrations else ""
    catalog = f"""\
        kind: Component
        metadata:
          name: {name}
          annotations:
            goldenpath.dev/port: "{8000 + len(name)}"
            goldenpath.dev/app: {name.replace("-", "_")}.app:create_app
            {annotation}
        """
    (directory / "catalog-info.yaml").write_text(textwrap.dedent(catalog), encoding="utf-8")
    if migrations:
        scripts = repo / "data" / "migrations" / name
        (scripts / "versions").mkdir(parents=True)
        (scripts / "env.py").write_text(ENV_PY, encoding="utf-8")
        (scripts / "script.py.mako").write_text("", encoding="utf-8")
        (scripts / "versions" / "0001_items.py").write_text(REVISION, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_service(tmp_path, "auth", migrations=False)
    write_service(tmp_path, "order-history", migrations=True)
    return tmp_path


def test_database_url_prefers_the_service_specific_variable() -> None:
    env = {"ORDER_HISTORY_DATABASE_URL": "postgresql://a/b", "DATABASE_URL": "sqlite:///x.db"}
    assert migrate.database_url("order-history", env) == "postgresql://a/b"
    assert migrate.database_url("catalog", env) == "sqlite:///x.db"
    assert migrate.database_url("catalog", {}) == "sqlite:///var/catalog.db"


def test_database_url_from_the_mounted_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "url"
    secret.write_text("postgresql+psycopg://app:pw@db/catalog\n", encoding="utf-8")
    env = {"DATABASE_URL_FILE": str(secret)}
    assert migrate.database_url("catalog", env) == "postgresql+psycopg://app:pw@db/catalog"
    assert migrate.database_url("catalog", {**env, "DATABASE_URL": "sqlite:///x.db"}) == (
        "sqlite:///x.db"
    )
    secret.write_text("\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="is empty"):
        migrate.database_url("catalog", env)


def test_targets_are_the_services_with_migrations(repo: Path) -> None:
    found = migrate.targets(repo, None, {})
    assert [(t.service, t.script_location) for t in found] == [
        ("order-history", repo / "data" / "migrations" / "order-history")
    ]
    with pytest.raises(migrate.MigrationError, match=r"auth has no goldenpath\.dev/migrations"):
        migrate.targets(repo, ["auth"], {})
    with pytest.raises(migrate.MigrationError, match="no service named 'billing'"):
        migrate.targets(repo, ["billing"], {})


def test_main_upgrades_to_head_once(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "var" / "nested" / "order-history.db"
    monkeypatch.setenv("ORDER_HISTORY_DATABASE_URL", f"sqlite:///{database}")
    assert migrate.main(["--repo-root", str(repo)]) == 0
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("select name from sqlite_master")}
    assert {"items", "alembic_version"} <= tables

    # Already at head: a second run changes nothing and succeeds.
    assert migrate.main(["--repo-root", str(repo)]) == 0
    with sqlite3.connect(database) as connection:
        versions = connection.execute("select version_num from alembic_version").fetchall()
    assert versions == [("0001",)]


def test_main_reports_a_missing_env_py(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "data" / "migrations" / "order-history" / "env.py").unlink()
    assert migrate.main(["--repo-root", str(repo)]) == 1
    assert "has no Alembic env.py" in capsys.readouterr().err
