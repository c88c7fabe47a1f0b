"""The template repo keeps itself in order: hooks pass, shipped contracts are current."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.action_pins import pin_problems
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


WORKFLOW = TEMPLATE_ROOT / ".github" / "workflows" / "ci.yml"
BIN = Path(sys.executable).parent


def _tool(*command: str) -> subprocess.CompletedProcess[str]:
    # The pytest runs here read `--collect-only -q` listings; a PYTEST_ADDOPTS of the
    # caller's (`-v` in a verbose CI log) would change them, so it is not passed on.
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_ADDOPTS"}
    return subprocess.run(
        command, cwd=TEMPLATE_ROOT, env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("actionlint", str(WORKFLOW)), id="actionlint"),
        pytest.param(("zizmor", "--offline", "--no-progress", ".github/workflows"), id="zizmor"),
    ],
)
def test_own_workflows_pass_the_workflow_linters(command: tuple[str, ...]) -> None:
    ran = _tool(str(BIN / command[0]), *command[1:])
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_own_workflow_pins_name_the_tags_of_their_commits() -> None:
    workflows = sorted(WORKFLOW.parent.glob("*.y*ml"))
    assert workflows
    problems = pin_problems(workflows, TEMPLATE_ROOT)
    assert not problems, "\n".join(problems)


def test_own_ci_runs_the_ci_entry_point_over_every_shard() -> None:
    """The same command as `.ci/run` on a fresh machine, one part of the suite per job."""
    job = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["test"]
    (step,) = (step for step in job["steps"] if "run" in step)
    assert step["run"] == ".ci/run"
    makefile = (TEMPLATE_ROOT / "Makefile").read_text(encoding="utf-8")
    default_args = re.search(r"^PYTEST_ARGS \?= (.+)$", makefile, re.MULTILINE)
    assert default_args is not None
    args = " ".join(step["env"]["PYTEST_ARGS"].split())
    shard = "-p tests.sharding --shard ${{ matrix.shard }}/${{ strategy.job-total }}"
    assert args == f"{default_args[1]} {shard}"
    shards = job["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1))


def _collected(*args: str) -> list[str]:
    ran = _tool(
        sys.executable,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/test_render_delivery.py",
        "tests/test_action_pins.py",
        *args,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return [line for line in ran.stdout.splitlines() if "::" in line]


def test_the_shards_split_the_suite_without_overlap() -> None:
    everything = _collected()
    parts = [_collected("-p", "tests.sharding", f"--shard={k}/3") for k in (1, 2, 3)]
    assert all(parts), "every shard gets some tests"
    assert sorted(test for part in parts for test in part) == sorted(everything)
    # A combination renders on one shard only.
    groups = [
        {test.rsplit("[", 1)[1] for test in part if "test_render_delivery" in test}
        for part in parts
    ]
    for later in groups[1:]:
        assert not later & groups[0]


def test_a_bad_shard_is_refused() -> None:
    ran = _tool(
        sys.executable,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "-p",
        "tests.sharding",
        "--shard=4/3",
        "tests/test_action_pins.py",
    )
    assert ran.returncode != 0
    assert "--shard takes K/N" in ran.stderr
