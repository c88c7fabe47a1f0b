"""Produce each service's OpenAPI document from its app factory, and read the committed one."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ops.discovery import ServiceInfo

CONTRACTS_SUBDIR = Path("libs") / "shared-contracts" / "openapi"

Schema = dict[str, Any]


class ContractError(Exception):
    """A contract cannot be produced or read."""


def find_repo_root(start: Path | None = None) -> Path:
    """The nearest directory at or above `start` (default: the working directory) that
    holds `libs/shared-contracts`."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / CONTRACTS_SUBDIR).parent.is_dir():
            return candidate
    msg = f"no repository root (a directory with {CONTRACTS_SUBDIR.parent}) above {here}"
    raise ContractError(msg)


def contracts_dir(root: Path) -> Path:
    return root / CONTRACTS_SUBDIR


def contract_path(root: Path, service: ServiceInfo) -> Path:
    return contracts_dir(root) / f"{service.name}.json"


def render(schema: Schema) -> str:
    """The committed form: sorted keys, 2-space indent, final newline (stable diffs)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@contextmanager
def _test_environment() -> Iterator[None]:
    # Settings read the environment; the contract must not depend on the caller's shell.
    previous = os.environ.get("ENVIRONMENT")
    os.environ["ENVIRONMENT"] = "test"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["ENVIRONMENT"]
        else:
            os.environ["ENVIRONMENT"] = previous


def app_schema(service: ServiceInfo) -> Schema:
    """Build the service's app with its default settings for `environment=test` and return
    its OpenAPI document.

    The factory (`goldenpath.dev/app`) must be callable without arguments and must not
    open connections: that belongs in the app's lifespan, which is not entered here.
    """
    factory = service.load_factory()
    required = [
        parameter.name
        for parameter in inspect.signature(factory).parameters.values()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    ]
    if required:
        msg = f"{service.app} must be callable without arguments; it requires {required}"
        raise ContractError(msg)
    with _test_environment():
        app = factory()
    openapi = getattr(app, "openapi", None)
    if not callable(openapi):
        msg = f"{service.app} did not return a FastAPI application"
        raise ContractError(msg)
    schema: Schema = openapi()
    return schema


def committed_schema(root: Path, service: ServiceInfo) -> Schema | None:
    path = contract_path(root, service)
    if not path.is_file():
        return None
    schema: Schema = json.loads(path.read_text(encoding="utf-8"))
    return schema


def schema_at_ref(root: Path, service: ServiceInfo, ref: str) -> Schema | None:
    """The contract as committed at git `ref`, or `None` when the file did not exist."""
    relative = contract_path(root, service).relative_to(root).as_posix()
    verify = subprocess.run(  # noqa: S603 - fixed git command, ref passed as one argument
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],  # noqa: S607
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if verify.returncode != 0:
        msg = f"unknown git ref {ref!r}"
        raise ContractError(msg)
    shown = subprocess.run(  # noqa: S603
        ["git", "show", f"{ref}:./{relative}"],  # noqa: S607
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        return None
    schema: Schema = json.loads(shown.stdout)
    return schema
