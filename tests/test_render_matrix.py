"""Every one of the 16 module combinations renders a clean, parseable, consistent repo."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import (
    ANSWERS_FILE,
    MODULE_MAP,
    combination_params,
    has_go_template_braces,
    module_answers,
    module_map,
    parse_structured_files,
    text_files,
)

pytestmark = pytest.mark.parametrize("combo", combination_params())

# Jinja syntax that must never survive rendering. `{{` alone is legal in GitHub
# expressions (`${{ ... }}`), Helm templates and Python f-strings (where a leftover
# Jinja expression fails ruff anyway), so it is checked separately.
JINJA_RESIDUE = re.compile(r"\{%|%\}|\{#|#\}")
BARE_DOUBLE_BRACE = re.compile(r"(?<!\$)\{\{")
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _repo(render: Callable[..., Path], combo: frozenset[str]) -> Path:
    return render(**module_answers(combo))


def test_module_files_follow_switches(render: Callable[..., Path], combo: frozenset[str]) -> None:
    repo = _repo(render, combo)
    names = {"first_service": "catalog", "domain_package": "catalog_service"}  # the defaults
    for module in MODULE_MAP.modules:
        for path in (module_map.fill_placeholders(raw, names) for raw in module.paths):
            if module.id in combo:
                assert (repo / path).exists(), f"{module.id} is on but {path} is missing"
            else:
                assert not (repo / path).exists(), f"{module.id} is off but {path} exists"


def test_no_empty_directories(render: Callable[..., Path], combo: frozenset[str]) -> None:
    repo = _repo(render, combo)
    empty = [
        str(path.relative_to(repo))
        for path in repo.rglob("*")
        if path.is_dir() and ".git" not in path.parts and not any(path.iterdir())
    ]
    assert not empty, f"empty directories left behind: {empty}"


def test_disabled_modules_leave_no_mention(
    render: Callable[..., Path], combo: frozenset[str]
) -> None:
    repo = _repo(render, combo)
    off = [module for module in MODULE_MAP.modules if module.id not in combo]
    findings = []
    for path, text in text_files(repo):
        if path.name == ANSWERS_FILE:  # it records every answer, switches included
            continue
        lowered = text.lower()
        findings += [
            f"{path.relative_to(repo)} mentions {word!r} ({module.id} is off)"
            for module in off
            for word in module.mentions
            if word in lowered
        ]
    assert not findings, "\n".join(findings)


def test_no_unrendered_jinja(render: Callable[..., Path], combo: frozenset[str]) -> None:
    repo = _repo(render, combo)
    assert not list(repo.rglob("*.jinja")), "template suffix left on a file"
    findings = []
    for path, text in text_files(repo):
        relative = path.relative_to(repo)
        if JINJA_RESIDUE.search(text) or "{{" in str(relative):
            findings.append(str(relative))
        elif (
            BARE_DOUBLE_BRACE.search(text)
            and not has_go_template_braces(path)
            and path.suffix != ".py"
        ):
            findings.append(f"{relative} (bare '{{{{')")
    assert not findings, "Jinja residue in: " + ", ".join(findings)


def test_markdown_links_resolve(render: Callable[..., Path], combo: frozenset[str]) -> None:
    """A relative link never points at a file that is not there (a switched-off module's)."""
    repo = _repo(render, combo)
    broken = []
    for path, text in text_files(repo):
        if path.suffix != ".md":
            continue
        for target in MARKDOWN_LINK.findall(text):
            if target.startswith(("http://", "https://", "mailto:", "#")):
                continue
            if not (path.parent / target.split("#")[0]).exists():
                broken.append(f"{path.relative_to(repo)} -> {target}")
    assert not broken, "\n".join(broken)


def test_structured_files_parse(render: Callable[..., Path], combo: frozenset[str]) -> None:
    assert parse_structured_files(_repo(render, combo)), "expected YAML/TOML/JSON files"


def test_text_files_are_tidy(render: Callable[..., Path], combo: frozenset[str]) -> None:
    """No stray blank lines or trailing spaces: output reads as if written by hand."""
    repo = _repo(render, combo)
    findings = []
    for path, text in text_files(repo):
        relative = path.relative_to(repo)
        if path.name == "LICENSE":  # legal text is kept exactly as published
            continue
        if text and not text.endswith("\n"):
            findings.append(f"{relative}: no final newline")
        if text.endswith("\n\n"):
            findings.append(f"{relative}: blank line at end of file")
        if text.startswith("\n"):
            findings.append(f"{relative}: blank line at start of file")
        # ruff format owns Python's spacing, and Alembic's revision template (.mako) is Python.
        if path.suffix not in {".py", ".mako"} and "\n\n\n" in text:
            findings.append(f"{relative}: two blank lines in a row")
        for number, line in enumerate(text.splitlines(), start=1):
            if line != line.rstrip():
                findings.append(f"{relative}:{number}: trailing whitespace")
    assert not findings, "\n".join(findings)


def test_python_passes_ruff(render: Callable[..., Path], combo: frozenset[str]) -> None:
    repo = _repo(render, combo)
    assert list(repo.rglob("*.py")), "expected Python files in the render"
    ruff = [sys.executable, "-m", "ruff"]
    check = subprocess.run(
        [*ruff, "check", "--no-cache", "."], cwd=repo, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = subprocess.run(
        [*ruff, "format", "--check", "--no-cache", "."], cwd=repo, capture_output=True, text=True
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
