"""The feature-flag module's change command, audit trail and report in a render.

With ``feature_flags`` on: the shipped audit log matches the shipped flag file,
``ops flags`` and its own tests work in the render, a tampered record, a hand
edit and an expired flag fail, and ``make`` and CI run the checks. With it off
(every combination without it): no ``flags`` target, command group, CI job or docs
hook; the
matrix test already greps every file for the module's words.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import combination_params, module_answers, ops_command
from tools.scratch import commit_all, tool_env

on = pytest.mark.xdist_group("feature_flags")
FLAGS = Path("config/flags/flags.json")
AUDIT = Path("config/flags/audit.jsonl")


def flags_on(render: Callable[..., Path]) -> Path:
    return render(**module_answers(frozenset({"feature_flags"})))


def flags_command(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The render's own `ops flags ARGS`, run in ``repo`` (the render or a scratch copy)."""
    command, env = ops_command(RENDERS[repo], "flags", *args)
    return subprocess.run(
        command,
        cwd=repo,
        env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )


# Where each repository a test runs `ops flags` in has its `ops` sources.
RENDERS: dict[Path, Path] = {}


def flags_repo(render: Callable[..., Path]) -> Path:
    repo = flags_on(render)
    RENDERS[repo] = repo
    return repo


@pytest.fixture
def scratch(render: Callable[..., Path], tmp_path: Path) -> Path:
    """The render's flag files and workspace file in a git repository of their own."""
    repo = tmp_path / "repo"
    source = flags_repo(render)
    shutil.copytree(source / "config" / "flags", repo / "config" / "flags")
    shutil.copy2(source / "pyproject.toml", repo / "pyproject.toml")
    commit_all(repo, "start")
    RENDERS[repo] = source
    return repo


@on
def test_the_shipped_log_records_the_shipped_flags(render: Callable[..., Path]) -> None:
    repo = flags_repo(render)
    [record] = [json.loads(line) for line in (repo / AUDIT).read_text().splitlines()]
    assert record["action"] == "create"
    assert record["seq"] == 1
    for command in ("lint", "verify"):
        ran = flags_command(repo, command)
        assert ran.returncode == 0, ran.stderr
    listed = flags_command(repo, "list")
    assert listed.returncode == 0, listed.stderr
    for key in json.loads((repo / FLAGS).read_text())["flags"]:
        assert key in listed.stdout


@on
def test_the_commands_own_tests_pass(render: Callable[..., Path]) -> None:
    repo = flags_on(render)
    pytest_args = ["-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    _, env = ops_command(repo)
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", *pytest_args, "tools/ops/tests/test_flags.py"],
        cwd=repo,
        env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]


@on
def test_a_recorded_change_passes_and_a_tampered_record_fails(scratch: Path) -> None:
    ran = flags_command(
        scratch, "kill", "items-create-enabled", "--reason", "incident", "--actor", "oncall"
    )
    assert ran.returncode == 0, ran.stderr
    flag = json.loads((scratch / FLAGS).read_text())["flags"]["items-create-enabled"]
    assert flag["state"] == "DISABLED"
    commit_all(scratch, "kill creates")
    assert flags_command(scratch, "verify", "--git").returncode == 0

    log = scratch / AUDIT
    records = log.read_text().splitlines()
    first = json.loads(records[0])
    first["reason"] = "something else"
    log.write_text("\n".join([json.dumps(first), *records[1:]]) + "\n")
    ran = flags_command(scratch, "verify")
    assert ran.returncode == 1
    assert "seq 1: hash does not match" in ran.stderr


@on
def test_a_hand_edit_fails_verify_and_the_history_check(scratch: Path) -> None:
    document = json.loads((scratch / FLAGS).read_text())
    document["flags"]["items-canary"]["state"] = "DISABLED"
    (scratch / FLAGS).write_text(json.dumps(document, indent=2) + "\n")
    assert flags_command(scratch, "verify").returncode == 1
    commit_all(scratch, "hand edit")
    ran = flags_command(scratch, "verify", "--git")
    assert ran.returncode == 1
    assert "(hand edit) changed the flag file without an audit record" in ran.stderr


@on
def test_an_expired_flag_fails_lint(scratch: Path) -> None:
    assert flags_command(scratch, "lint", "--today", "2099-06-30").returncode == 0
    ran = flags_command(scratch, "lint", "--today", "2099-07-01")
    assert ran.returncode == 1
    assert "items-newest-first: expired on 2099-06-30" in ran.stderr


@on
def test_make_and_ci_run_the_checks(render: Callable[..., Path]) -> None:
    repo = flags_on(render)
    makefile = (repo / "Makefile").read_text()
    assert "\nflags: check-env ## " in makefile
    assert "$(RUN) ops flags lint\n" in makefile
    workflow = yaml.safe_load((repo / ".github/workflows/ci.yml").read_text())
    job = workflow["jobs"]["flags"]
    assert job["steps"][0]["with"]["fetch-depth"] == 0
    runs = " ".join(step.get("run", "") for step in job["steps"])
    for check in (
        "--no-dev --package ops ops flags lint",
        "--no-dev --package ops ops flags verify --git",
        "https://flagd.dev/schema/v0/flags.json",
    ):
        assert check in runs
    assert "flags" in workflow["jobs"]["images"]["needs"]
    mkdocs = (repo / "mkdocs.yml").read_text()
    assert "docs/hooks/flag_report.py" in mkdocs
    assert "modules/flag-report.md" in (repo / "docs" / ".nav.yml").read_text()


OFF = [param for param in combination_params() if "feature_flags" not in param.values[0]]


@pytest.mark.parametrize("combo", OFF)
def test_off_no_flag_target_job_or_hook(render: Callable[..., Path], combo: frozenset[str]) -> None:
    repo = render(**module_answers(combo))
    assert "\nflags:" not in (repo / "Makefile").read_text()
    workflow = yaml.safe_load((repo / ".github/workflows/ci.yml").read_text())
    assert "flags" not in workflow["jobs"]
    assert "flags" not in workflow["jobs"]["images"]["needs"]
    assert "flag_report" not in (repo / "mkdocs.yml").read_text()
    assert "flag-report" not in (repo / "docs" / ".nav.yml").read_text()
    assert not (repo / "tools" / "ops" / "src" / "ops" / "flags").exists()
    assert not (repo / "tools" / "ops" / "tests" / "test_flags.py").exists()
    assert not (repo / "config" / "flags").exists()


@pytest.mark.slow
def test_the_docs_build_renders_the_flag_report(
    render: Callable[..., Path], tmp_path: Path
) -> None:
    """`make docs` in a flags-on render: the hook's page lists every flag and the log."""
    repo = tmp_path / "platform"
    shutil.copytree(flags_on(render), repo)
    env = tool_env()
    for target in ("setup", "docs"):
        ran = subprocess.run(
            ["make", target], cwd=repo, env=env, capture_output=True, text=True, check=False
        )
        assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-4000:]
    page = (repo / "site" / "modules" / "flag-report" / "index.html").read_text()
    for key in json.loads((repo / FLAGS).read_text())["flags"]:
        assert key in page
    assert "Recent changes" in page
    assert "Example flags shipped with the template" in page
