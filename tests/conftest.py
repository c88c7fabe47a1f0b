"""Shared fixtures: the template's own extensions, the module matrix, cached renders."""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import json
import os
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
ANSWERS_FILE = ".copier-answers.yml"


def load_module(path: Path, key: str) -> ModuleType:
    """Import the Python file at ``path`` as module ``key`` (once): the extensions are
    files copier loads by path, not installed packages."""
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        # A half-run module left behind would be returned by the next call, and its
        # missing names would surface as a misleading AttributeError far from the cause.
        del sys.modules[key]
        raise
    return module


# The generated repo's `ops` package. Its sources are verbatim template files (no
# `.jinja`), so every render holds exactly these; the feature-flags group is the only
# part a render may leave out.
OPS_SOURCE = TEMPLATE_ROOT / "template" / "tools" / "ops" / "src"


def generated_ops(name: str) -> ModuleType:
    """``ops.<name>`` of the generated repo, imported from the template's sources (its
    core dependencies, click, pydantic and PyYAML, are in this environment)."""
    if str(OPS_SOURCE) not in sys.path:
        sys.path.append(str(OPS_SOURCE))
    return importlib.import_module(f"ops.{name}")


def ops_command(repo: Path, *args: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that run a rendered repo's own ``ops`` from its
    sources with this interpreter, as ``python -m ops ARGS``."""
    env = {**os.environ, "PYTHONPATH": str(repo / "tools" / "ops" / "src")}
    return [sys.executable, "-m", "ops", *args], env


def load_extension(name: str) -> ModuleType:
    """Import extensions/<name>.py by path, the way copier loads it."""
    return load_module(
        TEMPLATE_ROOT / "extensions" / f"{name}.py", f"goldenpath_test_extension_{name}"
    )


naming = load_extension("naming")
module_map = load_extension("module_map")
MODULE_MAP = module_map.load()
MODULE_IDS: tuple[str, ...] = MODULE_MAP.ids


def all_combinations() -> list[frozenset[str]]:
    """Every on/off combination of the modules (2**4 = 16)."""
    return [
        frozenset(combo)
        for size in range(len(MODULE_IDS) + 1)
        for combo in itertools.combinations(MODULE_IDS, size)
    ]


def combination_id(combo: frozenset[str]) -> str:
    """A readable test id: ``none``, ``gateway+ml``, ``all``."""
    if not combo:
        return "none"
    if len(combo) == len(MODULE_IDS):
        return "all"
    return "+".join(module for module in MODULE_IDS if module in combo)


def module_answers(combo: frozenset[str]) -> dict[str, bool]:
    return {module: module in combo for module in MODULE_IDS}


COMBINATIONS = all_combinations()


def combination_params() -> list[Any]:
    """pytest params for the matrix; each combination is one xdist group so it renders once."""
    return [
        pytest.param(
            combo, id=combination_id(combo), marks=pytest.mark.xdist_group(combination_id(combo))
        )
        for combo in COMBINATIONS
    ]


# One answer set with every free-form answer the deploy validators read moved off its
# default, and every module on: the Kubernetes, Argo, Terraform and delivery tests run on
# it as on the 16 combinations, so nothing they check holds only for `catalog`, `main`,
# us-east-1 or platform-team.
NON_DEFAULT_ID = "non-default"
NON_DEFAULT_ANSWERS: dict[str, Any] = {
    "project_name": "Harbor Freight Platform",
    "organization": "harbor-freight",
    "owner_team": "freight-sre",
    "default_branch": "trunk",
    "aws_region": "eu-central-1",
    "first_service": "shipment-ledger",
    **module_answers(frozenset(MODULE_IDS)),
}


def answer_set_params() -> list[Any]:
    """pytest params (answers dicts) for the validators: the module matrix with default
    answers, and the non-default answer set. Each is one xdist group, named like the
    matrix's, so it renders once per session on the worker that shares it."""
    return [
        *(
            pytest.param(
                module_answers(combo),
                id=combination_id(combo),
                marks=pytest.mark.xdist_group(combination_id(combo)),
            )
            for combo in COMBINATIONS
        ),
        pytest.param(
            NON_DEFAULT_ANSWERS, id=NON_DEFAULT_ID, marks=pytest.mark.xdist_group(NON_DEFAULT_ID)
        ),
    ]


def rendered_answers(repo: Path) -> dict[str, Any]:
    """The answers a render recorded (defaults filled in): what a test expects names from."""
    answers: dict[str, Any] = yaml.safe_load((repo / ANSWERS_FILE).read_text(encoding="utf-8"))
    return answers


@pytest.fixture(scope="session")
def render(copie_session: Any) -> Callable[..., Path]:
    """Render the template (at the working tree, dirty changes included) once per answer set."""
    cache: dict[tuple[tuple[str, Any], ...], Path] = {}

    def _render(**answers: Any) -> Path:
        key = tuple(sorted(answers.items()))
        if key not in cache:
            result = copie_session.copy(extra_answers=answers)
            assert result.exception is None, result.exception
            assert result.exit_code == 0
            cache[key] = result.project_dir
        return cache[key]

    return _render


def text_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Every file of a rendered repo that decodes as UTF-8, with its text."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".git" not in path.relative_to(root).parts:
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def is_helm_template(path: Path) -> bool:
    """Helm chart templates are Go templates, not YAML, until helm renders them."""
    return "templates" in path.parts and "helm" in path.parts


def has_go_template_braces(path: Path) -> bool:
    """Files whose ``{{ }}`` belong to another engine, evaluated after copier: Helm chart
    templates, Argo CD ApplicationSets (goTemplate) and Argo Rollouts analysis templates
    (``{{args.name}}``)."""
    return (
        is_helm_template(path)
        or (path.parent.name == "argo" and path.name.endswith("applicationset.yaml"))
        or path.name == "analysistemplate.yaml"
    )


def parse_structured_files(root: Path) -> int:
    """Parse every YAML, TOML and JSON file under ``root``; return how many were parsed."""
    parsers: dict[str, Callable[[str], object]] = {
        ".yml": lambda text: list(yaml.safe_load_all(text)),
        ".yaml": lambda text: list(yaml.safe_load_all(text)),
        ".toml": tomllib.loads,
        ".json": json.loads,
    }
    parsed = 0
    for path, text in text_files(root):
        parser = parsers.get(path.suffix)
        if parser is None or is_helm_template(path):
            continue
        try:
            parser(text)
        except (ValueError, yaml.YAMLError) as error:  # TOML and JSON errors are ValueErrors
            raise AssertionError(f"{path.relative_to(root)} does not parse: {error}") from error
        parsed += 1
    return parsed
