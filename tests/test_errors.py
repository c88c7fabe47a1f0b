"""Every error the CLI reports is one line saying what went wrong and one line saying what
to do, with the documented exit code (README: "Every error is one line plus a hint").

The error paths are enumerated from the source: every GoldenpathError or BadInputError
the package constructs is a site, and each site must be reached by at least one case
below. A new error path without a case here fails `test_every_error_site_has_a_case`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from copier.errors import UserMessageError
from typer.testing import CliRunner

from goldenpath import adding, cli, fleet, operations, template_source, updating
from goldenpath.errors import EXIT_BAD_INPUT, EXIT_CONFLICTS, EXIT_FAILED, EXIT_INTERRUPTED
from tests.conftest import ANSWERS_FILE, TEMPLATE_ROOT
from tools.scratch import GIT_IDENTITY, commit_all, git

runner = CliRunner()
PACKAGE = TEMPLATE_ROOT / "src" / "goldenpath"
ERROR_TYPES = {"GoldenpathError", "BadInputError"}


# --- the error sites, read from the source ---------------------------------------------


def _text_of(node: ast.expr | None) -> str | None:
    """A message or hint argument as text, ``{}`` for each interpolation; None if not text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text_of(node.left), _text_of(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Call | ast.IfExp | ast.Name):  # one_line(error), a variable
        return "{}"
    return None


@dataclass(frozen=True)
class Site:
    """One place in the package that constructs an error for the CLI to report."""

    where: str  # module.function
    message: str | None
    hint: str | None
    nth: int = 1  # the nth site in ``where`` that reads the same

    @property
    def key(self) -> str:
        words = (self.message or "?").split()
        while len(words) > 1 and len(" ".join(words)) > 48:  # whole words, for a readable id
            words.pop()
        return f"{self.where}: {' '.join(words)}" + (f" #{self.nth}" if self.nth > 1 else "")


