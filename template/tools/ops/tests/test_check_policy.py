"""`ops check policy`: the Rego unit tests, and the policies on good and bad inputs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from ops.check import policy as policy_check
from ops.cli import main

FIXTURES = Path(__file__).resolve().parent / "policy_fixtures"
REPO_ROOT = Path(__file__).resolve().parents[3]
TODAY = "2025-02-15"
RULE_ID = re.compile(r"\b(?:K8S|TF|WF|EXC)-\d{3}\b")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run the checker on inputs only (the Rego tests have their own test below)."""
    code = main(
        ["check", "policy", "--root", str(REPO_ROOT), "--skip-tests", "--today", TODAY, *args]
    )
    return code, capsys.readouterr().out


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def test_every_rego_unit_test_passes() -> None:
    results = policy_check.run_tests(REPO_ROOT / policy_check.POLICY_DIR)
    failed = [f"{result.name}: {result.detail}" for result in results if not result.passed]
    assert not failed
    # Every policy package has its tests, and no rule is left untested: each rule id a
    # policy reports appears in its package's tests.
    packages = {result.name.rsplit(".", 1)[0] for result in results}
    assert packages == {
        "data.kubernetes_test",
        "data.terraform_test",
        "data.workflows_test",
        "data.lib.exceptions_test",
    }
    assert len(results) >= 50
    for policy in (REPO_ROOT / policy_check.POLICY_DIR).rglob("*.rego"):
        if policy.name.endswith("_test.rego"):
            continue
        tests = policy.with_name(policy.stem + "_test.rego").read_text(encoding="utf-8")
        rule_ids = set(RULE_ID.findall(policy.read_text(encoding="utf-8")))
        assert rule_ids
        untested = {rule for rule in rule_ids if rule.replace("-", "_").lower() not in tests}
        assert not untested, f"{policy.name}: no test names {sorted(untested)}"


def test_a_failing_rego_test_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sample.rego").write_text("package sample\n\nanswer := 42\n", encoding="utf-8")
    (tmp_path / "sample_test.rego").write_text(
        "package sample_test\n\nimport data.sample\n\n"
        "test_right if {\n\tsample.answer == 42\n}\n\n"
        "test_wrong if {\n\tsample.answer == 41\n}\n\n"
        'test_error if {\n\tto_number("x") == 1\n}\n',
        encoding="utf-8",
    )
    code = main(["check", "policy", "--tests-only", "--policies", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL data.sample_test.test_wrong: evaluated to None" in out
    assert "FAIL data.sample_test.test_error:" in out
    assert "Rego tests: 1 passed, 2 failed" in out


def test_good_inputs_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(
        capsys,
        "--kubernetes",
        fixture("kubernetes-good.yaml"),
        "--terraform-plan",
        fixture("terraform-good-plan.json"),
        "--workflow",
        fixture("workflow-good.yml"),
    )
    assert code == 0, out
    assert out.count(": ok") == 5  # three manifests, one plan, one workflow


def test_bad_deployment_fails_every_kubernetes_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "--kubernetes", fixture("kubernetes-bad.yaml"))
    assert code == 1
    for rule in ("K8S-001", "K8S-002", "K8S-003", "K8S-004", "K8S-005", "K8S-006", "K8S-007"):
        assert f"kubernetes-bad.yaml: {rule}: Deployment/legacy" in out
    assert 'image "nginx:latest" must be pinned' in out


def test_manifests_are_read_from_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = (FIXTURES / "kubernetes-good.yaml").read_text(encoding="utf-8")
    stream += "---\n" + (FIXTURES / "kubernetes-bad.yaml").read_text(encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(stream))
    code, out = run(capsys, "--kubernetes", "-")
    assert code == 1
    assert "stdin[1]: ok" in out
    assert "stdin[3]: K8S-001: Deployment/legacy" in out


def test_bad_plan_fails_on_the_public_bucket_and_the_unencrypted_database(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = run(capsys, "--terraform-plan", fixture("terraform-bad-plan.json"))
    assert code == 1
    assert 'TF-001: aws_s3_bucket_acl.public: canned ACL "public-read"' in out
    assert "TF-002: aws_s3_bucket.public:" in out
    assert "TF-003: aws_db_instance.main: storage_encrypted must be true" in out


def test_unpinned_action_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "--workflow", fixture("workflow-bad.yml"))
    assert code == 1
    assert 'WF-001: Bad/test: "actions/checkout@v4" must be pinned' in out


def test_expired_exception_fails_and_no_longer_waives(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = run(
        capsys,
        "--exceptions",
        fixture("exceptions-expired.yaml"),
        "--kubernetes",
        fixture("kubernetes-bad.yaml"),
    )
    assert code == 1
    assert (
        "EXC-001: exception for K8S-001 on Deployment/legacy expired on 2025-01-31"
        " (owner team-platform)"
    ) in out
    assert "K8S-001: Deployment/legacy" in out


def test_active_exception_waives_its_rule_only(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "check",
            "policy",
            "--root",
            str(REPO_ROOT),
            "--skip-tests",
            "--today",
            "2025-01-31",
            "--exceptions",
            fixture("exceptions-expired.yaml"),
            "--kubernetes",
            fixture("kubernetes-bad.yaml"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "EXC-001" not in out
    assert "K8S-001" not in out
    assert "K8S-002: Deployment/legacy" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- rule: K8S-001\n", "expected a mapping with an `exceptions:` list"),
        ("exceptions: {}\n", "`exceptions:` must be a list"),
        ("exceptions: [\n", "not valid YAML"),
    ],
)
def test_a_misshapen_registry_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    registry = tmp_path / "exceptions.yaml"
    registry.write_text(content, encoding="utf-8")
    code = main(
        ["check", "policy", "--skip-tests", "--exceptions", str(registry), "--root", str(REPO_ROOT)]
    )
    assert code == 2
    assert message in capsys.readouterr().err


def test_a_missing_input_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["check", "policy", "--skip-tests", "--terraform-plan", str(tmp_path / "nope.json")]
    )
    assert code == 2
    assert "nope.json" in capsys.readouterr().err


def test_the_shipped_registry_has_no_active_or_stale_entries() -> None:
    assert policy_check.load_exceptions(REPO_ROOT / policy_check.EXCEPTIONS_FILE) == []


def test_default_run_checks_the_repository_workflows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "bad.yaml").write_text(
        (FIXTURES / "workflow-bad.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    # The repository's policies, on a tree whose only workflow is a bad one.
    policies = REPO_ROOT / policy_check.POLICY_DIR
    exceptions = REPO_ROOT / policy_check.EXCEPTIONS_FILE
    options = ["--policies", str(policies), "--exceptions", str(exceptions)]
    code = main(["check", "policy", "--skip-tests", "--root", str(tmp_path), *options])
    out = capsys.readouterr().out
    assert code == 1
    assert "bad.yaml: WF-001:" in out


WORKFLOW_FILES = policy_check.default_workflows(REPO_ROOT)


def test_the_repository_workflows_pass(capsys: pytest.CaptureFixture[str]) -> None:
    # The repository ships workflows: finding none means the lookup broke.
    assert WORKFLOW_FILES, "no workflow found under .github/workflows"
    code, out = run(capsys, *(arg for path in WORKFLOW_FILES for arg in ("--workflow", path)))
    assert code == 0, out
