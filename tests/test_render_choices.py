"""The choices table: Python version x license x an unusual first service name.

In the manner of cookiecutter-django's test matrix, every answer that picks from a list
(plus the free-form service name, which lands in paths and package names) is rendered
in a table that covers every pair of values (an L9 orthogonal array: nine renders, not
27), with the feature flags module on in three rows because it puts files inside the
domain service. Each render is checked fast: no Jinja left, YAML/TOML/JSON parse, the
Python version is the same everywhere it is written, the license is the one chosen,
the domain service and its package carry the chosen name, and ruff passes at the chosen
target version.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import (
    has_go_template_braces,
    module_answers,
    naming,
    parse_structured_files,
    text_files,
)

PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
LICENSES = ("Apache-2.0", "MIT", "Proprietary")
# Names a hand-written test would not think of: digits, many hyphens, the 30-character
# maximum. Each must still give a valid package (order_history_v2_service, ...).
SERVICE_NAMES = ("order-history-v2", "ledger2", "payments-reconciliation-batch1")
AUTHOR = "Ada Lovelace"
JINJA_RESIDUE = re.compile(r"\{%|%\}|\{#|#\}|(?<!\$)\{\{")
LICENSE_OPENINGS = {
    "Apache-2.0": "Apache License\n                           Version 2.0, January 2004",
    "MIT": f"MIT License\n\nCopyright (c) {AUTHOR}\n",
    "Proprietary": f"Copyright (c) {AUTHOR}. All rights reserved.\n",
}


@dataclass(frozen=True)
class Choice:
    python_version: str
    license: str
    first_service: str
    feature_flags: bool

    @property
    def id(self) -> str:
        flags = "+flags" if self.feature_flags else ""
        return f"py{self.python_version}-{self.license}-{self.first_service}{flags}"

    def answers(self) -> dict[str, Any]:
        modules = frozenset({"feature_flags"}) if self.feature_flags else frozenset()
        return {
            "python_version": self.python_version,
            "license": self.license,
            "first_service": self.first_service,
            "author_name": AUTHOR,
            **module_answers(modules),
        }


def choices_table() -> list[Choice]:
    """Rows (a, b) for a, b in 0..2, with the name at (a + b) % 3 and the flags module on
    where (a + 2b) % 3 == 0: every pair of any two columns' values appears."""
    return [
        Choice(
            PYTHON_VERSIONS[a],
            LICENSES[b],
            SERVICE_NAMES[(a + b) % 3],
            feature_flags=(a + 2 * b) % 3 == 0,
        )
        for a in range(3)
        for b in range(3)
    ]


CHOICES = choices_table()
# Each row is one xdist group, so that it renders once per session.
each_choice = pytest.mark.parametrize(
    "choice",
    [pytest.param(c, id=c.id, marks=pytest.mark.xdist_group(f"choices-{c.id}")) for c in CHOICES],
)


def test_the_table_covers_every_pair() -> None:
    pairs = {
        (column, value, other, other_value)
        for c in CHOICES
        for column, value in vars(c).items()
        for other, other_value in vars(c).items()
        if column < other
    }
    columns = {
        "python_version": PYTHON_VERSIONS,
        "license": LICENSES,
        "first_service": SERVICE_NAMES,
        "feature_flags": (False, True),
    }
    expected = {
        (column, value, other, other_value)
        for column, values in columns.items()
        for other, other_values in columns.items()
        if column < other
        for value in values
        for other_value in other_values
    }
    assert pairs == expected


@each_choice
def test_renders_without_jinja_residue(render: Callable[..., Path], choice: Choice) -> None:
    repo = render(**choice.answers())
    assert not list(repo.rglob("*.jinja")), "template suffix left on a file"
    residue = [
        str(path.relative_to(repo))
        for path, text in text_files(repo)
        if "{{" in str(path.relative_to(repo))
        or (
            JINJA_RESIDUE.search(text) and not has_go_template_braces(path) and path.suffix != ".py"
        )
    ]
    assert not residue, residue
    assert parse_structured_files(repo)


