"""`ops check compliance`: evidence checks, outputs, strict mode and the generated doc."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from ops.check import compliance as ce
from ops.cli import main

REPO_ROOT = Path(__file__).resolve().parents[3]

CONTROLS = """\
tools: [pytest, no-such-distribution-for-tests]
controls:
  - id: CC8.1
    framework: SOC 2
    title: Changes are authorized
    evidence:
      - {kind: file, path: .github/CODEOWNERS, note: owners review}
      - {kind: workflow-job, path: .github/workflows/ci.yml, job: lint}
      - {kind: make-target, path: Makefile, target: test}
  - id: A.8.9
    framework: ISO/IEC 27001:2022
    title: Configuration management
    evidence:
      - {kind: glob, path: "services/*/Dockerfile", pattern: "^USER +(?!root\\\\b)\\\\S+"}
      - {kind: directory, path: ci/policies}
"""

DOC = f"""\
# Controls

Intro.

{ce.DOC_START}
{ce.DOC_END}
"""


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository where every piece of evidence in CONTROLS is present."""
    root = tmp_path / "repo"
    write(root, "docs/compliance/controls.yaml", CONTROLS)
    write(root, "docs/compliance/controls.md", DOC)
    write(root, ".github/CODEOWNERS", "* @acme/platform-team\n")
    write(
        root,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  lint:\n    runs-on: ubuntu-24.04\n    steps: [{run: make lint}]\n",
    )
    write(root, "Makefile", "RUN := uv run\ntest: check-env ## tests\n\t$(RUN) pytest\n")
    write(root, "services/auth/Dockerfile", "FROM python:3.11-slim\nUSER 10001:10001\n")
    write(root, "services/catalog/Dockerfile", "FROM python:3.11-slim\nUSER app\n")
    write(root, "ci/policies/workflows.rego", "package workflows\n")
    return root


def run(root: Path, *args: str) -> int:
    return main(["check", "compliance", "--root", str(root), *args])


def evidence_of(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "evidence.json").read_text(encoding="utf-8"))
    return data


def statuses(data: dict[str, Any]) -> dict[str, str]:
    return {control["id"]: control["status"] for control in data["controls"]}


def gaps(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (control["id"], item["path"], item["reason"])
        for control in data["controls"]
        for item in control["evidence"]
        if not item["present"]
    ]


def test_everything_present_writes_evidence_and_report(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "evidence"
    assert run(repo, "--out", str(out), "--strict") == 0

    data = evidence_of(out)
    assert data["summary"] == {"controls": 2, "satisfied": 2, "gaps": 0}
    assert statuses(data) == {"CC8.1": "satisfied", "A.8.9": "satisfied"}
    assert data["controls_file"] == "docs/compliance/controls.yaml"
    assert datetime.fromisoformat(data["generated_at"]).tzinfo is not None
    codeowners = hashlib.sha256((repo / ".github/CODEOWNERS").read_bytes()).hexdigest()
    assert data["controls"][0]["evidence"][0]["sha256"] == {".github/CODEOWNERS": codeowners}
    glob_files = data["controls"][1]["evidence"][0]["sha256"]
    assert sorted(glob_files) == ["services/auth/Dockerfile", "services/catalog/Dockerfile"]
    assert data["tools"]["pytest"] == pytest.__version__
    assert data["tools"]["no-such-distribution-for-tests"] == "not installed"
    assert data["tools"]["python"]

    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# Compliance evidence report\n")
    assert "| SOC 2 | CC8.1 | Changes are authorized | satisfied |" in report
    assert "None: every control's evidence is present." in report
    assert f"| `.github/CODEOWNERS` | `{codeowners}` |" in report
    assert "\n\n\n" not in report


def test_missing_evidence_is_a_gap_and_fails_only_in_strict_mode(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / ".github/CODEOWNERS").unlink()
    out = tmp_path / "evidence"

    assert run(repo, "--out", str(out)) == 0
    assert run(repo, "--out", str(out), "--strict") == ce.EXIT_GAPS

    data = evidence_of(out)
    assert statuses(data) == {"CC8.1": "gap", "A.8.9": "satisfied"}
    assert gaps(data) == [("CC8.1", ".github/CODEOWNERS", "file not found")]
    assert "gap: SOC 2 CC8.1: .github/CODEOWNERS: file not found" in capsys.readouterr().err
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "- SOC 2 CC8.1: `.github/CODEOWNERS`: file not found" in report


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (
            lambda root: (root / ".github/workflows/ci.yml").unlink(),
            ("CC8.1", ".github/workflows/ci.yml", "workflow not found"),
        ),
        (
            lambda root: write(root, ".github/workflows/ci.yml", "on: push\njobs:\n  build: {}\n"),
            ("CC8.1", ".github/workflows/ci.yml", "no job 'lint'"),
        ),
        (
            lambda root: write(root, ".github/workflows/ci.yml", "jobs: [unclosed\n"),
            ("CC8.1", ".github/workflows/ci.yml", "workflow is not valid YAML"),
        ),
        (
            # A variable assignment is not a target.
            lambda root: write(root, "Makefile", "test := 1\nlint:\n\ttrue\n"),
            ("CC8.1", "Makefile", "no target 'test'"),
        ),
        (
            lambda root: write(root, "services/catalog/Dockerfile", "FROM x\nUSER root\n"),
            (
                "A.8.9",
                "services/*/Dockerfile",
                "pattern '^USER +(?!root\\\\b)\\\\S+' not found in services/catalog/Dockerfile",
            ),
        ),
        (
            lambda root: [path.unlink() for path in root.glob("services/*/Dockerfile")],
            ("A.8.9", "services/*/Dockerfile", "no file matches"),
        ),
        (
            lambda root: (root / "ci/policies/workflows.rego").unlink(),
            ("A.8.9", "ci/policies", "directory is empty"),
        ),
        (
            lambda root: shutil.rmtree(root / "ci"),
            ("A.8.9", "ci/policies", "directory not found"),
        ),
    ],
    ids=[
        "workflow-missing",
        "job-missing",
        "workflow-invalid",
        "make-target-missing",
        "pattern-not-matched",
        "glob-empty",
        "directory-empty",
        "directory-missing",
    ],
)
def test_each_kind_of_missing_evidence_is_reported(
    repo: Path, tmp_path: Path, breakage: Any, expected: tuple[str, str, str]
) -> None:
    breakage(repo)
    out = tmp_path / "evidence"
    assert run(repo, "--out", str(out), "--strict") == ce.EXIT_GAPS
    assert gaps(evidence_of(out)) == [expected]


