"""The goldenpath CLI through Typer's test runner."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from goldenpath.cli import app
from tests.conftest import ANSWERS_FILE, MODULE_IDS, MODULE_MAP, TEMPLATE_ROOT
from tools.scratch import commit_all, git, snapshot_template

runner = CliRunner()


def _tree(root: Path) -> dict[str, bytes]:
    """Every file's bytes; the answers file without `_commit`, which differs between two
    renders of a dirty checkout (copier commits the changes in each temporary clone)."""
    tree = {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
    answers = tree[ANSWERS_FILE].decode().splitlines(keepends=True)
    tree[ANSWERS_FILE] = "".join(
        line for line in answers if not line.startswith("_commit:")
    ).encode()
    return tree


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param([], ["new", "update", "modules", "outdated", "diff", "Exit codes"], id="app"),
        pytest.param(
            ["new"],
            ["--preset", "--with", "--set", "--defaults", "--template", "--vcs-ref", "Examples"],
            id="new",
        ),
        pytest.param(["update"], ["3-way merge", "--set", "--vcs-ref", "Examples"], id="update"),
        pytest.param(["modules"], ["--json", "--template", "Examples"], id="modules"),
        pytest.param(["outdated"], ["--json", "Exit codes", "Examples"], id="outdated"),
        pytest.param(["diff"], ["--json", "--stat", "--accept-source", "Examples"], id="diff"),
    ],
)
def test_help_everywhere(args: list[str], expected: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for word in expected:
        assert word in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("goldenpath ")


def test_modules_table_lists_every_module() -> None:
    result = runner.invoke(app, ["modules", "--vcs-ref", "HEAD"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    for module in MODULE_MAP.modules:
        row = next(line for line in lines if line.startswith(f"│ {module.id} "))
        assert f"#{module.roadmap}" in row
        assert module.status in row
        for path in module.paths:
            assert f"    {path}" in lines
    assert "full (gateway feature_flags ml edge)" in result.output


def test_docs_name_only_commands_that_exist() -> None:
    """README, docs, questions and the generated tree may only tell users to run a real
    command (the CHANGELOG is history and may name what was removed)."""
    commands = set(typer.main.get_group(app).commands)
    sources = [
        TEMPLATE_ROOT / "README.md",
        TEMPLATE_ROOT / "copier.yml",
        TEMPLATE_ROOT / "modules.yml",
    ]
    sources += [path for path in (TEMPLATE_ROOT / "docs").rglob("*") if path.is_file()]
    sources += [path for path in (TEMPLATE_ROOT / "template").rglob("*") if path.is_file()]
    sources += [path for path in (TEMPLATE_ROOT / "service-template").rglob("*") if path.is_file()]
    unknown = []
    for path in sources:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for command in re.findall(r"\bgoldenpath\s+([a-z][a-z-]*)`", text) + re.findall(
            r"`goldenpath\s+([a-z][a-z-]*)", text
        ):
            if command not in commands:
                unknown.append(f"{path.relative_to(TEMPLATE_ROOT)}: goldenpath {command}")
    assert not unknown, "\n".join(unknown)


def test_modules_json_is_the_module_map() -> None:
    result = runner.invoke(app, ["modules", "--json", "--vcs-ref", "HEAD"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert tuple(printed) == MODULE_IDS
    for module in MODULE_MAP.modules:
        assert printed[module.id]["paths"] == list(module.paths)
        assert printed[module.id]["roadmap"] == module.roadmap
        assert printed[module.id]["status"] == module.status


@pytest.mark.parametrize(
    ("args", "enabled"),
    [
        pytest.param(["--preset", "minimal"], set(), id="preset-minimal"),
        pytest.param(["--preset", "full"], set(MODULE_IDS), id="preset-full"),
        pytest.param(
            ["--with", "ml", "--with", "feature-flags"], {"ml", "feature_flags"}, id="with-two"
        ),
        pytest.param(
            ["--preset", "full", "--set", "edge=false"],
            set(MODULE_IDS) - {"edge"},
            id="set-overrides-preset",
        ),
    ],
)
def test_new_switches_modules(tmp_path: Path, args: list[str], enabled: set[str]) -> None:
    dest = tmp_path / "repo"
    result = runner.invoke(
        app, ["new", str(dest), "--defaults", "--vcs-ref", "HEAD", *args], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "Generated" in result.output
    for module in MODULE_MAP.modules:
        assert (dest / module.paths[0]).exists() == (module.id in enabled), module.id


def test_new_into_empty_existing_directory(tmp_path: Path) -> None:
    dest = tmp_path / "repo"
    dest.mkdir()
    result = runner.invoke(app, ["new", str(dest), "--defaults", "--vcs-ref", "HEAD"])
    assert result.exit_code == 0, result.output
    assert (dest / "README.md").is_file()


def test_template_that_is_not_goldenpath_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "copier.yml").write_text("name: {type: str, default: x}\n")
    result = runner.invoke(
        app, ["new", str(tmp_path / "repo"), "--defaults", "--template", str(other)]
    )
    assert result.exit_code == 2, result.output
    assert "not a goldenpath template" in result.output


@pytest.mark.slow
def test_new_gives_the_same_repo_as_plain_copier(tmp_path: Path) -> None:
    answers = ["project_name=Same Result", "gateway=true", "ml=true"]
    via_cli = tmp_path / "cli"
    result = runner.invoke(
        app,
        [
            "new",
            str(via_cli),
            "--defaults",
            "--vcs-ref",
            "HEAD",
            *[arg for answer in answers for arg in ("--set", answer)],
        ],
    )
    assert result.exit_code == 0, result.output
    via_copier = tmp_path / "copier"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "copier",
            "copy",
            "--trust",
            "--defaults",
            "--quiet",
            "--vcs-ref",
            "HEAD",
            *[arg for answer in answers for arg in ("--data", answer)],
            str(TEMPLATE_ROOT),
            str(via_copier),
        ],
        check=True,
        capture_output=True,
    )
    assert _tree(via_cli) == _tree(via_copier)


BROKEN_TEMPLATES = {
    # tag: (files to write, exit code, words of the one-line error)
    "broken-config": ({"copier.yml": "project_name: [unclosed\n"}, 2, "cannot read template"),
    "broken-module-map": ({"modules.yml": "modules: 42\n"}, 2, "broken module map"),
    "broken-render": (
        {"template/zz-broken.txt.jinja": "{{ 1 // 0 }}\n"},
        1,
        "the template failed to render: ZeroDivisionError",
    ),
}


@pytest.fixture(scope="module")
def broken_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template repo tagged v1.0.0 (good) plus one tag per breakage."""
    repo = snapshot_template(tmp_path_factory.mktemp("broken") / "template", "v1.0.0")
    for tag, (files, _, _) in BROKEN_TEMPLATES.items():
        for name, text in files.items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(text, encoding="utf-8")
        commit_all(repo, tag, tag)
        git(repo, "reset", "-q", "--hard", "v1.0.0")
    return repo


