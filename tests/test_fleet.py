"""`goldenpath outdated` and `goldenpath diff`: success, refusal, exit codes and --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from goldenpath.cli import app
from goldenpath.fleet import BEHIND, CURRENT, Releases, _compare
from tests.conftest import ANSWERS_FILE
from tools.scratch import GIT_IDENTITY, commit_all, git, snapshot_template

runner = CliRunner()


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, value in GIT_IDENTITY.items():
        monkeypatch.setenv(variable, value)


def tagged_source(root: Path, tags: list[str]) -> Path:
    """A small git repo with one commit per tag: all `outdated` asks of a source."""
    root.mkdir(parents=True)
    for tag in tags or ["untagged"]:
        (root / "VERSION").write_text(tag, encoding="utf-8")
        commit_all(root, f"release {tag}", tag if tags else None)
    return root


def answers_repo(root: Path, source: Path | str, commit: str, services: dict[str, str]) -> Path:
    """A directory with the answers files a generated repo (and its services) would have."""
    root.mkdir(parents=True)
    answers = {"_commit": commit, "_src_path": str(source), "project_name": "Acme"}
    (root / ANSWERS_FILE).write_text(yaml.safe_dump(answers), encoding="utf-8")
    for name, service_commit in services.items():
        service = root / "services" / name
        service.mkdir(parents=True)
        (service / ".copier-answers.service.yml").write_text(
            yaml.safe_dump({"_commit": service_commit, "_src_path": str(source)}),
            encoding="utf-8",
        )
    return root


# --- outdated ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "recorded", "services", "statuses", "latest", "exit_code"),
    [
        pytest.param(["v1.0.0"], "v1.0.0", {}, [CURRENT], "v1.0.0", 0, id="current"),
        pytest.param(["v1.0.0", "v1.1.0"], "v1.0.0", {}, [BEHIND], "v1.1.0", 1, id="behind"),
        pytest.param(
            ["v1.0.0", "v1.10.0", "v1.9.0"], "v1.9.0", {}, [BEHIND], "v1.10.0", 1,
            id="versions-not-strings",
        ),
        pytest.param(
            ["v1.0.0", "v2.0.0rc1"], "v1.0.0", {}, [CURRENT], "v1.0.0", 0,
            id="pre-release-is-not-latest",
        ),
        pytest.param(
            ["v1.0.0", "v1.1.0"], "v1.1.0", {"billing": "v1.0.0"}, [CURRENT, BEHIND], "v1.1.0",
            1, id="service-behind",
        ),
        pytest.param(
            ["v1.0.0"], "v1.0.0", {"billing": "v1.0.0", "search": "v1.0.0"},
            [CURRENT, CURRENT, CURRENT], "v1.0.0", 0, id="services-current",
        ),
        pytest.param(
            ["v1.0.0"], "v1.0.0-2-gabc1234", {}, [CURRENT], "v1.0.0", 0, id="after-latest-tag"
        ),
    ],
)  # fmt: skip
def test_outdated_reports_each_answers_file(
    tmp_path: Path,
    tags: list[str],
    recorded: str,
    services: dict[str, str],
    statuses: list[str],
    latest: str,
    exit_code: int,
) -> None:
    source = tagged_source(tmp_path / "source", tags)
    repo = answers_repo(tmp_path / "repo", source, recorded, services)
    result = runner.invoke(app, ["outdated", "--json", str(repo)])
    assert result.exit_code == exit_code, result.output
    printed = json.loads(result.stdout)
    assert [row["status"] for row in printed] == statuses
    assert [row["part"] for row in printed] == ["repo"] + [f"service {n}" for n in sorted(services)]
    assert {row["latest"] for row in printed} == {latest}


def test_outdated_table_reads_at_80_columns(tmp_path: Path) -> None:
    source = tagged_source(tmp_path / "source", ["v1.0.0", "v1.1.0"])
    repo = answers_repo(tmp_path / "repo", source, "v1.0.0", {"billing": "v1.1.0"})
    result = runner.invoke(app, ["outdated", str(repo)], env={"COLUMNS": "80"})
    assert result.exit_code == 1, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert "behind" in result.output
    assert "service billing" in result.output
    assert "v1.1.0" in result.output


def test_outdated_several_repos_one_source_one_lookup(tmp_path: Path) -> None:
    source = tagged_source(tmp_path / "source", ["v1.0.0", "v1.1.0"])
    first = answers_repo(tmp_path / "first", source, "v1.1.0", {})
    second = answers_repo(tmp_path / "second", source, "v1.0.0", {})
    result = runner.invoke(app, ["outdated", "--json", str(first), str(second)])
    assert result.exit_code == 1, result.output
    printed = json.loads(result.stdout)
    assert [(row["repo"], row["status"]) for row in printed] == [
        (str(first), CURRENT),
        (str(second), BEHIND),
    ]


@pytest.mark.parametrize(
    ("make_repo", "detail"),
    [
        pytest.param(lambda root, _: root.mkdir() or root, "not a generated repo", id="no-answers"),
        pytest.param(
            lambda root, _: answers_repo(root, root.parent / "gone", "v1.0.0", {}),
            "cannot read template source",
            id="source-unreachable",
        ),
        pytest.param(
            lambda root, source: answers_repo(root, "--upload-pack=touch x", "v1.0.0", {}),
            "is not a git URL or path",
            id="option-as-source",
        ),
        pytest.param(
            lambda root, source: answers_repo(root, "ext::sh -c touch% x", "v1.0.0", {}),
            "cannot read template source",
            id="ext-transport",
        ),
    ],
)
def test_outdated_error_exits_2(tmp_path: Path, make_repo, detail: str) -> None:  # type: ignore[no-untyped-def]
    source = tagged_source(tmp_path / "source", ["v1.0.0"])
    good = answers_repo(tmp_path / "good", source, "v1.0.0", {})
    bad = make_repo(tmp_path / "bad", source)
    result = runner.invoke(app, ["outdated", "--json", str(good), str(bad)])
    assert result.exit_code == 2, result.output
    printed = json.loads(result.stdout)
    assert printed[0]["status"] == CURRENT
    assert printed[-1]["status"] == "error"
    assert detail in printed[-1]["detail"]
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("recorded", "head", "status"),
    [
        pytest.param("abc1234", "abc1234def", CURRENT, id="untagged-same-commit"),
        pytest.param("abc1234", "fff0000aaa", BEHIND, id="untagged-moved"),
    ],
)
def test_untagged_source_compares_commits(recorded: str, head: str, status: str) -> None:
    assert _compare(recorded, Releases(latest_tag=None, head=head))[1] == status


# --- diff --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repo rendered from a committed snapshot of this template, committed as a user would."""
    root = tmp_path_factory.mktemp("diff")
    template = snapshot_template(root / "template", "v1.0.0")
    dest = root / "platform"
    result = runner.invoke(app, ["new", str(dest), "--defaults", "--template", str(template)])
    assert result.exit_code == 0, result.output
    commit_all(dest, "Start from goldenpath")
    return dest


