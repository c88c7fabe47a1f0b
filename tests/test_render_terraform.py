"""The Terraform of every module combination is formatted, complete and clean under checkov.

``infra/terraform`` of a render holds the AWS modules (``modules/aws/<module>``, each
with an ``examples/basic`` configuration), the platform composition that wires them
(``stacks/platform``), the thin environment stacks that call it (``envs/<env>``) and
the bootstrap stack. Checked here:

- ``terraform fmt -check -recursive`` is clean (the one Terraform command that needs no
  provider; the registry is out of reach, so ``init`` and ``validate`` cannot run);
- every ``.tf`` file parses (python-hcl2), every variable has a type and a description,
  every output a description, and one AWS provider major and Terraform floor is pinned
  everywhere;
- every module has main/variables/outputs/versions.tf, a README whose tables name every
  input and output, and an example that calls it;
- the composition uses every module but ``iam``, passes its tags to each (for what
  ``default_tags`` cannot reach), has a budget with alerts, validates its sizing
  inputs and documents every input and output in its README;
- every environment stack keeps its state in S3 with locking, tags everything through
  the provider's ``default_tags`` with the cost allocation tags, calls the composition
  once with those tags and its own sizing (prod: Multi-AZ, deletion protection, NAT
  per zone), stays thin (``main.tf`` of at most 80 lines, no file a copy of another
  environment's) and moves the state addresses of the former per-environment stacks
  onto the composition;
- checkov (``--skip-download``, with the render's own ``.checkov.yaml``) fails no check,
  and the skip file stays short with a reason for every entry.

The Terraform tree does not depend on the module switches, so every combination hashes
the same and checkov runs once per xdist worker; a change that made the tree differ
between combinations would be checked per combination.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from tests.conftest import answer_set_params
from tests.needs import require_tool
from tools.infra_tools import tool_path

pytestmark = pytest.mark.parametrize("answers", answer_set_params())

TERRAFORM_DIR = Path("infra/terraform")
MODULES = (
    "backup",
    "eks-cluster",
    "elasticache-redis",
    "iam",
    "kms",
    "networking-core",
    "rds-postgres",
    "s3-buckets",
)
MODULE_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")
ENVIRONMENTS = ("dev", "stage", "prod")
STACKS = (*(f"envs/{env}" for env in ENVIRONMENTS), "bootstrap")
COMPOSITION = Path("stacks/platform")
COMPOSITION_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")
MAX_ENV_MAIN_LINES = 80
COST_TAGS = {"Project", "Environment", "Owner", "CostCenter", "ManagedBy", "Repository"}
AWS_PROVIDER = "~> 6.0"

# Arguments of the composition call each environment must set to these values: the
# sizing decisions that differ between environments (a path into the module block).
ENV_SETTINGS: dict[str, dict[tuple[str, ...], object]] = {
    "dev": {
        ("single_nat_gateway",): True,
        ("database", "multi_az"): False,
        ("database", "deletion_protection"): False,
        ("cache", "num_cache_clusters"): 1,
    },
    "stage": {
        ("database", "multi_az"): True,
        ("database", "deletion_protection"): True,
        ("cache", "num_cache_clusters"): 2,
    },
    "prod": {
        ("single_nat_gateway",): False,
        ("database", "multi_az"): True,
        ("database", "deletion_protection"): True,
        ("database", "backup_retention_days"): 35,
        ("cache", "num_cache_clusters"): 3,
        ("backups", "monthly_retention_days"): 365,
    },
}

# checkov must really have looked at the code: a run over nothing passes every check.
MIN_CHECKOV_PASSED = 100
MAX_SKIPPED_CHECKS = 5
INLINE_SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")

HCL_OPTIONS = hcl2.SerializationOptions(
    strip_string_quotes=True,
    preserve_heredocs=False,
    with_comments=False,
    explicit_blocks=False,
)

_CACHE: dict[tuple[str, str], Any] = {}


def _terraform_dir(render: Callable[..., Path], answers: dict[str, Any]) -> Path:
    root = render(**answers) / TERRAFORM_DIR
    assert root.is_dir(), f"{TERRAFORM_DIR} missing from the render"
    return root


def _parse(path: Path) -> dict[str, Any]:
    """The file as python-hcl2 reads it; identical files (other combinations) parse once."""
    text = path.read_text(encoding="utf-8")
    key = ("hcl", hashlib.sha256(text.encode()).hexdigest())
    if key not in _CACHE:
        try:
            _CACHE[key] = dict(hcl2.loads(text, serialization_options=HCL_OPTIONS))
        except Exception as error:  # python-hcl2 raises lark errors of several kinds
            raise AssertionError(f"{path} does not parse: {error}") from error
    return copy.deepcopy(_CACHE[key])


def _configuration(directory: Path) -> dict[str, list[Any]]:
    """All top-level blocks of the .tf files in one directory, merged by block type."""
    merged: dict[str, list[Any]] = {}
    files = sorted(directory.glob("*.tf"))
    assert files, f"no .tf files in {directory}"
    for path in files:
        for block_type, blocks in _parse(path).items():
            merged.setdefault(block_type, []).extend(blocks)
    return merged


def _labelled(blocks: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, body) of blocks with one label: variable, output, module, provider."""
    for block in blocks:
        yield from block.items()


