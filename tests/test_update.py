"""Update round trip: user edits survive template changes; clashes are reported, never lost."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pathspec import GitIgnoreSpec
from typer.testing import CliRunner

from goldenpath.cli import app
from goldenpath.updating import plan_update
from tests.conftest import ANSWERS_FILE
from tools.scratch import GIT_IDENTITY, commit_all, git, snapshot_template

runner = CliRunner()
# Every test that generates a repo and updates it renders the template three times.
slow = pytest.mark.slow

USER_NOTE = "## Team notes\n\nOn-call rota lives in the wiki; ask in #platform.\n"
TEMPLATE_NOTE = "Generated with goldenpath; see the Keeping up with the template section.\n"


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """copier's update commits in the generated repo, with the caller's identity."""
    for variable, value in GIT_IDENTITY.items():
        monkeypatch.setenv(variable, value)


@pytest.fixture
def template_repo(tmp_path: Path) -> Path:
    """A private git copy of the template (working tree as it is now), tagged v1.0.0."""
    return snapshot_template(tmp_path / "template-src", "v1.0.0")


def release(template: Path, tag: str, edits: dict[str, str]) -> None:
    """Commit ``edits`` (path -> new text) to the template and tag them."""
    for name, text in edits.items():
        (template / name).parent.mkdir(parents=True, exist_ok=True)
        (template / name).write_text(text, encoding="utf-8")
        git(template, "add", "--force", name)  # template files may match its .gitignore
    commit_all(template, f"template {tag}", tag)


@pytest.fixture
def generated(tmp_path: Path, template_repo: Path) -> Path:
    """A repo generated from v1.0.0 and committed, as a user would."""
    dest = tmp_path / "platform"
    result = runner.invoke(
        app, ["new", str(dest), "--defaults", "--template", str(template_repo), "--with", "ml"]
    )
    assert result.exit_code == 0, result.output
    commit_all(dest, "Start from goldenpath")
    return dest


def commit_user_edit(repo: Path, name: str, text: str) -> None:
    (repo / name).write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", f"edit {name}")


@slow
def test_update_keeps_user_edit_and_brings_template_change(
    generated: Path, template_repo: Path
) -> None:
    readme = generated / "README.md"
    commit_user_edit(generated, "README.md", readme.read_text(encoding="utf-8") + "\n" + USER_NOTE)

    source = (template_repo / "template/README.md.jinja").read_text(encoding="utf-8")
    title, _, rest = source.partition("\n")
    release(
        template_repo,
        "v1.1.0",
        {
            "template/README.md.jinja": f"{title}\n\n{TEMPLATE_NOTE}{rest}",
            "template/docs/ops/release-checklist.md": "# Release checklist\n\nTag, sign, deploy.\n",
        },
    )

    result = runner.invoke(app, ["update", str(generated)])
    assert result.exit_code == 0, result.output
    assert "v1.0.0 -> v1.1.0" in result.output
    text = readme.read_text(encoding="utf-8")
    assert USER_NOTE in text, "the user's edit was lost"
    assert TEMPLATE_NOTE in text, "the template change did not arrive"
    assert (generated / "docs/ops/release-checklist.md").is_file()
    answers = yaml.safe_load((generated / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert answers["_commit"] == "v1.1.0"
    assert answers["ml"] is True, "earlier answers are kept"
    assert not git(generated, "diff", "--name-only", "--diff-filter=U").strip()


@slow
def test_conflicting_edit_is_reported_not_lost(generated: Path, template_repo: Path) -> None:
    gitignore = generated / ".gitignore"
    first_line, _, rest = gitignore.read_text(encoding="utf-8").partition("\n")
    commit_user_edit(generated, ".gitignore", f"# ours: {first_line}\n{rest}")

    source = template_repo / "template/.gitignore"
    _, _, template_rest = source.read_text(encoding="utf-8").partition("\n")
    release(template_repo, "v1.1.0", {"template/.gitignore": f"# theirs\n{template_rest}"})

    result = runner.invoke(app, ["update", str(generated)])
    assert result.exit_code == 3, result.output
    assert ".gitignore" in result.output
    assert "conflict" in result.output
    merged = gitignore.read_text(encoding="utf-8")
    assert f"# ours: {first_line}" in merged, "the user's line must survive the conflict"
    assert "# theirs" in merged
    assert "<<<<<<< before updating" in merged
    assert ".gitignore" in git(generated, "diff", "--name-only", "--diff-filter=U")


@slow
def test_update_refuses_a_dirty_repo(generated: Path, template_repo: Path) -> None:
    (generated / "README.md").write_text("uncommitted\n", encoding="utf-8")
    release(template_repo, "v1.1.0", {"template/docs/ops/extra.md": "# Extra\n"})
    result = runner.invoke(app, ["update", str(generated)])
    assert result.exit_code == 1, result.output
    assert "dirty" in result.output
    assert "commit or stash" in result.output
    assert (generated / "README.md").read_text(encoding="utf-8") == "uncommitted\n"


def test_update_outside_a_generated_repo_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["update", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert ANSWERS_FILE in result.output


@slow
def test_template_deletion_of_an_edited_file_is_a_conflict_that_keeps_it(
    generated: Path, template_repo: Path
) -> None:
    """(a) Deleted upstream, edited here: listed with the conflicts, the user's text stays."""
    contributing = generated / "CONTRIBUTING.md"
    edited = contributing.read_text(encoding="utf-8") + "\n" + USER_NOTE
    commit_user_edit(generated, "CONTRIBUTING.md", edited)
    untouched = "SECURITY.md"
    assert (generated / untouched).is_file()
    for name in ("template/CONTRIBUTING.md.jinja", f"template/{untouched}.jinja"):
        (template_repo / name).unlink()
    commit_all(template_repo, "drop two pages", "v1.1.0")

    result = runner.invoke(app, ["update", str(generated)], env={"COLUMNS": "200"})
    assert result.exit_code == 3, result.output
    assert "conflict: CONTRIBUTING.md: deleted by the template" in result.output
    assert contributing.read_text(encoding="utf-8") == edited
    assert not (generated / untouched).exists(), "an unedited file follows the template"
    status = git(generated, "status", "--porcelain")
    assert "UD CONTRIBUTING.md" in status, "git must show it as deleted by them"


