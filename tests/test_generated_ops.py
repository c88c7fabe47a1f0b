"""The `ops` command line a generated repo ships works in that repo: every command group
is there (and a module's group only with its module), and `ops adr new` writes records."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import MODULE_MAP, module_answers, ops_command

# The command groups every render has, and the group each module adds.
CORE_GROUPS = {"adr", "bench", "check", "db", "deploy", "dev"}
MODULE_GROUPS = {"feature_flags": {"flags"}}


@pytest.fixture
def repo(render: Callable[..., Path], tmp_path: Path) -> Path:
    """A private copy of the default render, so a test may change files in it."""
    copy = tmp_path / "repo"
    shutil.copytree(render(), copy)
    return copy


def run_ops(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command, env = ops_command(repo, *args)
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False)


def listed_groups(help_text: str) -> set[str]:
    """The command names click lists under `Commands:`."""
    commands = help_text.split("Commands:", 1)[1]
    return {line.split()[0] for line in commands.splitlines() if line.startswith("  ")}


@pytest.mark.parametrize(
    "modules",
    [pytest.param(frozenset(), id="default"), pytest.param(frozenset(MODULE_GROUPS), id="flags")],
)
def test_ops_help_lists_every_group(render: Callable[..., Path], modules: frozenset[str]) -> None:
    repo = render(**module_answers(modules))
    ran = run_ops(repo, "--help")
    assert ran.returncode == 0, ran.stderr
    wanted = CORE_GROUPS.union(*(MODULE_GROUPS[module] for module in modules))
    assert listed_groups(ran.stdout) == wanted
    for group in sorted(wanted):
        described = run_ops(repo, group, "--help")
        assert described.returncode == 0, described.stderr


def test_every_group_of_a_module_is_declared_in_the_module_map() -> None:
    for module, groups in MODULE_GROUPS.items():
        paths = MODULE_MAP.get(module).paths
        for group in groups:
            assert f"tools/ops/src/ops/{group}" in paths


def test_no_generated_file_loads_code_by_path_or_edits_sys_path(
    render: Callable[..., Path],
) -> None:
    repo = render(**module_answers(frozenset(MODULE_GROUPS)))
    offenders = [
        str(path.relative_to(repo))
        for path in repo.rglob("*.py")
        if ".venv" not in path.parts
        and any(
            marker in path.read_text(encoding="utf-8")
            for marker in ("sys.path.insert", "sys.path.append", "spec_from_file_location")
        )
    ]
    assert offenders == []


def new_adr(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command, env = ops_command(repo, "adr", "new", *args)
    return subprocess.run(
        command,
        cwd=repo,
        env=env,
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
