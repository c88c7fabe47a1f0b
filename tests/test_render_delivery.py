"""Delivery and governance artifacts of every module combination pass the real tools.

Workflows: actionlint (with shellcheck on `run:` scripts), zizmor, the GitHub
workflow JSON schema, and SHA-pinned `uses:`. Composite actions, issue forms and
the compose file: their published schemas. YAML: yamllint --strict with the
generated repo's own config. Secrets: detect-secrets finds nothing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.action_pins import pin_problems
from tests.conftest import answer_set_params

pytestmark = pytest.mark.parametrize("answers", answer_set_params())

BIN = Path(sys.executable).parent
ENV_PATH = {"PATH": f"{BIN}:/usr/bin:/bin"}
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _run(repo: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=repo, capture_output=True, text=True, check=False, env=ENV_PATH
    )


def _workflows(repo: Path) -> list[Path]:
    workflows = sorted((repo / ".github" / "workflows").glob("*.y*ml"))
    assert workflows, "expected GitHub workflows in the render"
    return workflows


def _uses(node: object) -> list[str]:
    """Every `uses:` value in a parsed workflow (steps and reusable-workflow jobs)."""
    if isinstance(node, dict):
        found = [str(node["uses"])] if "uses" in node else []
        return found + [use for value in node.values() for use in _uses(value)]
    if isinstance(node, list):
        return [use for item in node for use in _uses(item)]
    return []


def test_every_action_is_pinned_to_a_commit(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)
    unpinned = []
    for workflow in _workflows(repo):
        for use in _uses(yaml.safe_load(workflow.read_text(encoding="utf-8"))):
            if use.startswith("./") or (use.startswith("docker://") and "@sha256:" in use):
                continue
            if not PINNED.match(use):
                unpinned.append(f"{workflow.name}: {use}")
    assert not unpinned, "actions must be pinned to a full commit SHA:\n" + "\n".join(unpinned)


def test_every_pin_comment_names_the_tag_of_its_commit(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    """Against tests/data/action-pins.toml: workflows and the composite actions."""
    repo = render(**answers)
    files = [*_workflows(repo), *sorted(repo.glob("ci/templates/*/action.yml"))]
    problems = pin_problems(files, repo)
    assert not problems, "\n".join(problems)


def test_actionlint_is_clean(render: Callable[..., Path], answers: dict[str, Any]) -> None:
    repo = render(**answers)
    ran = _run(repo, str(BIN / "actionlint"), *map(str, _workflows(repo)))
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_zizmor_is_clean(render: Callable[..., Path], answers: dict[str, Any]) -> None:
    repo = render(**answers)
    workflow = yaml.safe_load((repo / ".github/workflows/zizmor.yml").read_text(encoding="utf-8"))
    audit = next(step["run"] for step in workflow["jobs"]["zizmor"]["steps"] if "run" in step)
    # Exactly the paths the generated workflow audits, so a finding there fails here.
    scanned = audit.split("--format github", 1)[1].split()
    assert scanned == [".github/workflows", "ci/templates"], audit
    ran = _run(repo, str(BIN / "zizmor"), "--offline", "--no-progress", *scanned)
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_workflows_match_the_github_schema(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)
    ran = _run(
        repo,
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        *map(str, _workflows(repo)),
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    dependabot = repo / ".github" / "dependabot.yml"
    assert dependabot.is_file()
    ran = _run(
        repo,
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.dependabot",
        str(dependabot),
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


# Other GitHub and container files, each against its published schema.
SCHEMAS = {
    "vendor.github-actions": ("ci/templates/*/action.yml",),
    "vendor.github-issue-forms": (
        ".github/ISSUE_TEMPLATE/bug.yml",
        ".github/ISSUE_TEMPLATE/feature.yml",
    ),
    "vendor.github-issue-config": (".github/ISSUE_TEMPLATE/config.yml",),
    "vendor.compose-spec": ("docker-compose.yml",),
}


def test_other_files_match_their_schemas(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)
    for schema, patterns in SCHEMAS.items():
        files = [str(path) for pattern in patterns for path in sorted(repo.glob(pattern))]
        assert len(files) >= len(patterns), f"{schema}: expected {patterns} in the render"
        ran = _run(repo, str(BIN / "check-jsonschema"), "--builtin-schema", schema, *files)
        assert ran.returncode == 0, f"{schema}: {ran.stdout}{ran.stderr}"


def test_yamllint_strict_is_clean(render: Callable[..., Path], answers: dict[str, Any]) -> None:
    repo = render(**answers)
    assert (repo / ".yamllint.yaml").is_file()
    ran = _run(repo, str(BIN / "yamllint"), "--strict", ".")
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_no_secrets_in_the_render(render: Callable[..., Path], answers: dict[str, Any]) -> None:
    """The shipped baseline is empty, so any finding is a new secret (or a missing pragma)."""
    repo = render(**answers)
    baseline = json.loads((repo / ".secrets.baseline").read_text(encoding="utf-8"))
    assert baseline["results"] == {}
    ran = _run(
        repo,
        str(BIN / "detect-secrets"),
        "scan",
        "--all-files",
        "--exclude-files",
        r"^(uv\.lock|\.secrets\.baseline)$",
    )
    assert ran.returncode == 0, ran.stderr
    findings = json.loads(ran.stdout)["results"]
    assert findings == {}, json.dumps(findings, indent=2)


def _load_workflows(repo: Path) -> dict[str, dict[str, Any]]:
    return {
        path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in _workflows(repo)
    }


def _triggers(workflow: dict[Any, Any]) -> set[str]:
    # PyYAML reads the key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    return {on} if isinstance(on, str) else set(on)


def _check_names(job: dict[str, Any], job_id: str) -> list[str]:
    """The check names a job reports: its name, once per matrix value it names."""
    name = str(job.get("name", job_id))
    matrix = job.get("strategy", {}).get("matrix", {})
    if not isinstance(matrix, dict):  # fromJSON(...): names known only at run time
        return [name]
    for key, values in matrix.items():
        placeholder = f"${{{{ matrix.{key} }}}}"
        if placeholder in name and isinstance(values, list):
            return [name.replace(placeholder, str(value)) for value in values]
    return [name]


def test_required_checks_report_in_the_merge_queue(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    """A required check without a `merge_group` trigger never reports, and the queue waits."""
    repo = render(**answers)
    ruleset = json.loads((repo / "docs/governance/branch-ruleset.json").read_text("utf-8"))
    (checks,) = (
        rule["parameters"]["required_status_checks"]
        for rule in ruleset["rules"]
        if rule["type"] == "required_status_checks"
    )
    reported_by = {
        check: name
        for name, workflow in _load_workflows(repo).items()
        for job_id, job in workflow["jobs"].items()
        for check in _check_names(job, job_id)
    }
    for check in (entry["context"] for entry in checks):
        assert check in reported_by, f"no job reports the required check {check!r}"
        workflow = _load_workflows(repo)[reported_by[check]]
        assert {"pull_request", "merge_group"} <= _triggers(workflow), (reported_by[check], check)


def test_gitops_writers_queue_instead_of_replacing_each_other(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)
    writers = []
    for name, workflow in _load_workflows(repo).items():
        scopes = [(name, workflow)] + [
            (f"{name} {job_id}", job) for job_id, job in workflow["jobs"].items()
        ]
        for where, scope in scopes:
            concurrency = scope.get("concurrency")
            if isinstance(concurrency, dict) and concurrency.get("group") == "gitops":
                writers.append(where)
                assert concurrency.get("queue") == "max", where
                assert concurrency.get("cancel-in-progress") is False, where
    assert writers == ["ci.yml deploy-dev", "promote.yml", "rollback.yml"]


def test_terraform_skips_fork_plans_and_waits_for_the_state_lock(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)
    jobs = _load_workflows(repo)["terraform.yml"]["jobs"]
    same_repo = "github.event.pull_request.head.repo.full_name == github.repository"
    fork = "github.event.pull_request.head.repo.full_name != github.repository"
    # Plans need the OIDC token a fork's pull request does not get; forks get a notice.
    assert same_repo in jobs["plan"]["if"]
    assert fork in jobs["fork-notice"]["if"]
    notice = " ".join(step.get("run", "") for step in jobs["fork-notice"]["steps"])
    assert "::notice" in notice
    assert "GITHUB_STEP_SUMMARY" in notice
    assert "id-token" not in jobs["fork-notice"].get("permissions", {})
    apply = next(step["run"] for step in jobs["apply"]["steps"] if "apply" in step.get("run", ""))
    for command in ("plan", "apply"):
        line = next(line for line in apply.splitlines() if f'"${{STACK}}" {command}' in line)
        assert '-lock-timeout="${LOCK_TIMEOUT}"' in line, line


def test_deploy_commits_are_pushed_with_the_app_token_only(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    """The ruleset lets only the deploy App push: no job writes with GITHUB_TOKEN."""
    repo = render(**answers)
    pushing = 0
    for name, workflow in _load_workflows(repo).items():
        for job_id, job in workflow["jobs"].items():
            where = f"{name} {job_id}"
            assert job.get("permissions", {}).get("contents") != "write", where
            steps = job.get("steps", [])
            uses = [str(step.get("uses", "")) for step in steps]
            for step in steps:
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, where
            if "./ci/templates/gitops-commit" not in uses:
                continue
            pushing += 1
            assert uses.index("./ci/templates/app-token") < uses.index(
                "./ci/templates/gitops-commit"
            ), where
            mint = steps[uses.index("./ci/templates/app-token")]
            commit = steps[uses.index("./ci/templates/gitops-commit")]
            assert mint["with"] == {
                "client-id": "${{ vars.DEPLOY_APP_CLIENT_ID }}",
                "private-key": "${{ secrets.DEPLOY_APP_PRIVATE_KEY }}",
            }, where
            assert commit["with"]["token"] == f"${{{{ steps.{mint['id']}.outputs.token }}}}"
    assert pushing == 3, "expected ci.yml deploy-dev, promote.yml and rollback.yml"
    docs = (repo / "docs/governance/branch-protection.md").read_text(encoding="utf-8")
    for name in ("DEPLOY_APP_CLIENT_ID", "DEPLOY_APP_PRIVATE_KEY", "bypass_actors"):
        assert name in docs, name


def test_template_update_runs_the_cli_as_it_reports(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    """template-update.yml reads `goldenpath update`'s exit codes and report lines."""
    from goldenpath import cli
    from goldenpath.errors import EXIT_BAD_INPUT, EXIT_CONFLICTS

    repo = render(**answers)
    workflow = _load_workflows(repo)["template-update.yml"]
    assert {"schedule", "workflow_dispatch"} == _triggers(workflow)
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert "permissions" not in job
    steps = {step.get("id", step.get("name")): step for step in job["steps"]}
    assert steps["app"]["with"]["pull-requests"] == "write"
    script = "\n".join(str(step.get("run", "")) for step in job["steps"])
    assert 'goldenpath update . > "${log}"' in script
    assert f'"${{status}}" -ne {EXIT_CONFLICTS}' in script
    assert f"{EXIT_BAD_INPUT} refused before writing" in script
    # The lines the pull request body is built from, as the CLI prints them.
    source = Path(cli.__file__).read_text(encoding="utf-8")
    for report in (
        'f"  conflict: {path}',
        'f"  kept deleted: {path}',
        'f"Updated {dest}: template',
    ):
        assert report in source, report
    for pattern in ("^  conflict: ", "^  kept deleted: ", "^Updated .*-> "):
        assert pattern in script, pattern