@pytest.fixture
def repo(tmp_path: Path, generated: Path) -> Path:
    """A clone of the generated repo each test may change."""
    clone = tmp_path / "platform"
    git(tmp_path, "clone", "-q", str(generated), str(clone))
    return clone


def test_diff_of_an_untouched_repo_is_empty(repo: Path) -> None:
    result = runner.invoke(app, ["diff", str(repo), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["changes"] == []
    assert printed["template_version"] == "v1.0.0"


def test_diff_lists_modified_added_and_deleted_files(repo: Path) -> None:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    (repo / "README.md").write_text(readme + "\nTeam notes.\n", encoding="utf-8")
    (repo / "NOTES.md").write_text("ours\n", encoding="utf-8")
    (repo / "CHANGELOG.md").unlink()
    deleted = "CHANGELOG.md"

    as_json = runner.invoke(app, ["diff", str(repo), "--json"])
    assert as_json.exit_code == 0, as_json.output
    changes = {row["path"]: row["change"] for row in json.loads(as_json.stdout)["changes"]}
    assert changes == {"README.md": "modified", "NOTES.md": "added", deleted: "deleted"}

    patch = runner.invoke(app, ["diff", str(repo)])
    assert patch.exit_code == 0, patch.output
    assert "+Team notes." in patch.stdout
    assert "--- template/README.md" in patch.stdout
    assert "--- /dev/null\n+++ repo/NOTES.md" in patch.stdout
    assert "--- template/CHANGELOG.md\n+++ /dev/null" in patch.stdout
    assert "3 file(s) differ from template v1.0.0" in patch.stderr

    stat = runner.invoke(app, ["diff", str(repo), "--stat"])
    assert "modified  README.md" in stat.stdout


def test_diff_ignores_ignored_files_and_services_with_their_own_template(repo: Path) -> None:
    (repo / ".venv").mkdir()
    (repo / ".venv" / "pyvenv.cfg").write_text("home = /usr\n", encoding="utf-8")
    own = repo / "services" / "billing"
    own.mkdir(parents=True)
    (own / ".copier-answers.service.yml").write_text("_commit: v1.0.0\n", encoding="utf-8")
    (own / "app.py").write_text("print('billing')\n", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(repo), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["changes"] == []
    assert printed["not_compared"] == ["services/billing/"]


def test_diff_refuses_a_directory_that_was_not_generated(tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "not generated by goldenpath" in result.output


def test_diff_refuses_a_changed_source_before_running_its_code(repo: Path) -> None:
    answers = (repo / ANSWERS_FILE).read_text(encoding="utf-8")
    recorded = yaml.safe_load(answers)["_src_path"]
    (repo / ANSWERS_FILE).write_text(
        answers.replace(str(recorded), str(repo.parent / "elsewhere")), encoding="utf-8"
    )
    git(repo, "commit", "-qam", "point the answers file elsewhere")
    result = runner.invoke(app, ["diff", str(repo)])
    assert result.exit_code == 2, result.output
    assert "--accept-source" in result.output
