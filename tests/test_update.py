"""Update round trip: user edits survive template changes; clashes are reported, never lost."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from goldenpath.cli import app
from tests.conftest import ANSWERS_FILE
from tools.scratch import GIT_IDENTITY, commit_all, git, snapshot_template

pytestmark = pytest.mark.slow
runner = CliRunner()

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