PATHS_IN_THE_WAY = [
    pytest.param(".env.local", "API_TOKEN=mine-not-yours\n", id="ignored-env-file"),
    pytest.param(".vscode/settings.json", '{"editor.rulers": [100]}\n', id="ignored-settings"),
    pytest.param("NOTES.md", "# My notes\n", id="untracked-notes"),
]


@slow
@pytest.mark.parametrize(("name", "mine"), PATHS_IN_THE_WAY)
def test_untracked_or_ignored_file_is_never_overwritten(
    generated: Path, template_repo: Path, name: str, mine: str
) -> None:
    """(b) The new version adds a path the user keeps outside git: refuse, change nothing."""
    (generated / name).parent.mkdir(parents=True, exist_ok=True)
    (generated / name).write_text(mine, encoding="utf-8")
    before = git(generated, "status", "--porcelain", "--ignored")
    release(
        template_repo,
        "v1.1.0",
        {f"template/{name}": "from the template\n", "template/docs/ops/extra.md": "# Extra\n"},
    )

    result = runner.invoke(app, ["update", str(generated)], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert name in result.output
    assert "untracked or ignored" in result.output
    assert (generated / name).read_text(encoding="utf-8") == mine
    assert not (generated / "docs/ops/extra.md").exists(), "nothing may change on a refusal"
    assert git(generated, "status", "--porcelain", "--ignored") == before
    answers = yaml.safe_load((generated / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert answers["_commit"] == "v1.0.0"


@slow
def test_changed_template_source_needs_accept_source_before_any_code_runs(
    generated: Path, template_repo: Path, tmp_path: Path
) -> None:
    """(c) A pull request that points _src_path elsewhere cannot run code by itself."""
    other = tmp_path / "other-template"
    git(tmp_path, "clone", "-q", str(template_repo), str(other))
    marker = tmp_path / "template-code-ran"
    loader = other / "extensions/module_map.py"
    loader.write_text(
        loader.read_text(encoding="utf-8") + f"\nPath({str(marker)!r}).touch()\n",
        encoding="utf-8",
    )
    commit_all(other, "same template, one more line of code", "v1.1.0")
    answers_file = generated / ANSWERS_FILE
    answers_file.write_text(
        answers_file.read_text(encoding="utf-8").replace(str(template_repo), str(other)),
        encoding="utf-8",
    )
    git(generated, "commit", "-q", "-am", "chore: move the template")

    refused = runner.invoke(app, ["update", str(generated)], env={"COLUMNS": "200"})
    assert refused.exit_code == 2, refused.output
    assert str(other) in refused.output
    assert str(template_repo) in refused.output
    assert "--accept-source" in refused.output
    assert not marker.exists(), "no code of the new source may run before it is accepted"
    assert not git(generated, "status", "--porcelain")

    accepted = runner.invoke(
        app, ["update", str(generated), "--accept-source"], env={"COLUMNS": "200"}
    )
    assert accepted.exit_code == 0, accepted.output
    assert f"template source {str(other)!r} accepted" in accepted.output
    assert marker.exists()
    git(generated, "commit", "-q", "-am", "chore: update the template")
    again = runner.invoke(app, ["update", str(generated)])
    assert again.exit_code == 0, "an accepted source is remembered on this machine"


@slow
def test_deleted_skip_if_exists_file_stays_deleted(generated: Path, template_repo: Path) -> None:
    """(d) CHANGELOG.md is the team's: deleting it is final, even when the template changes it."""
    git(generated, "rm", "-q", "CHANGELOG.md")
    git(generated, "commit", "-q", "-m", "we keep release notes elsewhere")
    changelog = template_repo / "template/CHANGELOG.md.jinja"
    release(
        template_repo,
        "v1.1.0",
        {
            "template/CHANGELOG.md.jinja": changelog.read_text(encoding="utf-8") + "\n- more\n",
            "template/docs/ops/extra.md": "# Extra\n",
        },
    )

    result = runner.invoke(app, ["update", str(generated)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "kept deleted: CHANGELOG.md" in result.output
    assert not (generated / "CHANGELOG.md").exists()
    assert (generated / "docs/ops/extra.md").is_file()


# The merge decisions on their own, without rendering: (id, path, base, theirs, ours,
# how ours exists in the repo, expected outcome). None means the file is absent.
PLAN_CASES = [
    ("template-unchanged-keeps-ours", "a.txt", "a\n", "a\n", "mine\n", "tracked", "none"),
    ("template-changed-unedited", "a.txt", "a\n", "b\n", "a\n", "tracked", "write:b\n"),
    (
        "both-changed-apart-merge-clean",
        "a.txt",
        "1\n2\n3\n4\n5\n",
        "1t\n2\n3\n4\n5\n",
        "1\n2\n3\n4\n5o\n",
        "tracked",
        "write:1t\n2\n3\n4\n5o\n",
    ),
    ("both-changed-same-line", "a.txt", "a\n", "t\n", "o\n", "tracked", "conflict:changed by"),
    ("template-deleted-unedited", "a.txt", "a\n", None, "a\n", "tracked", "delete"),
    ("template-deleted-edited", "a.txt", "a\n", None, "o\n", "tracked", "conflict:deleted by"),
    ("deleted-here-changed-there", "a.txt", "a\n", "t\n", None, None, "conflict:you deleted"),
    ("added-by-both-differently", "a.txt", None, "t\n", "o\n", "tracked", "conflict:added by"),
    ("added-there-untracked-here", "a.txt", None, "t\n", "o\n", "untracked", "in-the-way"),
    ("added-there-ignored-here", ".env.local", None, "t\n", "o\n", "ignored", "in-the-way"),
    ("changed-there-ignored-edited", ".env.local", "a\n", "t\n", "o\n", "ignored", "in-the-way"),
    ("untracked-template-text-follows", "a.txt", "a\n", "t\n", "a\n", "untracked", "write:t\n"),
    ("skip-if-exists-deleted-stays", "CHANGELOG.md", "a\n", "t\n", None, None, "kept-deleted"),
    ("skip-if-exists-edited-stays", "CHANGELOG.md", "a\n", "t\n", "o\n", "tracked", "none"),
    ("skip-if-exists-new-is-created", "CHANGELOG.md", None, "t\n", None, None, "write:t\n"),
]


def _write(root: Path, name: str, text: str | None) -> None:
    root.mkdir(parents=True, exist_ok=True)
    if text is not None:
        (root / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "base", "theirs", "ours", "kind", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in PLAN_CASES],
)
def test_plan_decides_each_case(
    tmp_path: Path,
    name: str,
    base: str | None,
    theirs: str | None,
    ours: str | None,
    kind: str | None,
    expected: str,
) -> None:
    _write(tmp_path / "base", name, base)
    _write(tmp_path / "theirs", name, theirs)
    repo = tmp_path / "repo"
    _write(repo, ".gitignore", ".env*\n")
    _write(repo, "README.md", "# repo\n")
    _write(repo, name, ours if kind == "tracked" else None)
    commit_all(repo, "start")
    if kind in {"untracked", "ignored"}:
        _write(repo, name, ours)
    plan = plan_update(
        repo, tmp_path / "base", tmp_path / "theirs", GitIgnoreSpec.from_lines(["CHANGELOG.md"])
    )
    outcomes = [f"write:{content.decode()}" for content, _ in plan.writes.values()]
    outcomes += ["delete" for _ in plan.deletes]
    outcomes += ["in-the-way" for _ in plan.in_the_way]
    outcomes += ["kept-deleted" for _ in plan.kept_deleted]
    conflicts = [f"conflict:{conflict.reason}" for conflict in plan.conflicts]
    if expected.startswith("conflict:"):
        assert len(conflicts) == 1, (conflicts, outcomes)
        assert expected.removeprefix("conflict:") in conflicts[0]
        assert not [outcome for outcome in outcomes if not outcome.startswith("write:")]
    else:
        assert conflicts == []
        assert outcomes == ([] if expected == "none" else [expected])
