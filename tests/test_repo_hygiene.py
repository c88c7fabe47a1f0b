"""The template repo passes its own pre-commit hooks (local hooks, tools from PyPI)."""

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