@each_choice
def test_python_version_is_the_same_everywhere(render: Callable[..., Path], choice: Choice) -> None:
    repo = render(**choice.answers())
    version = choice.python_version
    root = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    assert root["project"]["requires-python"] == f">={version}"
    assert root["tool"]["ruff"]["target-version"] == f"py{version.replace('.', '')}"
    assert root["tool"]["mypy"]["python_version"] == version
    members = sorted(repo.glob("services/*/pyproject.toml")) + sorted(
        repo.glob("libs/*/pyproject.toml")
    )
    assert len(members) >= 5, members
    for member in members:
        project = tomllib.loads(member.read_text(encoding="utf-8"))["project"]
        assert project["requires-python"] == f">={version}", member
    dockerfiles = sorted(repo.glob("services/*/Dockerfile"))
    assert dockerfiles
    for dockerfile in dockerfiles:
        images = re.findall(r"^FROM (\S+)", dockerfile.read_text(encoding="utf-8"), re.MULTILINE)
        assert images, dockerfile
        assert all(image == f"python:{version}-slim" for image in images), (dockerfile, images)
    setup = yaml.safe_load((repo / "ci/templates/setup-workspace/action.yml").read_text())
    python_steps = [
        step for step in setup["runs"]["steps"] if "python-version" in step.get("with", {})
    ]
    assert [step["with"]["python-version"] for step in python_steps] == [version]
    devcontainer = (repo / ".devcontainer/devcontainer.json").read_text(encoding="utf-8")
    assert f"python:1-{version}-bookworm" in devcontainer


@each_choice
def test_license_is_the_one_chosen(render: Callable[..., Path], choice: Choice) -> None:
    repo = render(**choice.answers())
    text = (repo / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith(LICENSE_OPENINGS[choice.license].lstrip())
    for other, opening in LICENSE_OPENINGS.items():
        if other != choice.license:
            assert opening.strip().splitlines()[0] not in text, other
    readme = (repo / "README.md").read_text(encoding="utf-8")
    license_section = readme[readme.index("## License") :]
    if choice.license == "Proprietary":
        assert "proprietary" in license_section.lower()
    else:
        assert {"Apache-2.0": "Apache License 2.0", "MIT": "MIT License"}[choice.license] in (
            license_section
        )


@each_choice
def test_domain_service_carries_the_name(render: Callable[..., Path], choice: Choice) -> None:
    repo = render(**choice.answers())
    name = choice.first_service
    package = f"{naming.snake(name)}_service"
    service = repo / "services" / name
    assert (service / "src" / package / "__init__.py").is_file()
    assert (service / "src" / package / "__main__.py").is_file()
    project = tomllib.loads((service / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == f"{name}-service"
    entities = list(yaml.safe_load_all((service / "catalog-info.yaml").read_text(encoding="utf-8")))
    assert {entity["kind"]: entity["metadata"]["name"] for entity in entities}["Component"] == name
    assert (service / "tests" / "test_feature_flags.py").exists() == choice.feature_flags
    assert (service / "src" / package / "api" / "features.py").exists() == choice.feature_flags
    # Nothing that wires the service up still points at the default name (test fixtures
    # and the libraries' documentation use it as a sample name on purpose).
    leftovers = [
        str(relative)
        for path, text in text_files(repo)
        if "tests" not in (relative := path.relative_to(repo)).parts
        and relative.parts[0] != "libs"
        and ("catalog_service" in text or "services/catalog/" in text)
    ]
    assert not leftovers, leftovers


@each_choice
def test_python_passes_ruff_at_the_chosen_target(
    render: Callable[..., Path], choice: Choice
) -> None:
    """ruff reads target-version from the render's pyproject: pyupgrade rules and syntax
    checks then hold the code to the chosen version."""
    repo = render(**choice.answers())
    check = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