def test_file_pattern_must_match(repo: Path) -> None:
    item = ce.Evidence("file", ".github/CODEOWNERS", pattern=r"^\* @acme/")
    assert ce.check_control(repo, ce.Control("X", "F", "t", (item,)))[0].present
    other = ce.Evidence("file", ".github/CODEOWNERS", pattern=r"^\* @other/")
    result = ce.check_control(repo, ce.Control("X", "F", "t", (other,)))[0]
    assert not result.present
    assert result.reason == "pattern '^\\\\* @other/' not found"


@pytest.mark.parametrize(
    ("controls", "message"),
    [
        ("controls: {}\n", "must be a mapping with a 'controls' list"),
        ("controls: [{id: X, framework: F, title: t, evidence: []}]\n", "non-empty list"),
        (
            "controls: [{id: X, framework: F, title: t, evidence: [{kind: url, path: a}]}]\n",
            "kind 'url' is not one of",
        ),
        (
            "controls: [{id: X, framework: F, title: t, evidence: [{kind: file, path: ../a}]}]\n",
            "must be relative to the repository root",
        ),
        (
            "controls: [{id: X, framework: F, title: t, evidence: [{kind: file, path: /etc/x}]}]\n",
            "must be relative to the repository root",
        ),
        (
            "controls: [{id: X, framework: F, title: t,"
            " evidence: [{kind: workflow-job, path: .github/workflows/ci.yml}]}]\n",
            "'job' must be a non-empty string",
        ),
        (
            "controls: [{id: X, framework: F, title: t,"
            " evidence: [{kind: directory, path: a, pattern: x}]}]\n",
            "'pattern' applies to file and glob evidence only",
        ),
        (
            "controls: [{id: X, framework: F, title: t,"
            " evidence: [{kind: file, path: a, pattern: '('}]}]\n",
            "is not a regular expression",
        ),
        (
            "controls:\n"
            "  - {id: X, framework: F, title: t, evidence: [{kind: file, path: a}]}\n"
            "  - {id: X, framework: F, title: u, evidence: [{kind: file, path: b}]}\n",
            "F X: listed twice",
        ),
        ("tools: ruff\ncontrols: []\n", "'tools' must be a list"),
        (
            "controls: [{id: X, framework: F, title: t,"
            " evidence: [{kind: file, path: a, paterns: x}]}]\n",
            "controls[0] evidence[0]: unknown key 'paterns'",
        ),
        ("version: 2\ncontrols: []\n", "version"),
        ("controls: [unclosed\n", "is not valid YAML"),
    ],
)
def test_invalid_controls_file_is_an_error(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], controls: str, message: str
) -> None:
    write(repo, "docs/compliance/controls.yaml", controls)
    assert run(repo, "--out", str(tmp_path / "evidence")) == ce.EXIT_ERROR
    assert message in capsys.readouterr().err
    assert not (tmp_path / "evidence").exists()


def test_missing_controls_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, "--out", str(tmp_path / "out")) == ce.EXIT_ERROR
    assert "cannot read" in capsys.readouterr().err


