"""The suite's own helpers: the by-path module loader and the tool requirement."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import load_module
from tests.needs import in_ci, require_tool


def test_a_module_that_fails_to_import_is_not_left_half_imported(tmp_path: Path) -> None:
    key = "goldenpath_test_broken_module"
    broken = tmp_path / "broken.py"
    broken.write_text("FIRST = 1\nraise RuntimeError('broken on purpose')\nSECOND = 2\n")
    with pytest.raises(RuntimeError, match="broken on purpose"):
        load_module(broken, key)
    assert key not in sys.modules
    # Fixed, it imports completely: nothing of the failed attempt was kept.
    broken.write_text("FIRST = 1\nSECOND = 2\n")
    try:
        module = load_module(broken, key)
        assert (module.FIRST, module.SECOND) == (1, 2)
    finally:
        sys.modules.pop(key, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("1", True),
        ("TRUE", True),
        ("", False),
        ("false", False),
        ("0", False),
        ("no", False),
        (None, False),
    ],
    ids=lambda value: repr(value),
)
def test_ci_is_read_from_the_ci_variable(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: bool
) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def _fake_tool(directory: Path, name: str) -> Path:
    tool = directory / name
    tool.write_text("#!/bin/sh\nexit 0\n")
    tool.chmod(0o755)
    return tool


def test_a_tool_on_path_is_returned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = _fake_tool(tmp_path, "goldenpath-fake-tool")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    assert require_tool("goldenpath-fake-tool", "never needed") == str(tool)


def test_a_missing_tool_skips_outside_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"promtool is not on PATH \(apt: prometheus\)"):
        require_tool("promtool", "apt: prometheus")


def test_a_missing_tool_fails_in_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"promtool is not on PATH.*\.ci/run installs"):
        require_tool("promtool", "apt: prometheus")
