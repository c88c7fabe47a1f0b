"""The shared core: the repository root, errors and exit codes, atomic writes, cells."""

from __future__ import annotations

import stat
from pathlib import Path

import click
import pytest
from ops import cli as root
from ops.errors import EXIT_USAGE, OpsError
from ops.files import write_atomically
from ops.markdown import cell
from ops.repo import ROOT_VARIABLE, find_repo_root


def make_workspace(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.uv.workspace]\nmembers = ["libs/*"]\n', encoding="utf-8"
    )
    return path


def test_the_root_is_the_nearest_uv_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ROOT_VARIABLE, raising=False)
    repo = make_workspace(tmp_path / "repo")
    member = repo / "libs" / "lib"
    member.mkdir(parents=True)
    # A member's own pyproject.toml is not the workspace root.
    (member / "pyproject.toml").write_text('[project]\nname = "lib"\n', encoding="utf-8")
    assert find_repo_root(member) == repo.resolve()
    monkeypatch.setenv(ROOT_VARIABLE, str(member))
    assert find_repo_root(tmp_path) == member.resolve()


def test_outside_a_repository_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ROOT_VARIABLE, raising=False)
    with pytest.raises(OpsError, match="not inside the repository") as raised:
        find_repo_root(tmp_path)
    assert raised.value.exit_code == EXIT_USAGE


@click.command(name="probe")
@click.argument("outcome")
def probe(outcome: str) -> int:
    """A command whose outcome the test chooses."""
    if outcome == "error":
        msg = "the probe failed"
        raise OpsError(msg)
    return {"ok": 0, "found-problems": 1}[outcome]


@pytest.mark.parametrize(
    ("args", "code", "stderr"),
    [
        pytest.param(["probe", "ok"], 0, "", id="success"),
        pytest.param(["probe", "found-problems"], 1, "", id="returned-code"),
        pytest.param(["probe", "error"], 1, "ops: error: the probe failed", id="ops-error"),
        pytest.param(["probe"], 2, "Missing argument", id="usage-error"),
        pytest.param(["no-such-group"], 2, "No such command", id="unknown-group"),
    ],
)
def test_main_maps_outcomes_to_exit_codes(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    stderr: str,
) -> None:
    monkeypatch.setattr(root, "command_groups", lambda: {"probe": probe})
    assert root.main(args) == code
    assert stderr in capsys.readouterr().err


def test_every_group_is_a_click_command_named_after_its_package() -> None:
    groups = root.command_groups()
    assert {"adr", "bench", "check", "db", "deploy", "dev"} <= set(groups)
    for name, command in groups.items():
        assert isinstance(command, click.Command)
        assert command.name == name


def test_write_atomically_keeps_the_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "file.json"
    write_atomically(target, b"one")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    target.chmod(0o600)
    write_atomically(target, b"two")
    assert target.read_bytes() == b"two"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [path.name for path in target.parent.iterdir()] == ["file.json"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("a | b", "a \\| b", id="pipe"),
        pytest.param("two\nlines", "two lines", id="newline"),
        pytest.param("", "-", id="empty"),
        pytest.param(None, "None", id="not-a-string"),
    ],
)
def test_cell_is_one_safe_line(value: object, expected: str) -> None:
    assert cell(value) == expected