def test_nothing_to_do_is_a_usage_error(repo: Path) -> None:
    assert run(repo) == 2  # click's usage error


def test_records_the_commit_and_whether_the_tree_is_dirty(repo: Path, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True)  # noqa: S603, S607
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"],  # noqa: S607
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    state = ce.repository_state(repo)
    assert state == {"commit": head, "dirty": False}
    write(repo, "new.txt", "uncommitted\n")
    assert ce.repository_state(repo) == {"commit": head, "dirty": True}

    out = tmp_path / "evidence"
    assert run(repo, "--out", str(out)) == 0
    assert evidence_of(out)["repository"]["commit"] == head
    assert "(uncommitted changes present)" in (out / "report.md").read_text(encoding="utf-8")


def test_outside_a_git_checkout_the_commit_is_unknown(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stop git from finding a repository above the temporary directory.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(repo.parent))
    assert ce.repository_state(repo) == {"commit": None, "dirty": None}


def test_fixed_clock_makes_the_date_reproducible(repo: Path) -> None:
    controls = ce.load_controls(repo / "docs/compliance/controls.yaml")
    moment = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    data = ce.build_evidence(repo, controls, "controls.yaml", now=lambda: moment)
    assert data["generated_at"] == "2030-01-02T03:04:05+00:00"


def test_write_doc_then_check_doc(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = repo / "docs/compliance/controls.md"
    assert run(repo, "--check-doc") == ce.EXIT_GAPS
    assert "is stale" in capsys.readouterr().err

    assert run(repo, "--write-doc") == 0
    written = doc.read_text(encoding="utf-8")
    assert written.startswith("# Controls\n\nIntro.\n\n")
    assert written.endswith(f"{ce.DOC_END}\n")
    soc2_table = textwrap.dedent(
        """\
        ### SOC 2

        | Control | Title | Enforced by |
        | --- | --- | --- |
        | CC8.1 | Changes are authorized | `.github/CODEOWNERS`: owners review\
<br>`.github/workflows/ci.yml` job `lint`<br>`make test` (`Makefile`) |
        """
    )
    assert soc2_table in written
    assert "### ISO/IEC 27001:2022" in written
    assert run(repo, "--check-doc") == 0

    # Editing the YAML makes the page stale again.
    controls = repo / "docs/compliance/controls.yaml"
    controls.write_text(CONTROLS.replace("Changes are authorized", "Changes are approved"))
    assert run(repo, "--check-doc") == ce.EXIT_GAPS


def test_doc_without_markers_is_an_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "docs/compliance/controls.md", "# Controls\n")
    assert run(repo, "--check-doc") == ce.EXIT_ERROR
    assert "no generated block" in capsys.readouterr().err


def test_table_cells_escape_pipes() -> None:
    control = ce.Control("X", "F", "a | b", (ce.Evidence("file", "p", note="x|y"),))
    table = ce.render_doc_table(ce.ControlsFile((control,)))
    assert "| X | a \\| b | `p`: x\\|y |" in table


# The repository's own map: every control is proven and the page matches the YAML.


def test_repository_controls_have_no_gaps(tmp_path: Path) -> None:
    out = tmp_path / "evidence"
    assert (
        main(["check", "compliance", "--root", str(REPO_ROOT), "--out", str(out), "--strict"]) == 0
    ), gaps(evidence_of(out))


def test_repository_controls_page_is_current() -> None:
    assert main(["check", "compliance", "--root", str(REPO_ROOT), "--check-doc"]) == 0, (
        "run: ops check compliance --write-doc"
    )


def workflow_check_names(workflows: Path) -> set[str]:
    """The status check names the workflows report: job names, matrix values filled in."""
    names: set[str] = set()
    for path in workflows.glob("*.yml"):
        jobs = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("jobs", {})
        for job_id, job in jobs.items():
            name = str(job.get("name", job_id))
            matrix = job.get("strategy", {}).get("matrix", {})
            expanded = [name]
            for key, values in matrix.items() if isinstance(matrix, dict) else ():
                placeholder = "${{ matrix." + key + " }}"
                if placeholder in name and isinstance(values, list):
                    expanded = [n.replace(placeholder, str(v)) for n in expanded for v in values]
            names.update(expanded)
    return names


def test_branch_ruleset_requires_checks_that_exist() -> None:
    """A renamed CI job would leave a required check that never reports, blocking merges."""
    ruleset = json.loads(
        (REPO_ROOT / "docs/governance/branch-ruleset.json").read_text(encoding="utf-8")
    )
    (checks_rule,) = [rule for rule in ruleset["rules"] if rule["type"] == "required_status_checks"]
    required = {check["context"] for check in checks_rule["parameters"]["required_status_checks"]}
    missing = required - workflow_check_names(REPO_ROOT / ".github/workflows")
    assert not missing, f"required checks no workflow job reports: {sorted(missing)}"
