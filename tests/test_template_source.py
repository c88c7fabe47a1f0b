"""Which template the CLI uses, and that it reads that version's own questions and module map.

README: the template source defaults to the checkout goldenpath runs from (or
$GOLDENPATH_TEMPLATE), at its latest version tag, else HEAD.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from goldenpath import template_source
from goldenpath.cli import app
from goldenpath.errors import BadInputError
from goldenpath.template_source import TEMPLATE_ENV_VAR, default_source, open_template
from tests.conftest import ANSWERS_FILE, TEMPLATE_ROOT
from tools.scratch import commit_all, git, snapshot_template

runner = CliRunner()

# Each version of the scratch template says which version it is in the ML module's
# one-line description, so a module map read from it shows which version was read.
ADDS = "Will add model training and serving ({version})."


def _mark_version(template: Path, version: str) -> None:
    """Rewrite the ML module's ``adds`` (a folded block up to ``paths:``) in modules.yml."""
    modules = template / "modules.yml"
    text = modules.read_text(encoding="utf-8")
    adds = text.index("    adds:", text.index("\n  ml:\n"))
    end = text.index("    paths:", adds)
    line = f"    adds: {ADDS.format(version=version)}\n"
    modules.write_text(text[:adds] + line + text[end:], encoding="utf-8")


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template repo with releases v1.9.0 and v1.10.0 and a newer, untagged commit.

    v1.10.0 is committed before v1.9.0 (a patch release of an older line made later):
    the latest version is the highest one, not the newest commit.
    """
    template = snapshot_template(tmp_path_factory.mktemp("versions") / "template", "v1.0.0")
    for version in ("v1.10.0", "v1.9.0", "untagged"):
        _mark_version(template, version)
        commit_all(template, f"template {version}", None if version == "untagged" else version)
    return template


@pytest.fixture(scope="module")
def untagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template repo with no tags at all: a fresh clone of a repo whose tags did not travel."""
    template = snapshot_template(tmp_path_factory.mktemp("untagged") / "template", "v0.0.1")
    git(template, "tag", "-d", "v0.0.1")
    _mark_version(template, "head")
    commit_all(template, "template head")
    return template


# Tests that build scratch template repos (a copy and clones of this checkout) are slow.
@pytest.mark.slow
@pytest.mark.parametrize(
    ("fixture", "ref", "version", "marked"),
    [
        pytest.param("versions", None, "v1.10.0", "v1.10.0", id="default-is-highest-tag"),
        pytest.param("versions", "v1.9.0", "v1.9.0", "v1.9.0", id="tag-by-name"),
        pytest.param("versions", "HEAD", None, "untagged", id="head-past-the-last-tag"),
        pytest.param("untagged", None, None, "head", id="no-tags-default-is-head"),
    ],
)
def test_open_template_reads_the_chosen_version(
    request: pytest.FixtureRequest, fixture: str, ref: str | None, version: str | None, marked: str
) -> None:
    template: Path = request.getfixturevalue(fixture)
    with open_template(str(template), ref) as info:
        ml = next(module for module in info.module_map.modules if module.id == "ml")
        assert ml.adds == ADDS.format(version=marked), "the module map of another version"
        assert "feature_flags" in info.questions
        if version is None:  # copier names an untagged commit after the last tag and its hash
            head = git(template, "rev-parse", "HEAD").strip()
            assert head.startswith(info.version.rsplit("+", 1)[-1]), info.version
        else:  # as a PEP 440 version
            assert info.version == version.removeprefix("v")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("ref", "marked"),
    [
        pytest.param([], "v1.10.0", id="latest-tag"),
        pytest.param(["--vcs-ref", "v1.9.0"], "v1.9.0", id="vcs-ref-tag"),
        pytest.param(["--vcs-ref", "HEAD"], "untagged", id="vcs-ref-head"),
    ],
)
def test_modules_command_prints_the_chosen_versions_map_from_env_source(
    versions: Path, monkeypatch: pytest.MonkeyPatch, ref: list[str], marked: str
) -> None:
    monkeypatch.setenv(TEMPLATE_ENV_VAR, str(versions))
    result = runner.invoke(app, ["modules", "--json", *ref])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ml"]["adds"] == ADDS.format(version=marked)


def test_default_source_is_this_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TEMPLATE_ENV_VAR, raising=False)
    assert Path(default_source()) == TEMPLATE_ROOT


def test_env_var_wins_over_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TEMPLATE_ENV_VAR, "https://git.example/acme/goldenpath.git")
    assert default_source() == "https://git.example/acme/goldenpath.git"


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param({"copier.yml"}, id="no-git-directory"),
        pytest.param({".git"}, id="no-copier-yml"),
        pytest.param(set(), id="site-packages"),
    ],
)
def test_no_checkout_and_no_env_var_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: set[str]
) -> None:
    """An installed wheel has no template next to it: say how to name one."""
    for name in layout:
        (tmp_path / name).mkdir() if name == ".git" else (tmp_path / name).write_text("x: 1\n")
    monkeypatch.delenv(TEMPLATE_ENV_VAR, raising=False)
    monkeypatch.setattr(template_source, "_CHECKOUT", tmp_path)
    with pytest.raises(BadInputError, match="no template source") as refused:
        default_source()
    assert "--template" in refused.value.hint
    assert TEMPLATE_ENV_VAR in refused.value.hint


@pytest.mark.slow
def test_new_without_template_options_uses_env_source_at_latest_tag(
    versions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generated repo records where it came from and which release: what update reads."""
    monkeypatch.setenv(TEMPLATE_ENV_VAR, str(versions))
    dest = tmp_path / "repo"
    result = runner.invoke(app, ["new", str(dest), "--defaults", "--with", "ml"])
    assert result.exit_code == 0, result.output
    assert "from goldenpath v1.10.0" in result.output
    answers = yaml.safe_load((dest / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert answers["_src_path"] == str(versions)
    assert answers["_commit"] == "v1.10.0"
    readme = (dest / "README.md").read_text(encoding="utf-8")
    assert ADDS.format(version="v1.10.0") in readme, "rendered from another version's module map"
