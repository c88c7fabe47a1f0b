"""Update round trip: user edits survive template changes; clashes are reported, never lost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from pathspec import GitIgnoreSpec
from typer.testing import CliRunner

from goldenpath.cli import app
from goldenpath.errors import EXIT_CONFLICTS
from goldenpath.updating import plan_update
from tests.conftest import ANSWERS_FILE, MODULE_MAP
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


# --- README's update promises, end to end ----------------------------------------------

SECURITY = "SECURITY.md"


def _edit_changelog(repo: Path) -> None:
    commit_user_edit(repo, "CHANGELOG.md", "# Changelog\n\nOurs, written by hand.\n")


def _delete_security(repo: Path) -> None:
    git(repo, "rm", "-q", SECURITY)
    git(repo, "commit", "-q", "-m", "security policy lives in the org's .github repo")


def _template_appends(template: Path, name: str) -> dict[str, str]:
    path = template / "template" / name
    return {f"template/{name}": path.read_text(encoding="utf-8") + "\nOne more line.\n"}


# (the user's change, the template file the new version changes, exit code, what the
# update prints, path -> what it holds afterwards: None for absent, else its whole text)
USER_CHANGES = [
    pytest.param(
        _edit_changelog,
        "CHANGELOG.md.jinja",
        0,
        "",
        {"CHANGELOG.md": "# Changelog\n\nOurs, written by hand.\n"},
        id="skip-if-exists-edited-left-alone",
    ),
    pytest.param(
        _delete_security,
        "CONTRIBUTING.md.jinja",
        0,
        "",
        {SECURITY: None},
        id="deleted-file-template-unchanged-stays-deleted",
    ),
    pytest.param(
        _delete_security,
        f"{SECURITY}.jinja",
        EXIT_CONFLICTS,
        f"conflict: {SECURITY}: you deleted it and the template changed it; left deleted",
        {SECURITY: None},
        id="deleted-file-template-changed-stays-deleted-as-conflict",
    ),
]


@slow
@pytest.mark.parametrize(("change", "template_file", "exit_code", "printed", "after"), USER_CHANGES)
def test_user_change_survives_update(
    generated: Path,
    template_repo: Path,
    change: Callable[[Path], None],
    template_file: str,
    exit_code: int,
    printed: str,
    after: dict[str, str | None],
) -> None:
    change(generated)
    extra = {"template/docs/ops/extra.md": "# Extra\n"}
    release(template_repo, "v1.1.0", _template_appends(template_repo, template_file) | extra)

    result = runner.invoke(app, ["update", str(generated)], env={"COLUMNS": "200"})
    assert result.exit_code == exit_code, result.output
    assert printed in result.output
    assert (generated / "docs/ops/extra.md").is_file(), "the rest of the update arrived"
    for name, text in after.items():
        if text is None:
            assert not (generated / name).exists(), name
        else:
            assert (generated / name).read_text(encoding="utf-8") == text, name


# The default first service's directory and package, for module paths that name them.
DOMAIN_NAMES = {"first_service": "catalog", "domain_package": "catalog_service"}


def _module_files(repo: Path, module_id: str) -> list[str]:
    """The files under ``module_id``'s paths in ``repo`` (generated with the defaults)."""
    module = next(module for module in MODULE_MAP.modules if module.id == module_id)
    found = []
    for path in module.paths:
        target = repo / path.format_map(DOMAIN_NAMES)
        found += [str(p.relative_to(repo)) for p in [target, *target.rglob("*")] if p.is_file()]
    return found


