"""The scripts a generated repo ships work in that repo."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def repo(render: Callable[..., Path], tmp_path: Path) -> Path:
    """A private copy of the default render, so a test may change files in it."""
    copy = tmp_path / "repo"
    shutil.copytree(render(), copy)
    return copy


def new_adr(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "scripts/new_adr.py", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )


def next_adr_number(repo: Path) -> str:
    numbers = [int(path.name[:4]) for path in (repo / "docs/adr").glob("[0-9][0-9][0-9][0-9]-*.md")]
    return f"{max(numbers) + 1:04d}"


def test_new_adr_writes_next_record_and_indexes_it(repo: Path) -> None:
    number = next_adr_number(repo)
    ran = new_adr(repo, "Use PostgreSQL for orders")
    assert ran.returncode == 0, ran.stderr
    record = repo / f"docs/adr/{number}-use-postgresql-for-orders.md"
    assert record.is_file()
    text = record.read_text(encoding="utf-8")
    assert "Use PostgreSQL for orders" in text
    assert "$title" not in text
    assert "$date" not in text
    index = (repo / "docs/adr/README.md").read_text(encoding="utf-8")
    assert f"{number}-use-postgresql-for-orders.md" in index
    assert index.index("](0001-") < index.index(f"]({number}-")


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("!!!", id="no-words"),
    ],
)
def test_new_adr_refuses_unusable_titles(repo: Path, title: str) -> None:
    before = sorted(p.name for p in (repo / "docs/adr").iterdir())
    ran = new_adr(repo, title)
    assert ran.returncode != 0
    assert ran.stderr.strip()
    assert sorted(p.name for p in (repo / "docs/adr").iterdir()) == before


def test_new_adr_refuses_duplicate(repo: Path) -> None:
    assert new_adr(repo, "Adopt Kafka").returncode == 0
    number = next_adr_number(repo)
    ran = new_adr(repo, "Adopt  kafka")
    assert ran.returncode == 1
    assert "already exists" in ran.stderr
    assert not list((repo / "docs/adr").glob(f"{number}-*"))
