"""The generated roadmap: one data file, docs/roadmaps/roadmap.yaml, and the page rendered
from it, docs/roadmaps/README.md.

The roadmap the product follows has 32 prompts; the data must keep their numbers (a
module's number included), and a status may only claim what the render really holds:
every path and test an entry names must exist, and a done prompt must name both.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import MODULE_IDS, MODULE_MAP, combination_id, module_answers

DATA = Path("docs/roadmaps/roadmap.yaml")
PAGE = Path("docs/roadmaps/README.md")
STATUSES = {"done", "partial", "planned"}
# A word every prompt's title keeps, by its number in the source roadmap: renumbering a
# prompt, or dropping one, fails here.
TITLE_WORDS = {
    1: "ci/cd",
    2: "observability",
    3: "security",
    4: "data contracts",
    5: "developer productivity",
    6: "performance budgets",
    7: "compliance and governance",
    8: "documentation",
    9: "api",
    10: "data pipelines",
    11: "frontend",
    12: "mobile",
    13: "analytics",
    14: "partner",
    15: "performance tuning",
    16: "developer experience",
    17: "reliability",
    18: "disaster recovery",
    19: "chaos",
    20: "scalability",
    21: "network",
    22: "storage",
    23: "compliance at scale",
    24: "cost",
    25: "microservice",
    26: "gateway",
    27: "machine learning",
    28: "edge",
    29: "incident",
    30: "community",
    31: "flags",
    32: "self-healing",
}
# | 26 | Gateway and rate limiting | planned | ... | ... |
ROW = re.compile(r"^\| (\d+) \| ([^|]+) \| (done|partial|planned) \| [^|]+ \| (.+) \|$")
COMBOS = [frozenset(), frozenset({"feature_flags"}), frozenset(MODULE_IDS)]


def combo_params() -> list[Any]:
    return [
        pytest.param(
            combo, id=combination_id(combo), marks=pytest.mark.xdist_group(combination_id(combo))
        )
        for combo in COMBOS
    ]


def _roadmap(repo: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load((repo / DATA).read_text(encoding="utf-8"))
    prompts: list[dict[str, Any]] = data["prompts"]
    return prompts


@pytest.mark.parametrize("combo", combo_params())
def test_data_lists_the_32_prompts_with_their_numbers(
    render: Callable[..., Path], combo: frozenset[str]
) -> None:
    repo = render(**module_answers(combo))
    prompts = _roadmap(repo)
    assert [prompt["number"] for prompt in prompts] == list(range(1, 33))
    for prompt in prompts:
        assert TITLE_WORDS[prompt["number"]] in prompt["title"].lower(), prompt
        assert prompt["status"] in STATUSES, prompt
        assert prompt["summary"].strip(), prompt
    # The repo's own `make lint` runs yamllint --strict over it.
    lint = subprocess.run(
        [sys.executable, "-m", "yamllint", "--strict", "-c", ".yamllint.yaml", str(DATA)],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    phases = yaml.safe_load((repo / DATA).read_text(encoding="utf-8"))["phases"]
    assert [(phase["first"], phase["last"]) for phase in phases] == [
        (1, 8),
        (9, 16),
        (17, 24),
        (25, 32),
    ]


@pytest.mark.parametrize("combo", combo_params())
def test_statuses_claim_only_what_the_render_holds(
    render: Callable[..., Path], combo: frozenset[str]
) -> None:
    repo = render(**module_answers(combo))
    missing = []
    for prompt in _roadmap(repo):
        paths, tests, todo = prompt.get("paths", []), prompt.get("tests", []), prompt.get("todo")
        number = prompt["number"]
        expected = {
            # status: (names paths, names tests, says what is still to do)
            "done": (True, True, False),
            "partial": (True, bool(tests), True),
            "planned": (False, False, False),
        }[prompt["status"]]
        assert (bool(paths), bool(tests), bool(todo)) == expected, f"prompt {number}: {prompt}"
        for path in tests:
            assert "test" in Path(path).name, f"prompt {prompt['number']}: {path} is not a test"
        missing += [
            f"{prompt['number']}: {path}" for path in paths + tests if not (repo / path).exists()
        ]
    assert not missing, "roadmap names paths the render lacks:\n" + "\n".join(missing)


@pytest.mark.parametrize("combo", combo_params())
def test_module_prompts_follow_the_module_map(
    render: Callable[..., Path], combo: frozenset[str]
) -> None:
    """A module's prompt is done only when the module is on and ready; its page is linked
    only when the module is on."""
    repo = render(**module_answers(combo))
    prompts = {prompt["number"]: prompt for prompt in _roadmap(repo)}
    for module in MODULE_MAP.modules:
        prompt = prompts[module.roadmap]
        assert prompt.get("optional") is True, module.id
        on = module.id in combo
        assert prompt.get("module") == (module.docs if on else None), module.id
        expected = "done" if on and module.status == "ready" else "planned"
        assert prompt["status"] == expected, module.id
    module_numbers = {module.roadmap for module in MODULE_MAP.modules}
    optional = {number for number, prompt in prompts.items() if prompt.get("optional")}
    assert optional == module_numbers


@pytest.mark.parametrize("combo", combo_params())
def test_page_shows_every_prompt_as_the_data_says(
    render: Callable[..., Path], combo: frozenset[str]
) -> None:
    repo = render(**module_answers(combo))
    rows = [
        match
        for line in (repo / PAGE).read_text(encoding="utf-8").splitlines()
        if (match := ROW.match(line))
    ]
    prompts = _roadmap(repo)
    assert [int(row.group(1)) for row in rows] == list(range(1, 33))
    for row, prompt in zip(rows, prompts, strict=True):
        assert row.group(2) == prompt["title"]
        assert row.group(3) == prompt["status"]
        where = row.group(4)
        for path in prompt.get("paths", []) + prompt.get("tests", []):
            assert f"[`{path}`](" in where, (prompt["number"], path)
        if "module" in prompt:
            assert f"]({Path('..', *Path(prompt['module']).parts[1:])})" in where, prompt["number"]
