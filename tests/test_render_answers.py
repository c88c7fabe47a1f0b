"""Answers that YAML would re-type land as the strings given, in every generated YAML file.

Unquoted, YAML reads the branch ``1.10`` as the number 1.1, ``0123`` as 83, ``on`` as
true and ``null`` as nothing: CI would watch the wrong branch and Argo CD would deploy
another revision. The template quotes each answer where it is a whole YAML scalar
(the ``quoted`` filter); these tests render hostile answers and read every file back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ANSWERS_FILE, MODULE_IDS, is_helm_template, text_files

STR_TAG = "tag:yaml.org,2002:str"

# Each set is one render with every module on, so every YAML file the answers reach exists.
HOSTILE_ANSWER_SETS = [
    pytest.param(
        {
            "default_branch": "1.10",
            "organization": "0123",
            "owner_team": "null",
            "description": "on",
        },
        id="branch-1.10+org-0123+team-null+description-on",
    ),
    pytest.param(
        {
            "project_name": "0123",
            "project_slug": "octal-platform",
            "default_branch": "on",
            "owner_team": "0123",
            "organization": "null",
        },
        id="name-0123+branch-on+team-0123+org-null",
    ),
]


def _value_scalars(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    """Every scalar that is a value (mapping keys such as GitHub's ``on:`` are not answers)."""
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _value_scalars(item)
    elif isinstance(node, yaml.MappingNode):
        for _key, value in node.value:
            yield from _value_scalars(value)


def _yaml_files(repo: Path) -> Iterator[tuple[str, str]]:
    for path, text in text_files(repo):
        if path.suffix in {".yml", ".yaml"} and not is_helm_template(path):
            yield str(path.relative_to(repo)), text


def _render_all_modules(render: Callable[..., Path], answers: dict[str, str]) -> Path:
    return render(**answers, **dict.fromkeys(MODULE_IDS, True))


@pytest.mark.parametrize("answers", HOSTILE_ANSWER_SETS)
def test_every_yaml_scalar_holding_an_answer_is_that_string(
    render: Callable[..., Path], answers: dict[str, str]
) -> None:
    repo = _render_all_modules(render, answers)
    hostile = set(answers.values())
    found: dict[str, list[str]] = {value: [] for value in hostile}
    retyped: list[str] = []
    for name, text in _yaml_files(repo):
        for document in yaml.compose_all(text):
            if document is None:
                continue
            for scalar in _value_scalars(document):
                if scalar.value in hostile:
                    found[scalar.value].append(name)
                    if scalar.tag != STR_TAG:
                        line = scalar.start_mark.line + 1
                        retyped.append(f"{name}:{line}: {scalar.value!r} reads as {scalar.tag}")
    assert not retyped, "answers re-typed by YAML:\n" + "\n".join(retyped)
    assert found[answers["default_branch"]], "the branch must land in CI and Argo CD"
    assert found[answers["owner_team"]], "the owner team must land in Argo CD"


@pytest.mark.parametrize("answers", HOSTILE_ANSWER_SETS)
def test_answers_reach_ci_argo_catalog_and_codeowners_unchanged(
    render: Callable[..., Path], answers: dict[str, str]
) -> None:
    repo = _render_all_modules(render, answers)
    branch, team, org = answers["default_branch"], answers["owner_team"], answers["organization"]

    def load(name: str) -> Any:
        return yaml.safe_load((repo / name).read_text(encoding="utf-8"))

    for workflow in ("ci.yml", "codeql.yml", "terraform.yml", "zizmor.yml"):
        # PyYAML reads GitHub's `on:` key as the boolean true.
        triggers = load(f".github/workflows/{workflow}")[True]
        assert triggers["push"]["branches"] == [branch], workflow
    appset = load("infra/argo/applicationset.yaml")["spec"]
    assert appset["template"]["spec"]["source"]["targetRevision"] == branch
    generators = appset["generators"][0]["matrix"]["generators"]
    assert [generator["git"]["revision"] for generator in generators] == [branch, branch]
    assert {"name": "Owner", "value": team} in appset["template"]["spec"]["info"]
    cluster = load("infra/argo/cluster-applicationset.yaml")["spec"]
    assert cluster["template"]["spec"]["source"]["targetRevision"] == branch
    assert load("mkdocs.yml")["extra"]["repository_branch"] == branch
    first_service = load(ANSWERS_FILE)["first_service"]
    catalog = list(
        yaml.safe_load_all(
            (repo / "services" / first_service / "catalog-info.yaml").read_text(encoding="utf-8")
        )
    )
    assert {entity["spec"]["owner"] for entity in catalog} == {f"group:{team}"}
    codeowners = (repo / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert f"* @{org}/{team}\n" in codeowners
    recorded = load(ANSWERS_FILE)
    for question, value in answers.items():
        assert recorded[question] == value, question