class _SiteFinder(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.scope: list[str] = []
        self.sites: list[Site] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in ERROR_TYPES:
            arguments = {**dict(enumerate(node.args)), **{kw.arg: kw.value for kw in node.keywords}}
            message = arguments.get(0, arguments.get("message"))
            hint = arguments.get(1, arguments.get("hint"))
            site = Site(".".join([self.module, *self.scope]), _text_of(message), _text_of(hint))
            while site.key in {seen.key for seen in self.sites}:
                site = Site(site.where, site.message, site.hint, site.nth + 1)
            self.sites.append(site)
        self.generic_visit(node)


def error_sites() -> list[Site]:
    sites = []
    for path in sorted(PACKAGE.glob("*.py")):
        finder = _SiteFinder(path.stem)
        finder.visit(ast.parse(path.read_text(encoding="utf-8")))
        sites += finder.sites
    return sites


SITES = error_sites()


def test_error_sites_are_found() -> None:
    """The enumeration itself: it must see the sites of every module that reports errors."""
    modules = {site.where.split(".")[0] for site in SITES}
    assert {"answers", "cli", "operations", "template_source", "updating"} <= modules
    assert len({site.key for site in SITES}) == len(SITES), "two sites read the same"


@pytest.mark.parametrize("site", [pytest.param(site, id=site.key) for site in SITES])
def test_every_error_site_says_what_and_what_to_do(site: Site) -> None:
    assert site.message, "the message must be text the reader can follow"
    assert site.hint, "every error needs a hint: what to do about it"
    for text in (site.message, site.hint):
        assert "\n" not in text, "one line each"
        assert not text.endswith("."), "messages and hints are not sentences with a full stop"


# --- reaching every site through the CLI ------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A way to reach ``sites`` through the CLI: ``arrange`` sets the scene in a temporary
    directory (with pytest's monkeypatch) and returns the command line."""

    sites: tuple[str, ...]
    arrange: Callable[[Path, pytest.MonkeyPatch], list[str]]
    exit_code: int
    words: str  # must appear in the error line
    hint_words: str = ""
    before: int = 0  # lines the command prints before the error (an update's report)


def _new(*args: str) -> Callable[[Path, pytest.MonkeyPatch], list[str]]:
    def arrange(tmp: Path, _: pytest.MonkeyPatch) -> list[str]:
        return ["new", str(tmp / "repo"), "--defaults", "--vcs-ref", "HEAD", *args]

    return arrange


def _occupied(kind: str) -> Callable[[Path, pytest.MonkeyPatch], list[str]]:
    def arrange(tmp: Path, _: pytest.MonkeyPatch) -> list[str]:
        dest = tmp / "repo"
        if kind == "file":
            dest.write_text("mine\n", encoding="utf-8")
        elif kind == "dir":
            dest.mkdir()
            (dest / "notes.txt").write_text("mine\n", encoding="utf-8")
        else:
            dest.symlink_to(tmp / "nowhere")
        return ["new", str(dest), "--defaults", "--vcs-ref", "HEAD"]

    return arrange


def _copier_raises(error: BaseException) -> Callable[[Path, pytest.MonkeyPatch], list[str]]:
    """`new` with copier failing (or interrupted) while it renders."""

    def arrange(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        def run_copy(*_: Any, **__: Any) -> None:
            raise error

        monkeypatch.setattr(operations, "render_into_scratch", run_copy)
        return _new()(tmp, monkeypatch)

    return arrange


def _fake_run_copy(trees: dict[str | None, dict[str, str]]) -> Callable[..., None]:
    """A stand-in for copier.run_copy that writes ``trees[vcs_ref]`` (path -> text) and an
    answers file recording that version: the update's merge logic without real renders."""

    def run_copy(src_path: str, dst_path: Path, data: dict[str, Any], **kwargs: Any) -> None:
        ref = kwargs.get("vcs_ref")
        Path(dst_path).mkdir(parents=True)
        for name, text in {**trees[ref], ANSWERS_FILE: f"_commit: {ref or 'v2'}\n"}.items():
            (Path(dst_path) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(dst_path) / name).write_text(text, encoding="utf-8")
        answers = "".join(f"{key}: {value}\n" for key, value in data.items())
        with (Path(dst_path) / ANSWERS_FILE).open("a", encoding="utf-8") as file:
            file.write(f"_src_path: {src_path}\n{answers}")

    return run_copy


def _generated(
    tmp: Path, answers: str | None = None, *, commit: bool = True, readme: str = "# Repo\n"
) -> Path:
    """A small repo that looks generated from this checkout at version v1."""
    repo = tmp / "platform"
    repo.mkdir()
    (repo / "README.md").write_text(readme, encoding="utf-8")
    if answers is None:
        answers = f"_commit: v1\n_src_path: {TEMPLATE_ROOT}\n"
    (repo / ANSWERS_FILE).write_text(answers, encoding="utf-8")
    if commit:
        commit_all(repo, "Start from goldenpath")
    else:
        git(repo, "init", "-q")
    return repo


def _update(
    answers: str | None = None,
    *,
    commit: bool = True,
    then: Callable[[Path, pytest.MonkeyPatch], None] | None = None,
) -> Callable[[Path, pytest.MonkeyPatch], list[str]]:
    def arrange(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        for variable, value in GIT_IDENTITY.items():
            monkeypatch.setenv(variable, value)
        repo = _generated(tmp, answers, commit=commit)
        if then is not None:
            then(repo, monkeypatch)
        return ["update", str(repo)]

    return arrange


def _dirty(repo: Path, _: pytest.MonkeyPatch) -> None:
    (repo / "README.md").write_text("uncommitted\n", encoding="utf-8")


def _moved_source(repo: Path, _: pytest.MonkeyPatch) -> None:
    answers = repo / ANSWERS_FILE
    answers.write_text(
        answers.read_text(encoding="utf-8").replace(str(TEMPLATE_ROOT), "/somewhere/else"),
        encoding="utf-8",
    )
    git(repo, "commit", "-q", "-am", "point the template elsewhere")


def _render_raises(error: BaseException) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def then(_: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        def run_copy(*_: Any, **__: Any) -> None:
            raise error

        monkeypatch.setattr(updating, "render_into_scratch", run_copy)

    return then


def _template_writes_over_untracked(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "NOTES.md").write_text("# my notes, not in git\n", encoding="utf-8")
    trees = {"v1": {"README.md": "# Repo\n"}, None: {"README.md": "# Repo\n", "NOTES.md": "x\n"}}
    monkeypatch.setattr(updating, "render_into_scratch", _fake_run_copy(trees))


def _both_edit_the_readme(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "README.md").write_text("# Our repo\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "our title")
    trees = {"v1": {"README.md": "# Repo\n"}, None: {"README.md": "# Their repo\n"}}
    monkeypatch.setattr(updating, "render_into_scratch", _fake_run_copy(trees))


def _no_checkout(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An installed wheel: no git checkout around the package, no GOLDENPATH_TEMPLATE."""
    monkeypatch.delenv(template_source.TEMPLATE_ENV_VAR, raising=False)
    monkeypatch.setattr(template_source, "_CHECKOUT", tmp / "site-packages")
    return ["modules"]


def _not_goldenpath(tmp: Path, _: pytest.MonkeyPatch) -> list[str]:
    other = tmp / "other"
    other.mkdir()
    (other / "copier.yml").write_text("name: {type: str, default: x}\n", encoding="utf-8")
    return ["modules", "--template", str(other)]


def _broken_map(tmp: Path, _: pytest.MonkeyPatch) -> list[str]:
    broken = tmp / "broken"
    (broken / "extensions").mkdir(parents=True)
    (broken / "copier.yml").write_text("name: {type: str, default: x}\n", encoding="utf-8")
    loader = TEMPLATE_ROOT / "extensions" / "module_map.py"
    (broken / "extensions" / "module_map.py").write_text(
        loader.read_text(encoding="utf-8"), encoding="utf-8"
    )
    (broken / "modules.yml").write_text("modules: 42\n", encoding="utf-8")
    return ["modules", "--template", str(broken)]


def _interrupted_while_reading(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    def open_template(*_: Any, **__: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "open_template", open_template)
    return ["modules"]


def _move_fails(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    fake = _fake_run_copy({"HEAD": {"a.txt": "a\n"}})
    monkeypatch.setattr(operations, "render_into_scratch", fake)

    def move_into(*_: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(operations, "_move_into", move_into)
    return _new()(tmp, monkeypatch)


# A repo's answers as `add service` needs them: what a service shares with its repo.
SERVICE_READY_ANSWERS = (
    f"_commit: v1\n_src_path: {TEMPLATE_ROOT}\nproject_slug: acme\norganization: acme\n"
    "owner_team: platform\npython_version: '3.12'\n"
)


def _commit_files(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the repo's own files")


def _fake_service_render(files: dict[str, str]) -> Callable[..., None]:
    """A stand-in for the service template's render: ``files`` and the answers file."""

    def render(_: str, dst_path: Path, data: dict[str, Any], **kwargs: Any) -> None:
        answers = "".join(f"{key}: {value}\n" for key, value in data.items())
        for name, text in {**files, kwargs["answers_file"]: f"_commit: v1\n{answers}"}.items():
            (Path(dst_path) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(dst_path) / name).write_text(text, encoding="utf-8")

    return render


ORDERS_SERVICE = {
    "services/orders/README.md": "# orders\n",
    "libs/shared-contracts/openapi/orders.json": "{}\n",
}


def _add_service(
    answers: str | None = SERVICE_READY_ANSWERS,
    *,
    files: dict[str, str] | None = None,
    then: Callable[[Path, pytest.MonkeyPatch], None] | None = None,
) -> Callable[[Path, pytest.MonkeyPatch], list[str]]:
    """`add service orders` in a small generated repo with ``files`` committed; ``then``
    prepares the rest (by default the service template renders ORDERS_SERVICE)."""

    def arrange(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        for variable, value in GIT_IDENTITY.items():
            monkeypatch.setenv(variable, value)
        repo = _generated(tmp, answers)
        if files:
            _commit_files(repo, files)
        monkeypatch.setattr(adding, "render_into_scratch", _fake_service_render(ORDERS_SERVICE))
        if then is not None:
            then(repo, monkeypatch)
        return ["add", "service", "orders", "--repo", str(repo)]

    return arrange


def _renders_a_whole_repo(_: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A template version from before service-template/: any answers file, a whole repo."""
    monkeypatch.setattr(adding, "render_into_scratch", _fake_run_copy({"v1": {"a.txt": "a\n"}}))


def _update_service(
    name: str, files: dict[str, str] | None = None
) -> Callable[[Path, pytest.MonkeyPatch], list[str]]:
    """`update --service NAME` in the repo `_add_service` sets up."""

    def arrange(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        repo = _add_service(files=files)(tmp, monkeypatch)[-1]
        return ["update", repo, "--service", name]

    return arrange


def _diff(
    answers: str | None = None, *, then: Callable[[Path, pytest.MonkeyPatch], None] | None = None
) -> Callable[[Path, pytest.MonkeyPatch], list[str]]:
    """`diff` in the repo `_update` sets up."""

    def arrange(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        return ["diff", _update(answers, then=then)(tmp, monkeypatch)[1]]

    return arrange


def _diff_render_raises(error: BaseException) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def then(_: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        def render(*_: Any, **__: Any) -> None:
            raise error

        monkeypatch.setattr(fleet, "render_into_scratch", render)

    return then


CASES = {
    "new-set-not-key-value": Case(
        ("answers.parse_assignments: --set {} is not KEY=VALUE",),
        _new("--set", "no-equals-sign"),
        EXIT_BAD_INPUT,
        "is not KEY=VALUE",
    ),
    "new-set-unknown-question": Case(
        ("answers.parse_assignments: --set {}: unknown question {}",),
        _new("--set", "colour=blue"),
        EXIT_BAD_INPUT,
        "unknown question 'colour'",
        "allowed questions: project_name",
    ),
    "new-set-switch-not-boolean": Case(
        ("answers.parse_assignments: --set {}={}: {} is a switch",),
        _new("--set", "gateway=maybe"),
        EXIT_BAD_INPUT,
        "gateway is a switch",
        "--set gateway=true",
    ),
    "new-unknown-preset": Case(
        ("answers.module_switches: --preset {}: unknown preset",),
        _new("--preset", "everything"),
        EXIT_BAD_INPUT,
        "unknown preset",
        "allowed presets: minimal",
    ),
    "new-unknown-module": Case(
        ("answers.module_switches: --with {}: unknown module",),
        _new("--with", "blockchain"),
        EXIT_BAD_INPUT,
        "unknown module",
        "goldenpath modules",
    ),
    "new-dest-dangling-symlink": Case(
        ("operations.check_destination_is_free: destination {} is a symlink to {}, which does",),
        _occupied("symlink"),
        EXIT_BAD_INPUT,
        "which does not exist",
    ),
    "new-dest-is-file": Case(
        ("operations.check_destination_is_free: destination {} is a file",),
        _occupied("file"),
        EXIT_BAD_INPUT,
        "is a file",
    ),
    "new-dest-not-empty": Case(
        ("operations.check_destination_is_free: destination {} exists and is not empty",),
        _occupied("dir"),
        EXIT_BAD_INPUT,
        "is not empty",
        "goldenpath update",
    ),
    "new-bad-answer": Case(
        ("operations._translate: {}",),
        _new("--set", "project_name=acme/x"),
        EXIT_BAD_INPUT,
        "project_name",
    ),
    "new-interrupted-while-rendering": Case(
        ("operations._translate: interrupted",),
        _copier_raises(KeyboardInterrupt()),
        EXIT_INTERRUPTED,
        "interrupted",
        "nothing was written",
    ),
    "new-template-refuses": Case(
        ("operations._translate: {} #2",),
        _copier_raises(UserMessageError("This template requires Copier >= 99.0\n\nUpgrade.")),
        EXIT_FAILED,
        "requires Copier >= 99.0 Upgrade.",
        "nothing was written",
    ),
    "new-render-crashes": Case(
        ("operations._translate: the template failed to render: {}: {}",),
        _copier_raises(RuntimeError("boom\nat line 3")),
        EXIT_FAILED,
        "RuntimeError: boom at line 3",
        "nothing was written",
    ),
    "new-move-into-place-fails": Case(
        ("operations.generate: cannot move the generated repo into {}: {}",),
        _move_fails,
        EXIT_FAILED,
        "No space left on device",
        "nothing was written",
    ),
    "modules-no-template-source": Case(
        ("template_source.default_source: no template source: goldenpath is not running",),
        _no_checkout,
        EXIT_BAD_INPUT,
        "no template source",
        "GOLDENPATH_TEMPLATE",
    ),
    "modules-template-missing": Case(
        ("template_source.open_template: cannot read template {}{}: {}",),
        lambda tmp, _: ["modules", "--template", str(tmp / "missing")],
        EXIT_BAD_INPUT,
        "cannot read template",
    ),
    "modules-not-goldenpath": Case(
        ("template_source.open_template: {} is not a goldenpath template (no",),
        _not_goldenpath,
        EXIT_BAD_INPUT,
        "not a goldenpath template",
    ),
    "modules-broken-module-map": Case(
        ("template_source.open_template: template {}{} has a broken module map: {}: {}",),
        _broken_map,
        EXIT_BAD_INPUT,
        "broken module map",
    ),
    "modules-interrupted": Case(
        ("cli._run: interrupted",),
        _interrupted_while_reading,
        EXIT_INTERRUPTED,
        "interrupted",
        "nothing was written",
    ),
    "update-no-answers-file": Case(
        ("updating.committed_answers: {} has no {}: it was not generated by goldenpath",),
        lambda tmp, _: ["update", str(tmp)],
        EXIT_BAD_INPUT,
        f"has no {ANSWERS_FILE}",
    ),
    "update-answers-not-committed": Case(
        ("updating.committed_answers: {} is not committed",),
        _update(commit=False),
        EXIT_BAD_INPUT,
        "is not committed",
        "commit the generated repo first",
    ),
    "update-answers-not-yaml": Case(
        ("updating._load_answers: {} is not valid YAML: {}",),
        _update("_src_path: [unclosed\n"),
        EXIT_BAD_INPUT,
        "is not valid YAML",
    ),
    "update-no-source-recorded": Case(
        ("updating.check_source: {} does not record the template source",),
        _update("_commit: v1\n"),
        EXIT_BAD_INPUT,
        "_src_path",
    ),
    "update-source-changed": Case(
        ("updating.check_source: the answers file names template source {}, but",),
        _update(then=_moved_source),
        EXIT_BAD_INPUT,
        "'/somewhere/else'",
        "--accept-source",
    ),
    "update-no-version-recorded": Case(
        ("updating.update: {} does not record the template version",),
        _update(f"_src_path: {TEMPLATE_ROOT}\n"),
        EXIT_BAD_INPUT,
        "_commit",
    ),
    "update-dirty": Case(
        ("updating._refuse_dirty: {} is dirty: uncommitted changes in {}",),
        _update(then=_dirty),
        EXIT_FAILED,
        "is dirty: uncommitted changes in README.md",
        "commit or stash",
    ),
    "update-bad-answer": Case(
        ("updating._render: {}",),
        _update(then=_render_raises(ValueError("Validation error for 'project_name': empty"))),
        EXIT_BAD_INPUT,
        "Validation error for 'project_name'",
        "--set QUESTION=VALUE",
    ),
    "update-render-crashes": Case(
        ("updating._render: cannot render template {} at {}: {}: {}",),
        _update(then=_render_raises(RuntimeError("old version\nis broken"))),
        EXIT_FAILED,
        "RuntimeError: old version is broken",
        "nothing was changed",
    ),
    "update-interrupted": Case(
        ("cli._run: interrupted",),
        _update(then=_render_raises(KeyboardInterrupt())),
        EXIT_INTERRUPTED,
        "interrupted",
        "git status",
    ),
    "update-untracked-file-in-the-way": Case(
        ("updating.update: the new template version writes paths that hold",),
        _update(then=_template_writes_over_untracked),
        EXIT_BAD_INPUT,
        "untracked or ignored files: NOTES.md; nothing was changed",
        "move them aside",
    ),
    "update-conflict": Case(
        ("cli.update_command.action: {} file(s) have conflicts: {}",),
        _update(then=_both_edit_the_readme),
        EXIT_CONFLICTS,
        "1 file(s) have conflicts: README.md",
        "resolve each",
        before=2,  # "Updated ...: template v1 -> v2." and "  conflict: README.md: ..."
    ),
    "add-service-repo-missing": Case(
        ("adding.check_repo: {} is not a directory",),
        lambda tmp, _: ["add", "service", "orders", "--repo", str(tmp / "missing")],
        EXIT_BAD_INPUT,
        "is not a directory",
        "generated repo's path",
    ),
    "add-service-not-a-goldenpath-repo": Case(
        ("adding.check_repo: {} is not a goldenpath repo (no {})",),
        lambda tmp, _: ["add", "service", "orders", "--repo", str(tmp)],
        EXIT_BAD_INPUT,
        f"is not a goldenpath repo (no {ANSWERS_FILE})",
        "goldenpath new",
    ),
    "add-service-answers-lack-shared": Case(
        ("adding.check_repo: {} lacks {}: not a goldenpath repo's answers",),
        _add_service(answers=None),  # _commit and _src_path only
        EXIT_BAD_INPUT,
        "lacks project_slug, organization, owner_team, python_version",
        "git history",
    ),
    "add-service-dirty": Case(
        ("adding._refuse_dirty: {} has uncommitted changes: {}",),
        _add_service(then=_dirty),
        EXIT_BAD_INPUT,
        "uncommitted changes: README.md",
        "commit or stash",
    ),
    "add-service-exists": Case(
        ("adding._exists: service {} exists already (services/{})",),
        _add_service(files={"services/orders/README.md": "# orders\n"}),
        EXIT_BAD_INPUT,
        "service 'orders' exists already",
        "goldenpath update --service orders",
    ),
    "add-service-would-overwrite": Case(
        ("adding.add_service: service {} would overwrite {}",),
        _add_service(files={"libs/shared-contracts/openapi/orders.json": "{}\n"}),
        EXIT_BAD_INPUT,
        "would overwrite libs/shared-contracts/openapi/orders.json",
        "choose another name",
    ),
    "add-service-no-service-template": Case(
        ("adding._render: template {} at {} has no service template",),
        _add_service(then=_renders_a_whole_repo),
        EXIT_FAILED,
        "at v1 has no service template",
        "goldenpath update",
    ),
    "add-service-cannot-write": Case(
        ("adding._move_in: cannot write the service into {}: {}",),
        # A file where the services/ directory goes: moving the first file in fails.
        _add_service(files={"services": "not a directory\n"}),
        EXIT_FAILED,
        "Not a directory",
        "nothing was written",
    ),
    "update-service-not-added": Case(
        ("adding.service_answers: service {} was not added with `goldenpath add",),
        _update_service("catalog"),
        EXIT_BAD_INPUT,
        "service 'catalog' was not added",
        "services that can be updated alone: none",
    ),
    "update-service-other-source": Case(
        ("adding.service_answers: {} names template source {}, the repo {}",),
        _update_service(
            "orders",
            {f"services/orders/{adding.SERVICE_ANSWERS_FILE}": "_src_path: /somewhere/else\n"},
        ),
        EXIT_BAD_INPUT,
        "names template source '/somewhere/else'",
        "git history",
    ),
    "diff-no-version-recorded": Case(
        ("fleet.diff: {} does not record the template version",),
        _diff(f"_src_path: {TEMPLATE_ROOT}\n"),
        EXIT_BAD_INPUT,
        "(_commit)",
        "git history",
    ),
    "diff-render-crashes": Case(
        ("fleet.diff: cannot render template {} at {}: {}: {}",),
        _diff(then=_diff_render_raises(RuntimeError("no such tag\nv1"))),
        EXIT_FAILED,
        "at v1: RuntimeError: no such tag v1",
        "version still exists",
    ),
}

# Sites a CLI run reaches only when git or Python itself fails, or that it reports other
# than as an error line (`outdated` lists a source it cannot read as a row of its table
# and goes on with the other repos); they are checked by calling them directly, with the
# CLI's own reporting (test_direct_error_is_one_line_plus_hint): (site, call, exit code).
DIRECT_CASES: dict[str, tuple[str, Callable[[Path], object], int]] = {
    "git-fails": (
        "updating._git: git {} failed in {}: {}",
        lambda tmp: updating._git(tmp / "not-a-repo", "log", "--oneline"),
        EXIT_FAILED,
    ),
    "module-map-not-python": (
        "template_source._load_by_path: cannot load {}",
        lambda tmp: template_source._load_by_path(tmp / "module_map.yml", "not_python"),
        EXIT_FAILED,
    ),
    "outdated-source-unreadable": (
        "fleet.remote_releases: cannot read template source {}: {}",
        lambda tmp: fleet.remote_releases(str(tmp / "gone")),
        EXIT_FAILED,
    ),
    "outdated-source-is-an-option": (
        "fleet.remote_releases: template source {} is not a git URL or path",
        lambda tmp: fleet.remote_releases("--upload-pack=touch pwned"),
        EXIT_BAD_INPUT,
    ),
}


def test_every_error_site_has_a_case() -> None:
    covered = {site for case in CASES.values() for site in case.sites}
    covered |= {site for site, _, _ in DIRECT_CASES.values()}
    keys = {site.key for site in SITES}
    assert sorted(covered - keys) == [], "cases name sites that no longer exist"
    assert sorted(keys - covered) == [], "error sites without a case in this file"


def _assert_error_lines(output: str, before: int, words: str, hint_words: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == before + 2, output
    error, hint = lines[before:]
    assert error.startswith("error: "), output
    assert hint.startswith("hint: "), output
    assert len(error) > len("error: ") + 3
    assert len(hint) > len("hint: ") + 3
    assert words in error, output
    assert hint_words in hint, output


@pytest.mark.parametrize("name", list(CASES))
def test_error_is_one_line_plus_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    case = CASES[name]
    args = case.arrange(tmp_path, monkeypatch)
    repo = Path(args[-1]) if args[:2] == ["add", "service"] else None
    before = git(repo, "status", "--porcelain") if repo and (repo / ".git").is_dir() else None
    # Wide enough for every message: a wrapped line would read as two.
    result = runner.invoke(cli.app, args, env={"COLUMNS": "400"})
    assert result.exit_code == case.exit_code, result.output
    _assert_error_lines(result.output, case.before, case.words, case.hint_words)
    if repo is not None and before is not None:
        assert git(repo, "status", "--porcelain") == before, "a refused `add` writes nothing"
    if args[0] == "new" and case.exit_code != 0:
        dest = Path(args[1])
        assert (
            not dest.exists()
            or dest.is_symlink()
            or dest.is_file()
            or [path.name for path in dest.iterdir()] == ["notes.txt"]
        ), "a failed `new` leaves the destination as it was"


@pytest.mark.parametrize("name", list(DIRECT_CASES))
def test_direct_error_is_one_line_plus_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    _, action, exit_code = DIRECT_CASES[name]
    with pytest.raises(typer.Exit) as exited:
        cli._run(lambda: action(tmp_path))
    assert exited.value.exit_code == exit_code
    _assert_error_lines(capsys.readouterr().err, 0, "", "")