@slow
def test_module_switched_on_and_off_by_update(generated: Path) -> None:
    """`update --set feature_flags=true` brings the module's files; `=false` takes them away,
    leaving the repo exactly as before it was switched on. Edits elsewhere stay."""
    contributing = generated / "CONTRIBUTING.md"
    commit_user_edit(
        generated, "CONTRIBUTING.md", contributing.read_text(encoding="utf-8") + USER_NOTE
    )
    before = git(generated, "rev-parse", "HEAD").strip()
    answers = yaml.safe_load((generated / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert answers["first_service"] == DOMAIN_NAMES["first_service"]
    assert _module_files(generated, "feature_flags") == []

    on = runner.invoke(app, ["update", str(generated), "--set", "feature_flags=true"])
    assert on.exit_code == 0, on.output
    assert "Already at template v1.0.0" in on.output
    files = _module_files(generated, "feature_flags")
    assert "docs/modules/feature-flags.md" in files
    assert any(name.startswith("libs/feature-flags/") for name in files), files
    assert "services/catalog/src/catalog_service/api/features.py" in files
    assert USER_NOTE in contributing.read_text(encoding="utf-8")
    answers = yaml.safe_load((generated / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert answers["feature_flags"] is True
    assert answers["ml"] is True, "the other answers are kept"
    commit_all(generated, "switch feature flags on")

    off = runner.invoke(app, ["update", str(generated), "--set", "feature_flags=false"])
    assert off.exit_code == 0, off.output
    assert _module_files(generated, "feature_flags") == []
    for path in ("libs/feature-flags", "config/flags"):
        assert not (generated / path).exists(), f"{path}: an empty directory left behind"
    git(generated, "add", "-A")
    assert git(generated, "diff", "--cached", "--stat", before) == "", (
        "switching the module off must give back the repo as it was before"
    )


def _add_module_path(modules: str, module_id: str, path: str) -> str:
    """modules.yml with ``path`` added to ``module_id``'s paths (after its docs page)."""
    page = f"      - docs/modules/{module_id}.md\n"
    start = modules.index(f"\n  {module_id}:\n")
    at = modules.index(page, start) + len(page)
    return modules[:at] + f"      - {path}\n" + modules[at:]


@slow
def test_update_to_a_version_with_changed_extensions_and_module_map(
    generated: Path, template_repo: Path
) -> None:
    """The old version renders with its own extensions/ and modules.yml, the new one with
    its own: a new derived value, a new filter, and new module paths for a module that is on
    (ml) and one that is off (edge)."""
    commit_user_edit(
        generated,
        "CONTRIBUTING.md",
        (generated / "CONTRIBUTING.md").read_text(encoding="utf-8") + USER_NOTE,
    )
    context = (template_repo / "extensions/context.py").read_text(encoding="utf-8")
    naming = (template_repo / "extensions/naming.py").read_text(encoding="utf-8")
    modules = (template_repo / "modules.yml").read_text(encoding="utf-8")
    assert '        "services": services,\n' in context
    assert '    "kebab": kebab,\n' in naming
    modules = _add_module_path(modules, "ml", "docs/modules/ml-serving.md")
    modules = _add_module_path(modules, "edge", "docs/modules/edge-sync.md")
    release(
        template_repo,
        "v1.1.0",
        {
            "extensions/context.py": context.replace(
                '        "services": services,\n',
                '        "services": services,\n        "service_count": len(services),\n',
            ),
            "extensions/naming.py": naming.replace(
                '    "kebab": kebab,\n',
                '    "kebab": kebab,\n    "spaced": lambda text: text.replace("-", " "),\n',
            ),
            "modules.yml": modules,
            "template/docs/ops/services.md.jinja": (
                "# {{ project_slug | spaced }}\n\n{{ service_count }} services.\n"
            ),
            "template/docs/modules/ml-serving.md": "# Model serving\n",
            "template/docs/modules/edge-sync.md": "# Edge sync\n",
        },
    )

    result = runner.invoke(app, ["update", str(generated)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "v1.0.0 -> v1.1.0" in result.output
    answers = yaml.safe_load((generated / ANSWERS_FILE).read_text(encoding="utf-8"))
    # domain + auth + the ML module's (planned) inference service
    expected = f"# {answers['project_slug'].replace('-', ' ')}\n\n3 services.\n"
    assert (generated / "docs/ops/services.md").read_text(encoding="utf-8") == expected
    assert (generated / "docs/modules/ml-serving.md").is_file(), "ml is on: its new path"
    assert not (generated / "docs/modules/edge-sync.md").exists(), "edge is off"
    assert USER_NOTE in (generated / "CONTRIBUTING.md").read_text(encoding="utf-8")


NEW_QUESTION = """
support_channel:
  type: str
  help: Chat channel where users of the platform ask for help
  default: "#{{ project_slug }}-help"
"""


@slow
def test_update_gives_a_new_question_its_default(generated: Path, template_repo: Path) -> None:
    """A question the new version adds takes its default (which may derive from older
    answers); the answers file records it, so the next update keeps it."""
    copier_yml = (template_repo / "copier.yml").read_text(encoding="utf-8")
    release(
        template_repo,
        "v1.1.0",
        {
            "copier.yml": copier_yml + NEW_QUESTION,
            "template/docs/support.md.jinja": "# Support\n\nAsk in {{ support_channel }}.\n",
        },
    )

    result = runner.invoke(app, ["update", str(generated)])
    assert result.exit_code == 0, result.output
    answers = yaml.safe_load((generated / ANSWERS_FILE).read_text(encoding="utf-8"))
    channel = f"#{answers['project_slug']}-help"
    assert answers["support_channel"] == channel
    assert (generated / "docs/support.md").read_text(encoding="utf-8") == (
        f"# Support\n\nAsk in {channel}.\n"
    )
