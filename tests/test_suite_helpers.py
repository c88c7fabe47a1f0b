"""The suite's own helpers: the by-path module loader and the tool requirement."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import load_module
from tests.needs import in_ci, junit_outcomes, require_tool


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


def test_junit_outcomes_lists_every_skip_with_its_reason(tmp_path: Path) -> None:
    """Read from the report of a real pytest run: module-level, fixture, marker and
    xfail skips are all found; passing tests are counted but not listed."""
    (tmp_path / "test_sample.py").write_text(
        "import pytest\n"
        "\n"
        "@pytest.fixture\n"
        "def server():\n"
        "    pytest.skip('no server')\n"
        "\n"
        "def test_passes():\n"
        "    assert True\n"
        "\n"
        "def test_needs_a_server(server):\n"
        "    pass\n"
        "\n"
        "@pytest.mark.skipif(True, reason='helm is not on PATH')\n"
        "def test_needs_helm():\n"
        "    pass\n"
        "\n"
        "@pytest.mark.xfail(reason='known bug', strict=True)\n"
        "def test_known_bug():\n"
        "    raise AssertionError\n"
    )
    (tmp_path / "test_unavailable.py").write_text(
        "import pytest\n\npytest.skip('platform not supported', allow_module_level=True)\n"
    )
    report = tmp_path / "junit.xml"
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            f"--junitxml={report}",
            "-q",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    count, skipped = junit_outcomes(report)
    assert count == 5
    reasons = {test_id.rpartition("::")[2]: reason for test_id, reason in skipped.items()}
    assert set(reasons) == {
        "test_needs_a_server",
        "test_needs_helm",
        "test_known_bug",
        "test_unavailable",
    }
    assert "no server" in reasons["test_needs_a_server"]
    assert "helm is not on PATH" in reasons["test_needs_helm"]
    assert "known bug" in reasons["test_known_bug"]
    assert "platform not supported" in reasons["test_unavailable"]
