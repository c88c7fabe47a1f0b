"""The template repo keeps itself in order: hooks pass, shipped contracts are current."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import TEMPLATE_ROOT


@pytest.mark.slow
def test_pre_commit_hooks_pass() -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--show-diff-on-failure"],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


@pytest.mark.slow
def test_shipped_contracts_match_the_shipped_services() -> None:
    """The generated repo's drift check would fail on a fresh render otherwise."""
    ran = subprocess.run(
        [sys.executable, "tools/sync_contracts.py", "--check"],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, (
        f"{ran.stdout}{ran.stderr}\nrun `python tools/sync_contracts.py` and commit the result"
    )