@pytest.mark.parametrize("tag", [pytest.param(tag, id=tag) for tag in BROKEN_TEMPLATES])
def test_broken_template_gives_one_line_and_leaves_destination_empty(
    tmp_path: Path, broken_template: Path, tag: str
) -> None:
    _, exit_code, message = BROKEN_TEMPLATES[tag]
    dest = tmp_path / "repo"
    dest.mkdir()
    result = runner.invoke(
        app, ["new", str(dest), "--defaults", "--template", str(broken_template), "--vcs-ref", tag]
    )
    assert result.exit_code == exit_code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 2, result.output
    assert lines[0].startswith("error:")
    assert message in lines[0]
    assert lines[1].startswith("hint:")
    assert list(dest.iterdir()) == [], "a failed run must leave the destination as it was"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["repo"], "no scratch left"


@pytest.mark.slow
def test_failed_render_into_empty_directory_can_be_retried(
    tmp_path: Path, broken_template: Path
) -> None:
    """Renders twice: the failing version, then the good one into the same directory."""
    dest = tmp_path / "parent" / "repo"
    new = ["new", str(dest), "--defaults", "--template", str(broken_template)]
    failed = runner.invoke(app, [*new, "--vcs-ref", "broken-render"])
    assert failed.exit_code == 1, failed.output
    assert not (tmp_path / "parent").exists(), "directories the run created are removed"
    dest.mkdir(parents=True)
    retried = runner.invoke(app, [*new, "--vcs-ref", "v1.0.0"])
    assert retried.exit_code == 0, retried.output
    assert (dest / "README.md").is_file()
    assert (dest / ANSWERS_FILE).is_file()
    assert sorted(path.name for path in dest.parent.iterdir()) == ["repo"], "no scratch left"
