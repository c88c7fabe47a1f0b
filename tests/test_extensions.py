"""Unit tests for extensions/: naming filters, validators, the module map, the context hook."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import MODULE_IDS, MODULE_MAP, load_extension, module_map, naming


@pytest.mark.parametrize(
    ("value", "kebab", "snake", "pascal", "env"),
    [
        pytest.param(
            "Acme Platform",
            "acme-platform",
            "acme_platform",
            "AcmePlatform",
            "ACME_PLATFORM",
            id="words",
        ),
        pytest.param(
            "acme-platform",
            "acme-platform",
            "acme_platform",
            "AcmePlatform",
            "ACME_PLATFORM",
            id="kebab-in",
        ),
        pytest.param(
            "OrderHistory",
            "order-history",
            "order_history",
            "OrderHistory",
            "ORDER_HISTORY",
            id="camel-in",
        ),
        pytest.param(
            "Café Ünïcode",
            "cafe-unicode",
            "cafe_unicode",
            "CafeUnicode",
            "CAFE_UNICODE",
            id="accents-folded",
        ),
        pytest.param(
            "  lots   of -- space ",
            "lots-of-space",
            "lots_of_space",
            "LotsOfSpace",
            "LOTS_OF_SPACE",
            id="separators-collapse",
        ),
        pytest.param(
            "3d-render", "3d-render", "3d_render", "3dRender", "_3D_RENDER", id="leading-digit"
        ),
    ],
)
def test_case_converters(value: str, kebab: str, snake: str, pascal: str, env: str) -> None:
    assert naming.kebab(value) == kebab
    assert naming.snake(value) == snake
    assert naming.pascal(value) == pascal
    assert naming.env_var(value) == env


@pytest.mark.parametrize(
    ("value", "max_length", "expected"),
    [
        pytest.param("Acme Platform", 63, "acme-platform", id="plain"),
        pytest.param("42 Widgets", 63, "widgets", id="leading-digits-dropped"),
        pytest.param("a" * 30 + " " + "b" * 30, 40, "a" * 30 + "-" + "b" * 9, id="cut"),
        pytest.param("abcdefghi jklmnop", 10, "abcdefghi", id="no-trailing-hyphen-after-cut"),
        pytest.param("日本語", 63, "", id="no-latin-letters"),
    ],
)
def test_dns_label(value: str, max_length: int, expected: str) -> None:
    assert naming.dns_label(value, max_length) == expected
    assert not naming.slug_error(expected, max_length) or expected == ""


@pytest.mark.parametrize(
    "value",
    [
        pytest.param('Say "hi"', id="double-quotes"),
        pytest.param("O'Brien", id="single-quote"),
        pytest.param("Café — ünïcode ✓", id="unicode"),
        pytest.param("back\\slash: colon # hash", id="yaml-specials"),
        pytest.param("yes", id="yaml-bool-word"),
    ],
)
def test_quoted_is_valid_json_yaml_and_toml(value: str) -> None:
    literal = naming.quoted(value)
    assert json.loads(literal) == value
    assert yaml.safe_load(f"key: {literal}") == {"key": value}
    assert tomllib.loads(f"key = {literal}") == {"key": value}


CYRILLIC_A = "\u0410"  # looks exactly like the Latin capital A
GREEK_ALPHA = "\u0391"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("Acme Platform", "acme-platform", id="latin"),
        pytest.param("Café Ünïcode", "cafe-unicode", id="accents-fold-to-ascii"),
        pytest.param("42 Widgets", "widgets", id="leading-digits-dropped"),
        pytest.param(f"{CYRILLIC_A}cme", "", id="look-alike-letter-not-dropped"),
        pytest.param("Acme Платформа", "", id="cyrillic-word-not-dropped"),
        pytest.param("日本語", "", id="no-latin-letters"),
    ],
)
def test_slug_default_never_drops_a_letter(value: str, expected: str) -> None:
    """An empty default is refused by slug_error, which asks for a slug: never a shorter name."""
    assert naming.slug_default(value) == expected
    if not expected:
        assert "set project_slug yourself" in naming.slug_error(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(f"{CYRILLIC_A}cme", "mixes Cyrillic and Latin letters", id="cyrillic-A"),
        pytest.param(f"Acme {GREEK_ALPHA}PI", "mixes Greek and Latin letters", id="greek-alpha"),
        pytest.param(
            "\u041f\u043ba\u0442\u0444\u043e\u0440\u043c\u0430",
            "mixes Cyrillic and Latin letters",
            id="latin-a-in-cyrillic",
        ),
        pytest.param("Acme Платформа", "", id="one-script-per-word"),
        pytest.param("Café Ünïcode", "", id="latin-accents"),
        pytest.param("東京 Platform", "", id="cjk-and-latin-words"),
    ],
)
def test_mixed_script_words_are_named(value: str, expected: str) -> None:
    error = naming.mixed_script_error(value)
    assert (expected in error) if expected else error == ""
    if expected:
        assert "U+" in error, "the message must say which character is the look-alike"
        assert expected in naming.project_name_error(value)
        assert "each word in one script" in naming.project_name_error(value)


GOOD_ANSWERS = [
    pytest.param(naming.project_name_error, "Acme Platform", id="project_name-plain"),
    pytest.param(
        naming.project_name_error, 'Café "Ünï" O\'Brien (EU) v2.0', id="project_name-unicode-quotes"
    ),
    pytest.param(naming.slug_error, "acme-platform", id="slug"),
    pytest.param(naming.slug_error, "a" * 40, id="slug-40-chars"),
    pytest.param(naming.service_name_error, "order-history", id="service"),
    pytest.param(
        naming.description_error, 'Payments for "EU" — $5 `fast`', id="description-free-text"
    ),
    pytest.param(naming.email_error, "platform@acme.example", id="email"),
    pytest.param(naming.github_org_error, "Acme-Corp", id="org"),
    pytest.param(naming.github_team_error, "platform_team-2", id="team"),
    pytest.param(naming.aws_region_error, "us-gov-west-1", id="region-gov"),
    pytest.param(naming.branch_error, "release/2026.1", id="branch"),
    pytest.param(naming.port_error, "1024", id="port-lowest"),
    pytest.param(naming.port_error, 32767, id="port-highest"),
]


@pytest.mark.parametrize(("check", "value"), GOOD_ANSWERS)
def test_validators_accept(check: object, value: str) -> None:
    assert check(value) == ""  # type: ignore[operator]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(80, "80 is out of range", id="privileged"),
        pytest.param(40000, "40000 is out of range", id="ephemeral"),
        pytest.param("http", "'http' is not a port number", id="not-a-number"),
    ],
)
def test_port_error_names_the_range(value: object, expected: str) -> None:
    error = naming.port_error(value)
    assert error.startswith(expected)
    assert "from 1024 to 32767" in error


def test_filters_are_registered_by_the_extension() -> None:
    from jinja2 import Environment

    env = Environment(extensions=[naming.NamingExtension], autoescape=False)  # noqa: S701
    assert env.from_string("{{ 'Acme Platform' | dns_label(40) }}").render() == "acme-platform"
    assert set(naming.FILTERS) <= set(env.filters)


def test_module_map_declares_four_switchable_modules() -> None:
    assert MODULE_IDS == ("gateway", "feature_flags", "ml", "edge")
    copier_questions = yaml.safe_load((Path(__file__).parents[1] / "copier.yml").read_text())
    for module in MODULE_IDS:
        assert copier_questions[module]["type"] == "bool", module
        assert copier_questions[module]["default"] is False, module


def test_module_questions_state_roadmap_prompt_and_status() -> None:
    """The copier question is the first thing a user reads about a module."""
    copier_questions = yaml.safe_load((Path(__file__).parents[1] / "copier.yml").read_text())
    for module in MODULE_MAP.modules:
        help_text = " ".join(copier_questions[module.id]["help"].split())
        assert f"(roadmap prompt {module.roadmap}, {module.status})" in help_text, module.id
        assert (" will " in help_text) == (module.status == "planned"), module.id


def test_module_status_matches_what_the_template_ships() -> None:
    """`ready` means the module generates code with tests; `planned` means its directories
    hold nothing but the README saying what will go there."""
    template = MODULE_MAP.template_dir
    assert template is not None
    for module in MODULE_MAP.modules:
        files = [
            file.relative_to(template)
            for path in module.paths
            for file in sorted((template / path).rglob("*"))
            if file.is_file()
        ]
        python = [file for file in files if file.suffix == ".py" or file.name.endswith(".py.jinja")]
        if module.status == "ready":
            assert any(file.name.startswith("test_") for file in python), module.id
            assert any(not file.name.startswith("test_") for file in python), module.id
        else:
            assert files, f"planned module {module.id} has no READMEs saying what will come"
            assert all(file.name == "README.md" for file in files), (module.id, files)


def _write_module_map(tmp_path: Path, modules: str) -> Path:
    (tmp_path / "copier.yml").write_text("_subdirectory: template\n")
    path = tmp_path / "modules.yml"
    path.write_text(f"modules:\n{modules}presets: {{}}\n")
    return path


def _module(name: str, roadmap: object, status: str, adds: str) -> str:
    return (
        f"  {name}:\n    title: {name}\n    roadmap: {roadmap}\n    status: {status}\n"
        f"    adds: {adds}\n    paths: [docs/{name}.md]\n    docs: docs/{name}.md\n"
        f"    mentions: [{name}]\n"
    )


@pytest.mark.parametrize(
    ("modules", "problem"),
    [
        pytest.param(_module("x", 0, "ready", "Adds x."), "not a prompt number", id="roadmap-0"),
        pytest.param(_module("x", 33, "ready", "Adds x."), "not a prompt number", id="roadmap-33"),
        pytest.param(
            _module("x", 26, "ready", "Adds x.") + _module("y", 26, "planned", "Will add y."),
            "both claim roadmap prompt 26",
            id="shared-prompt",
        ),
        pytest.param(_module("x", 26, "beta", "Adds x."), "not one of ready, planned", id="status"),
        pytest.param(
            _module("x", 26, "planned", "Adds x."), "planned but its adds", id="planned-present"
        ),
        pytest.param(
            _module("x", 26, "ready", "Will add x."), "ready but its adds", id="ready-future"
        ),
    ],
)
def test_module_roadmap_and_status_are_checked(tmp_path: Path, modules: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        module_map.load(_write_module_map(tmp_path, modules))


def test_module_paths_do_not_overlap() -> None:
    seen: dict[str, str] = {}
    for module in MODULE_MAP.modules:
        for path in module.paths:
            assert path not in seen, f"{path} claimed by {seen.get(path)} and {module.id}"
            seen[path] = module.id


@pytest.mark.parametrize(
    ("answers", "excluded"),
    [
        pytest.param({}, {p for m in MODULE_MAP.modules for p in m.paths}, id="all-off"),
        pytest.param({m: True for m in MODULE_IDS}, set(), id="all-on"),
        pytest.param(
            {"gateway": "true", "ml": "false"},
            {p for m in MODULE_MAP.modules if m.id != "gateway" for p in m.paths},
            id="string-answers",
        ),
    ],
)
def test_excluded_paths_follow_switches(answers: dict[str, object], excluded: set[str]) -> None:
    module_paths = {path for module in MODULE_MAP.modules for path in module.paths}
    assert set(MODULE_MAP.excluded_paths(answers)) & module_paths == excluded


def test_directories_only_modules_fill_are_excluded_with_them() -> None:
    all_off = MODULE_MAP.excluded_paths({})
    assert "docs/modules" in all_off
    assert "config" in all_off
    assert "docs" not in all_off
    assert "services" not in all_off
    one_on = MODULE_MAP.excluded_paths({"gateway": True})
    assert "docs/modules" not in one_on
    assert "config" in one_on


def test_module_paths_must_be_plain(tmp_path: Path) -> None:
    bad = tmp_path / "modules.yml"
    (tmp_path / "copier.yml").write_text("_subdirectory: template\n")
    bad.write_text(
        "modules:\n  x:\n    title: X\n    roadmap: 1\n    status: ready\n    adds: x\n"
        "    paths: ['services/*']\n    docs: 'services/*'\n    mentions: [x]\npresets: {}\n"
    )
    with pytest.raises(ValueError, match="plain relative path"):
        module_map.load(bad)


@pytest.mark.parametrize(
    ("raw", "filled"),
    [
        pytest.param("libs/x", "libs/x", id="plain"),
        pytest.param(
            "services/{first_service}/src/{domain_package}/flags.py",
            "services/order-history/src/order_history_service/flags.py",
            id="domain-service-file",
        ),
    ],
)
def test_module_path_placeholders_are_filled(raw: str, filled: str) -> None:
    names = {"first_service": "order-history", "domain_package": "order_history_service"}
    assert module_map.fill_placeholders(raw, names) == filled


def test_module_paths_name_only_known_placeholders(tmp_path: Path) -> None:
    bad = tmp_path / "modules.yml"
    (tmp_path / "copier.yml").write_text("_subdirectory: template\n")
    bad.write_text(
        "modules:\n  x:\n    title: X\n    roadmap: 1\n    status: ready\n    adds: x\n"
        "    paths: ['docs/x.md', 'services/{service}/x.py']\n    docs: 'docs/x.md'\n"
        "    mentions: [x]\npresets: {}\n"
    )
    with pytest.raises(ValueError, match="unknown placeholders"):
        module_map.load(bad)


def test_presets_name_known_modules() -> None:
    assert MODULE_MAP.presets["minimal"] == ()
    assert set(MODULE_MAP.presets["full"]) == set(MODULE_IDS)


def test_malformed_module_map_names_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "modules.yml"
    bad.write_text("modules:\n  x:\n    title: X\npresets: {}\n")
    with pytest.raises(ValueError, match="module 'x' lacks"):
        module_map.load(bad)


def test_context_hook_derives_services_and_exclusions() -> None:
    context = load_extension("context")
    values = context.derived_values(
        {"project_slug": "acme-platform", "first_service": "orders", "gateway": True}
    )
    assert values["package_name"] == "acme_platform"
    assert [m["id"] for m in values["enabled_modules"]] == ["gateway"]
    names = [service["name"] for service in values["services"]]
    assert names == ["orders", "auth", "gateway"]
    ports = [service["port"] for service in values["services"]]
    assert len(set(ports)) == len(ports), "every service needs its own port"
    assert "services/gateway" not in values["module_exclusions"].splitlines()
    assert "libs/feature-flags" in values["module_exclusions"].splitlines()


def test_context_hook_tolerates_missing_answers() -> None:
    """copier renders question defaults before later questions are answered."""
    values = load_extension("context").derived_values({})
    assert values["enabled_modules"] == []
    assert values["services"][0]["name"] == "catalog"


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"first_service": "orders", "gateway": True}, id="orders-gateway"),
        pytest.param({"first_service": "orders", "gateway": False}, id="orders-no-gateway"),
        pytest.param({"first_service": "billing", "ml": "yes"}, id="billing-ml"),
        # Each differs from the cached {} in one answer only.
        pytest.param({"project_slug": "other"}, id="slug-only"),
        pytest.param({"cloud_provider": "gcp"}, id="cloud-only"),
        pytest.param({"first_service": "billing"}, id="service-only"),
        pytest.param({"edge": True}, id="one-module-only"),
        pytest.param({"first_service": ["unhashable"]}, id="unhashable-answer"),
    ],
)
def test_context_hook_cache_answers_as_a_fresh_derivation(answers: dict[str, object]) -> None:
    """The hook caches per set of answers (copier calls it thousands of times per
    render); every answer it reads is part of the key, so a cached value is never stale."""
    context = load_extension("context")
    for other in ({}, {"first_service": "x", "gateway": True, "edge": True}):
        context.derived_values(other)  # fill the cache with other answers first
    cached = context.derived_values(answers)
    fresh = context._derive(answers, context.module_map.load())
    assert cached == fresh
    assert context.derived_values(answers) == fresh
