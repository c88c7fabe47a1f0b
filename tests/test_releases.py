"""Every released template version still renders, and a repo made from it updates to HEAD.

An update replays the version a repo was made from (it renders it as the merge base), so
a release that stops rendering strands every repo made from it. Tags do not travel with
every copy of this repository: the release commits are listed in tests/releases.toml.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.version import Version
from typer.testing import CliRunner

from goldenpath.cli import app
from tests.conftest import ANSWERS_FILE, TEMPLATE_ROOT
from tools.scratch import GIT_IDENTITY, commit_all, git

runner = CliRunner()
RELEASES: dict[str, str] = tomllib.loads(
    (TEMPLATE_ROOT / "tests" / "releases.toml").read_text(encoding="utf-8")
)["releases"]
HEADING = re.compile(r"^## (\d+\.\d+\.\d+) - \d{4}-\d{2}-\d{2}$", re.MULTILINE)


def _show(commit: str, path: str) -> str:
    """``path`` at ``commit``; empty when the file did not exist yet."""
    shown = subprocess.run(
        ["git", "-C", str(TEMPLATE_ROOT), "show", f"{commit}:{path}"],
        check=False,
        capture_output=True,
        text=True,
    )
    return shown.stdout if shown.returncode == 0 else ""


def _require_commit(commit: str) -> None:
    """Fail (not skip) when the history is missing: a shallow clone cannot check releases."""
    found = subprocess.run(
        ["git", "-C", str(TEMPLATE_ROOT), "cat-file", "-e", f"{commit}^{{commit}}"],
        check=False,
        capture_output=True,
    )
    if found.returncode != 0:
        pytest.fail(f"release commit {commit} is not in this clone: run `git fetch --unshallow`")


def test_every_changelog_version_is_a_recorded_release() -> None:
    changelog = (TEMPLATE_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = HEADING.findall(changelog)
    assert versions, "CHANGELOG.md headings read '## X.Y.Z - YYYY-MM-DD'"
    assert sorted(RELEASES, key=Version) == sorted(versions, key=Version)
    assert list(RELEASES) == sorted(RELEASES, key=Version), "oldest first"


@pytest.mark.parametrize("version", list(RELEASES))
def test_release_commit_released_that_version(version: str) -> None:
    """The recorded commit gave ``version`` its CHANGELOG heading and pyproject version, and
    it is in this branch's history."""
    commit = RELEASES[version]
    _require_commit(commit)
    changelog = _show(commit, "CHANGELOG.md")
    assert HEADING.findall(changelog)[0] == version, "the newest heading at that commit"
    assert version not in HEADING.findall(_show(f"{commit}^", "CHANGELOG.md")), (
        "the heading was already there before: record the commit that added it"
    )
    pyproject = tomllib.loads(_show(commit, "pyproject.toml"))
    assert pyproject["project"]["version"] == version
    ancestor = subprocess.run(
        ["git", "-C", str(TEMPLATE_ROOT), "merge-base", "--is-ancestor", commit, "HEAD"],
        check=False,
    )
    assert ancestor.returncode == 0, f"{commit} is not in this branch's history"


# --- rendering each release and updating from it -------------------------------------


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this repository (every release commit) with the working tree as it is now
    committed on top: HEAD there is the version under test."""
    for commit in RELEASES.values():
        _require_commit(commit)
    clone = tmp_path_factory.mktemp("history") / "template"
    git(TEMPLATE_ROOT, "clone", "-q", "--no-local", str(TEMPLATE_ROOT), str(clone))
    for name in git(clone, "ls-files").splitlines():
        (clone / name).unlink(missing_ok=True)
    listed = git(TEMPLATE_ROOT, "ls-files", "--cached", "--others", "--exclude-standard")
    for name in listed.splitlines():
        if (TEMPLATE_ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE_ROOT / name, clone / name)
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "--allow-empty", "-m", "the working tree under test")
    return clone


@pytest.fixture(scope="module")
def head_render(history: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh render of HEAD with the defaults: what an update from any release must give."""
    dest = tmp_path_factory.mktemp("head") / "platform"
    args = ["new", str(dest), "--defaults", "--template", str(history), "--vcs-ref", "HEAD"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return dest


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


@pytest.mark.slow
@pytest.mark.parametrize("version", list(RELEASES))
def test_release_renders_and_updates_to_head(
    history: Path,
    head_render: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    version: str,
) -> None:
    """Render the release with the defaults, commit, update to HEAD: with no edits of the
    user's, the result is HEAD's own render (except the files the team owns once created)."""
    for variable, value in GIT_IDENTITY.items():
        monkeypatch.setenv(variable, value)
    dest = tmp_path / "platform"
    source = ["--template", str(history), "--vcs-ref", RELEASES[version]]
    new = runner.invoke(app, ["new", str(dest), "--defaults", *source])
    assert new.exit_code == 0, new.output
    assert (dest / "README.md").is_file()
    commit_all(dest, f"Start from goldenpath {version}")

    updated = runner.invoke(app, ["update", str(dest), "--vcs-ref", "HEAD"], env={"COLUMNS": "200"})
    assert updated.exit_code == 0, updated.output
    assert "conflict" not in updated.output

    skip_if_exists = yaml.safe_load((history / "copier.yml").read_text(encoding="utf-8"))[
        "_skip_if_exists"
    ]
    ours, expected = _tree(dest), _tree(head_render)
    for tree in (ours, expected):
        for name in [*skip_if_exists, ANSWERS_FILE]:
            tree.pop(name, None)
    assert sorted(set(ours) - set(expected)) == [], "files the update left behind"
    assert sorted(set(expected) - set(ours)) == [], "files the update did not bring"
    assert [name for name in expected if ours[name] != expected[name]] == []
    answers = yaml.safe_load((dest / ANSWERS_FILE).read_text(encoding="utf-8"))
    fresh = yaml.safe_load((head_render / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert {key: answers.get(key) for key in fresh} == fresh