def _resources(config: dict[str, list[Any]], resource_type: str) -> list[dict[str, Any]]:
    return [
        body
        for block in config.get("resource", [])
        for body in block.get(resource_type, {}).values()
    ]


def _tree_digest(root: Path) -> str:
    """Content hash of a tree: the cache key of the checkov run."""
    digest = hashlib.sha256()
    for path in sorted(path for path in root.rglob("*") if path.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _tf_dirs(root: Path) -> list[Path]:
    return sorted({path.parent for path in root.rglob("*.tf")})


def _assert_readme_tables(directory: Path, config: dict[str, list[Any]]) -> None:
    """The README's tables name every input and output, so they cannot drift apart."""
    readme = (directory / "README.md").read_text(encoding="utf-8")
    assert "## Inputs" in readme, f"{directory.name}: README without an Inputs table"
    assert "## Outputs" in readme, f"{directory.name}: README without an Outputs table"
    names = [name for name, _ in _labelled(config.get("variable", []))]
    names += [name for name, _ in _labelled(config.get("output", []))]
    assert names, f"{directory.name}: no variables or outputs"
    undocumented = [name for name in names if f"| `{name}` |" not in readme]
    assert not undocumented, f"{directory.name}: README tables miss {undocumented}"
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", readme, re.MULTILINE))
    stale = sorted(documented - set(names))
    assert not stale, f"{directory.name}: README documents {stale}, which it does not have"


def _argument(block: dict[str, Any], path: tuple[str, ...]) -> object:
    """A (nested) argument of a block, None when it is not set."""
    value: object = block
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def test_terraform_is_formatted(render: Callable[..., Path], answers: dict[str, Any]) -> None:
    terraform = require_tool(
        "terraform", "Terraform >= 1.6 from HashiCorp; only `terraform fmt` runs, no provider"
    )
    root = _terraform_dir(render, answers)
    ran = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", "-diff", "-no-color", "."],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, f"terraform fmt would change:\n{ran.stdout}{ran.stderr}"


def test_variables_and_outputs_are_typed_and_described(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    root = _terraform_dir(render, answers)
    problems = []
    directories = _tf_dirs(root)
    assert len(directories) >= len(MODULES) * 2 + len(STACKS)
    for directory in directories:
        where = directory.relative_to(root)
        config = _configuration(directory)
        for name, body in _labelled(config.get("variable", [])):
            problems += [
                f"{where}: variable {name} has no {key}"
                for key in ("type", "description")
                if not str(body.get(key, "")).strip()
            ]
        for name, body in _labelled(config.get("output", [])):
            if not str(body.get("description", "")).strip():
                problems.append(f"{where}: output {name} has no description")
        for settings in config.get("terraform", []):
            for providers in settings.get("required_providers", []):
                version = providers.get("aws", {}).get("version")
                if version != AWS_PROVIDER:
                    problems.append(
                        f"{where}: aws provider pinned to {version!r}, not {AWS_PROVIDER!r}"
                    )
            if "required_version" not in settings:
                problems.append(f"{where}: no required_version")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module", MODULES)
def test_module_is_complete(
    render: Callable[..., Path], answers: dict[str, Any], module: str
) -> None:
    directory = _terraform_dir(render, answers) / "modules" / "aws" / module
    missing = [name for name in MODULE_FILES if not (directory / name).is_file()]
    assert not missing, f"{module} lacks {missing}"
    config = _configuration(directory)
    versions = _parse(directory / "versions.tf")["terraform"][0]
    assert versions["required_version"] == ">= 1.6"
    assert versions["required_providers"][0]["aws"]["source"] == "hashicorp/aws"

    _assert_readme_tables(directory, config)

    example = directory / "examples" / "basic"
    calls = [body["source"] for _, body in _labelled(_configuration(example).get("module", []))]
    assert "../.." in calls, f"{module}: examples/basic does not call the module"


def test_platform_composition(render: Callable[..., Path], answers: dict[str, Any]) -> None:
    """The one place the modules are wired: every env stack gets the same platform."""
    directory = _terraform_dir(render, answers) / COMPOSITION
    missing = [name for name in COMPOSITION_FILES if not (directory / name).is_file()]
    assert not missing, f"{COMPOSITION} lacks {missing}"
    config = _configuration(directory)
    assert not config.get("provider"), "a composition takes its providers from the caller"
    assert not [terraform for terraform in config["terraform"] if terraform.get("backend")]
    (aws,) = [
        providers["aws"]
        for terraform in config["terraform"]
        for providers in terraform.get("required_providers", [])
    ]
    assert aws["configuration_aliases"] == ["${aws.dr}"]

    # Every module but iam (CI's roles come from the bootstrap stack), each tagged.
    modules = dict(_labelled(config["module"]))
    untagged = [name for name, body in modules.items() if body.get("tags") != "${var.tags}"]
    assert not untagged, f"modules without tags = var.tags: {untagged}"
    called = {Path(body["source"]).name for body in modules.values()}
    expected = set(MODULES) - {"iam"}
    assert expected <= called, f"the composition does not use {expected - called}"

    # A monthly budget with alerts.
    (budget,) = _resources(config, "aws_budgets_budget")
    assert budget["time_unit"] == "MONTHLY"
    assert budget.get("notification") or budget.get("dynamic"), "budget without notifications"

    # The sizing inputs have no defaults (each environment states its own) and reject
    # nonsense before a plan reaches AWS.
    variables = dict(_labelled(config["variable"]))
    sizing = {name for key in ENV_SETTINGS.values() for name, *_ in key}
    defaulted = sorted(name for name in sizing if "default" in variables[name])
    assert not defaulted, f"sizing inputs with a default: {defaulted}"
    unvalidated = sorted(
        name
        for name in sizing
        if not variables[name].get("validation") and variables[name]["type"] != "bool"
    )
    assert not unvalidated, f"sizing inputs without validation: {unvalidated}"
    _assert_readme_tables(directory, config)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_environment_stack(render: Callable[..., Path], answers: dict[str, Any], env: str) -> None:
    root = _terraform_dir(render, answers)
    directory = root / "envs" / env
    config = _configuration(directory)

    # Remote state in S3, one key per environment, locked with a lock file.
    (backend,) = [
        backend for terraform in config["terraform"] for backend in terraform.get("backend", [])
    ]
    s3 = backend["s3"]
    assert s3["key"] == f"envs/{env}/terraform.tfstate"
    assert s3["use_lockfile"] is True
    assert s3["encrypt"] is True

    # Every provider configuration tags with the cost allocation tags.
    (local_values,) = [block for block in config["locals"] if "tags" in block]
    missing_tags = COST_TAGS - set(local_values["tags"])
    assert not missing_tags, f"{env}: local.tags lacks {missing_tags}"
    assert local_values["tags"]["ManagedBy"] == "terraform"
    assert local_values["tags"]["Environment"] == env
    providers = [body for name, body in _labelled(config["provider"]) if name == "aws"]
    assert providers
    for provider in providers:
        assert provider["default_tags"][0]["tags"] == "${local.tags}", (
            f"{env}: provider without default_tags"
        )

    # One call of the composition, with the same tags and this environment's sizing.
    (call,) = [body for _, body in _labelled(config["module"])]
    assert Path(call["source"]) == Path("../..") / COMPOSITION
    assert call["environment"] == env
    assert call["tags"] == "${local.tags}"
    wrong = {
        ".".join(path): _argument(call, path)
        for path, expected in ENV_SETTINGS[env].items()
        if _argument(call, path) != expected
    }
    assert not wrong, f"{env}: sized wrong: {wrong} (expected {ENV_SETTINGS[env]})"

    # Thin: the wiring lives in the composition, not here.
    lines = len((directory / "main.tf").read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_ENV_MAIN_LINES, f"{env}/main.tf has {lines} lines"
    assert not config.get("resource"), f"{env}: resources belong in the composition"


def test_environment_stacks_are_not_copies(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    """Shared wiring lives once, in the composition; each env file says something of its own."""
    envs = _terraform_dir(render, answers) / "envs"
    by_content: dict[bytes, list[str]] = {}
    for path in sorted(envs.rglob("*")):
        if path.is_file():
            by_content.setdefault(path.read_bytes(), []).append(str(path.relative_to(envs)))
    copies = [paths for paths in by_content.values() if len(paths) > 1]
    assert not copies, f"identical files in env stacks: {copies}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_moved_blocks_land_in_the_composition(
    render: Callable[..., Path], answers: dict[str, Any], env: str
) -> None:
    """An environment applied before the composition plans no replacement: each old
    address moves to the same module or resource inside module.platform."""
    root = _terraform_dir(render, answers)
    moves = _configuration(root / "envs" / env).get("moved", [])
    composition = _configuration(root / COMPOSITION)
    targets = {f"module.{name}" for name, _ in _labelled(composition["module"])}
    targets |= {
        f"{resource_type}.{name}"
        for block in composition.get("resource", [])
        for resource_type, bodies in block.items()
        for name in bodies
    }
    moved = {}
    for move in moves:
        source, target = (move[key].removeprefix("${").removesuffix("}") for key in ("from", "to"))
        assert target == f"module.platform.{source}", f"{env}: {source} moves to {target}"
        moved[source] = target
    unmoved = sorted(targets - set(moved))
    assert not unmoved, f"{env}: no moved block for {unmoved}"
    unknown = sorted(set(moved) - targets)
    assert not unknown, f"{env}: moved blocks for addresses the composition lacks: {unknown}"


def test_bootstrap_stack(render: Callable[..., Path], answers: dict[str, Any]) -> None:
    """The state bucket and the CI roles come from a stack that needs no backend."""
    config = _configuration(_terraform_dir(render, answers) / "bootstrap")
    assert not [terraform for terraform in config["terraform"] if terraform.get("backend")]
    sources = {Path(body["source"]).name for _, body in _labelled(config["module"])}
    assert {"kms", "s3-buckets", "iam"} <= sources
    for _, provider in _labelled(config["provider"]):
        assert provider["default_tags"][0]["tags"] == "${local.tags}"


def test_checkov_skips_are_few_and_explained(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    root = _terraform_dir(render, answers)
    skip_file = root / ".checkov.yaml"
    settings = yaml.safe_load(skip_file.read_text(encoding="utf-8"))
    skipped = settings.get("skip-check", [])
    assert len(skipped) <= MAX_SKIPPED_CHECKS, f"the skip file grew to {len(skipped)} checks"
    lines = skip_file.read_text(encoding="utf-8").splitlines()
    for check in skipped:
        (index,) = [number for number, line in enumerate(lines) if line.strip() == f"- {check}"]
        assert lines[index - 1].strip().startswith("#"), (
            f"{check} is skipped without a reason above it"
        )
    unexplained = [
        f"{path.relative_to(root)}: {match.group(1)}"
        for path in sorted(root.rglob("*.tf"))
        for match in INLINE_SKIP.finditer(path.read_text(encoding="utf-8"))
        if len((match.group(2) or "").strip()) < 10
    ]
    assert not unexplained, f"inline checkov skips without a reason: {unexplained}"


def _checkov(root: Path) -> dict[str, Any]:
    checkov = tool_path("checkov")
    assert checkov.is_file(), f"{checkov} missing: run `python tools/infra_tools.py`"
    ran = subprocess.run(
        [
            str(checkov),
            "--directory",
            str(root),
            "--config-file",
            str(root / ".checkov.yaml"),
            "--framework",
            "terraform",
            "--skip-download",
            "--quiet",
            "--compact",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(ran.stdout)
    except json.JSONDecodeError as error:
        raise AssertionError(
            f"checkov printed no JSON report:\n{ran.stdout}{ran.stderr}"
        ) from error
    reports = report if isinstance(report, list) else [report]
    (terraform,) = [entry for entry in reports if entry.get("check_type") == "terraform"]
    return dict(terraform)


@pytest.mark.slow
def test_checkov_finds_nothing(render: Callable[..., Path], answers: dict[str, Any]) -> None:
    root = _terraform_dir(render, answers)
    key = ("checkov", _tree_digest(root))
    if key not in _CACHE:
        _CACHE[key] = _checkov(root)
    report = _CACHE[key]
    summary = report["summary"]
    assert summary["parsing_errors"] == 0, summary
    assert summary["resource_count"] > 0, f"checkov loaded no resources: {summary}"
    assert summary["passed"] >= MIN_CHECKOV_PASSED, f"checkov checked too little: {summary}"
    failed = [
        f"{check['check_id']} {check['resource']} ({check['file_path']}): {check['check_name']}"
        for check in report["results"].get("failed_checks", [])
    ]
    assert not failed, "checkov findings (fix them, or skip with a reason):\n" + "\n".join(failed)


@pytest.mark.parametrize("stack", STACKS)
def test_tfvars_example_sets_declared_variables(
    render: Callable[..., Path], answers: dict[str, Any], stack: str
) -> None:
    """Each stack's terraform.tfvars.example parses, names only variables the stack
    declares, and sets every variable that has no default, so a copy of it plans."""
    directory = _terraform_dir(render, answers) / stack
    example = directory / "terraform.tfvars.example"
    assert example.is_file(), f"{stack} has no terraform.tfvars.example"
    values = _parse(example)
    declared = dict(_labelled(_configuration(directory)["variable"]))
    unknown = set(values) - set(declared)
    assert not unknown, f"{example.name} sets undeclared variables: {sorted(unknown)}"
    required = {name for name, body in declared.items() if "default" not in body}
    missing = required - set(values)
    assert not missing, f"{example.name} leaves required variables unset: {sorted(missing)}"
