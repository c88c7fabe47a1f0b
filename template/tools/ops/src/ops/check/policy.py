"""Run the Rego policies in ci/policies: their unit tests, then the checks on real inputs.

The engine is regorus (the `gordon-to-regorus` package, ops's `policy` extra), so the check
needs no binary download and runs the same locally and in CI:

    ops check policy                                  # Rego tests + .github/workflows
    kubectl kustomize infra/kustomize/overlays/prod | ops check policy --kubernetes -
    ops check policy --terraform-plan plan.json       # `terraform show -json tfplan`
    ops check policy --tests-only

Every input is checked with ci/policies/exceptions.yaml as `data.exceptions` and today's
date as `data.today`; an expired exception fails the run by itself. Exit status: 0 when
every test passed and no policy was violated, 1 otherwise, 2 for unreadable input.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

import yaml

from ops.errors import EXIT_USAGE, OpsError

POLICY_DIR = Path("ci/policies")
EXCEPTIONS_FILE = POLICY_DIR / "exceptions.yaml"
WORKFLOW_PATTERNS = ("*.yml", "*.yaml")

# The `deny` set of each policy package, by the kind of input it reads.
KUBERNETES_RULE = "data.kubernetes.deny"
TERRAFORM_RULE = "data.terraform.deny"
WORKFLOWS_RULE = "data.workflows.deny"
EXCEPTIONS_RULE = "data.lib.exceptions.deny"

PACKAGE_LINE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
# Test rules start at the beginning of a line, like every rule in the policies.
TEST_RULE = re.compile(r"^(test_\w+)\b", re.MULTILINE)


class Engine(Protocol):
    """The part of `regorus.Engine` used here (the package ships no type information)."""

    def add_policy_from_file(self, path: str) -> str: ...

    def add_data_json(self, data: str) -> None: ...

    def set_input_json(self, data: str) -> None: ...

    def eval_rule(self, rule: str) -> object: ...


class PolicyInputError(OpsError):
    """An input file is missing or is not the YAML or JSON it should be."""

    default_exit_code = EXIT_USAGE


@dataclass(frozen=True)
class TestResult:
    name: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class Document:
    """One document to evaluate: `label` says where it came from in the output."""

    label: str
    content: object


def new_engine(policy_dir: Path) -> Engine:
    """An engine with every .rego file under `policy_dir` (policies and their tests)."""
    # regorus has no stubs or py.typed marker; the Protocol above types what is used.
    import regorus  # type: ignore[import-untyped]  # noqa: PLC0415 - only needed here

    engine = cast(Engine, regorus.Engine())
    for path in sorted(policy_dir.rglob("*.rego")):
        engine.add_policy_from_file(str(path))
    return engine


def _error_summary(error: Exception) -> str:
    # regorus appends a Rust backtrace to its messages; the first lines are the point.
    text = str(error).split("Stack backtrace:")[0].strip()
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def run_tests(policy_dir: Path) -> list[TestResult]:
    """Evaluate every `test_*` rule of every `*_test.rego`, as `opa test` would.

    A test passes when its rule evaluates to true; undefined (a failed condition) and
    evaluation errors fail. The engine gets no data, so tests cannot depend on the
    registry in use: they pass their own with `with data.exceptions as ...`.
    """
    engine = new_engine(policy_dir)
    results: list[TestResult] = []
    for path in sorted(policy_dir.rglob("*_test.rego")):
        text = path.read_text(encoding="utf-8")
        package = PACKAGE_LINE.search(text)
        if package is None:
            results.append(TestResult(str(path), passed=False, detail="no package line"))
            continue
        for name in dict.fromkeys(TEST_RULE.findall(text)):
            rule = f"data.{package.group(1)}.{name}"
            try:
                value = engine.eval_rule(rule)
            except RuntimeError as error:
                results.append(TestResult(rule, passed=False, detail=_error_summary(error)))
                continue
            detail = "" if value is True else f"evaluated to {value!r}"
            results.append(TestResult(rule, passed=value is True, detail=detail))
    return results


def _json_default(value: object) -> str:
    # PyYAML turns unquoted dates into date objects; the policies compare ISO strings.
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json(value: object) -> str:
    """JSON for the engine. Non-string keys become strings, so a workflow's `on:`
    (the boolean true in YAML 1.1) arrives as "true", which the policy understands."""
    return json.dumps(value, default=_json_default)


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyInputError(f"{path}: {error.strerror}") from error


def load_yaml_documents(path: str) -> list[Document]:
    """Every non-empty document of a (multi-document) YAML file or stream."""
    label = "stdin" if path == "-" else path
    try:
        contents = list(yaml.safe_load_all(_read_text(path)))
    except yaml.YAMLError as error:
        raise PolicyInputError(f"{label}: not valid YAML: {error}") from error
    documents = [content for content in contents if content is not None]
    if len(documents) == 1:
        return [Document(label, documents[0])]
    return [Document(f"{label}[{index}]", content) for index, content in enumerate(documents)]


def load_json_document(path: str) -> Document:
    label = "stdin" if path == "-" else path
    try:
        return Document(label, json.loads(_read_text(path)))
    except json.JSONDecodeError as error:
        raise PolicyInputError(f"{label}: not valid JSON: {error}") from error


def load_exceptions(path: Path) -> list[object]:
    """The registry's entries. Each entry's fields are validated by the policy (EXC-002);
    only the file's shape is checked here, since a wrong shape would hide every entry."""
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PolicyInputError(f"{path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise PolicyInputError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(content, dict) or "exceptions" not in content:
        raise PolicyInputError(f"{path}: expected a mapping with an `exceptions:` list")
    entries = content["exceptions"]
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise PolicyInputError(f"{path}: `exceptions:` must be a list")
    return cast(list[object], entries)


def default_workflows(root: Path) -> list[str]:
    directory = root / ".github" / "workflows"
    found = {path for pattern in WORKFLOW_PATTERNS for path in directory.glob(pattern)}
    return [_display(path) for path in sorted(found)]


def _display(path: Path) -> str:
    """The path relative to the working directory when it is below it, for short output."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def evaluate(engine: Engine, rule: str, content: object) -> list[str]:
    engine.set_input_json(to_json(content))
    value = engine.eval_rule(rule)
    if value is None:
        return []
    if not isinstance(value, set | list):
        raise PolicyInputError(f"{rule} evaluated to {value!r}, expected a set of messages")
    return sorted(str(message) for message in value)


@dataclass(frozen=True)
class Checks:
    kubernetes: Sequence[str]
    terraform_plans: Sequence[str]
    workflows: Sequence[str]


def documents_to_check(checks: Checks) -> Iterator[tuple[str, Document]]:
    for path in checks.kubernetes:
        for document in load_yaml_documents(path):
            yield KUBERNETES_RULE, document
    for path in checks.terraform_plans:
        yield TERRAFORM_RULE, load_json_document(path)
    for path in checks.workflows:
        for document in load_yaml_documents(path):
            yield WORKFLOWS_RULE, document


def check_inputs(
    checks: Checks, *, policy_dir: Path, exceptions: Path, today: dt.date
) -> list[str]:
    """Evaluate every input and the registry; return the violations, each labelled."""
    engine = new_engine(policy_dir)
    data = {"exceptions": load_exceptions(exceptions), "today": today.isoformat()}
    engine.add_data_json(to_json(data))
    violations = [
        f"{_display(exceptions)}: {message}" for message in evaluate(engine, EXCEPTIONS_RULE, {})
    ]
    for rule, document in documents_to_check(checks):
        found = evaluate(engine, rule, document.content)
        violations.extend(f"{document.label}: {message}" for message in found)
        if not found:
            print(f"{document.label}: ok")
    return violations


def report_tests(results: list[TestResult]) -> int:
    failed = [result for result in results if not result.passed]
    for result in failed:
        print(f"FAIL {result.name}: {result.detail}")
    print(f"Rego tests: {len(results) - len(failed)} passed, {len(failed)} failed")
    return len(failed)


def check(
    root: Path,
    checks: Checks,
    *,
    policies: Path,
    exceptions: Path,
    today: dt.date,
    run_unit_tests: bool = True,
    only_unit_tests: bool = False,
) -> int:
    """The Rego unit tests, then ``checks`` (the workflows when it names no input)."""
    failures = 0
    if run_unit_tests:
        results = run_tests(policies)
        if not results:
            print(f"no Rego tests found under {policies}", file=sys.stderr)
            return 1
        failures += report_tests(results)
    if only_unit_tests:
        return 1 if failures else 0
    if not (checks.kubernetes or checks.terraform_plans or checks.workflows):
        checks = Checks(checks.kubernetes, checks.terraform_plans, default_workflows(root))
    violations = check_inputs(checks, policy_dir=policies, exceptions=exceptions, today=today)
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} policy violation(s); fix them or register an exception")
    return 1 if failures or violations else 0
