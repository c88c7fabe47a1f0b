"""Check every service against its committed contract, as an outside client would.

Starts every service on loopback with development settings and throw-away state (the
same launcher as `ops dev`), then runs schemathesis' command line against each with the
committed document: every check, every phase (examples, coverage, fuzzing, stateful).
The domain services get a development token carrying every scope their document asks
for; the auth service gets the development client's credentials as HTTP Basic.

The schemathesis settings no schema can carry (statuses answered to well-formed but
refused values) are in `schemathesis.toml` at the repository root, which `st run` reads.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from ops import stack
from ops.discovery import ServiceInfo

from .openapi import Schema, committed_schema, contract_path

AUTH_SERVICE = stack.AUTH_SERVICE
# The development client exists only in development settings, which the services started
# here run with (as under `make dev`).
DEV_CLIENT_ID = "dev-client"
DEV_CLIENT_SECRET = "dev-secret"  # noqa: S105  # pragma: allowlist secret
PHASES = ("examples", "coverage", "fuzzing", "stateful")
READY_TIMEOUT = 60.0
STOP_GRACE = 10.0


class ConformanceError(Exception):
    """The services cannot be started or a token cannot be had."""


@dataclass(frozen=True)
class Budget:
    """How hard to try: examples per operation and phase, and the random seed (`None`
    draws a new one, which schemathesis prints so a failure can be replayed)."""

    max_examples: int
    seed: int | None = None


def st_command(
    contract: Path, base_url: str, budget: Budget, *, auth: Sequence[str] = ()
) -> list[str]:
    """The `st run` command line for one service."""
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--no-color",
        "run",
        str(contract),
        "--url",
        base_url,
        "--checks",
        "all",
        "--phases",
        ",".join(PHASES),
        "--max-examples",
        str(budget.max_examples),
        *auth,
    ]
    if budget.seed is not None:
        command += ["--seed", str(budget.seed)]
    return command


def has_operations(document: Schema) -> bool:
    """Whether `document` describes any operation. A worker's contract has none (its
    health and metrics endpoints are the platform's, not part of the contract), and
    schemathesis refuses such a document (exit 2): there is nothing to check."""
    return any(
        isinstance(operation, dict)
        for item in document.get("paths", {}).values()
        for operation in item.values()
    )


def required_scopes(document: Schema) -> list[str]:
    """Every scope some operation's security requirement names, sorted."""
    scopes: set[str] = set()
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict):
                for requirement in operation.get("security", []):
                    for names in requirement.values():
                        scopes.update(names)
    return sorted(scopes)


def development_token(issuer: str, audience: str, scopes: Sequence[str]) -> str:
    """An access token from the local auth service, for the development client."""
    form = {"grant_type": "client_credentials", "audience": audience}
    if scopes:
        form["scope"] = " ".join(scopes)
    response = httpx.post(
        f"{issuer}/oauth/token",
        data=form,
        auth=(DEV_CLIENT_ID, DEV_CLIENT_SECRET),
        timeout=10.0,
    )
    if response.status_code != httpx.codes.OK:
        msg = f"no token for {audience}: {response.status_code} {response.text[:300]}"
        raise ConformanceError(msg)
    token: str = response.json()["access_token"]
    return token


@dataclass(frozen=True)
class LocalStack:
    issuer: str
    urls: Mapping[str, str]


@contextmanager
def loopback_stack(root: Path, services: Sequence[ServiceInfo]) -> Iterator[LocalStack]:
    """Start `services` on free loopback ports with throw-away databases and keys; yield
    the issuer and each service's URL, by name. The services' logs go to a file in the
    throw-away directory; a service that fails to start has its last lines in the error."""
    with (
        tempfile.TemporaryDirectory(prefix="conformance-") as state,
        (Path(state) / "services.log").open("w", encoding="utf-8") as log,
    ):
        state_dir = Path(state)
        running = [stack.Service.from_info(info, port=stack.free_port()) for info in services]
        issuer = stack.auth_issuer(running)
        base = {**os.environ, "KEYS_DIR": str(state_dir / "auth-keys")}
        supervisor = stack.Supervisor(
            stack.Console(log, [s.name for s in running]), threading.Event(), root
        )
        try:
            for service in running:
                database = f"sqlite:///{state_dir / service.name}.db"
                env = stack.service_env(service, issuer, base, database_url=database)
                if service.has_migrations:
                    stack.run_migrations(service, env, root)
                supervisor.start(service, stack.uvicorn_command(service, sys.executable), env)
            supervisor.wait_ready(READY_TIMEOUT)
            yield LocalStack(issuer, {s.name: s.base_url for s in running})
        except stack.StackError as error:
            raise ConformanceError(str(error)) from error
        finally:
            supervisor.stop(STOP_GRACE)


def auth_options(service: ServiceInfo, document: Schema, local: LocalStack) -> list[str]:
    """How schemathesis authenticates to `service`: the development client's Basic
    credentials for the auth service, a bearer token for the others that need one."""
    if service.name == AUTH_SERVICE:
        return ["--auth", f"{DEV_CLIENT_ID}:{DEV_CLIENT_SECRET}"]
    scopes = required_scopes(document)
    if not scopes and not _has_security(document):
        return []
    token = development_token(local.issuer, service.name, scopes)
    return ["--header", f"Authorization: Bearer {token}"]


def run(
    root: Path,
    services: Sequence[ServiceInfo],
    budget: Budget,
    *,
    names: Sequence[str] | None = None,
) -> dict[str, int]:
    """Start the stack and run schemathesis against the services in `names` (default:
    all); return each one's exit status (0: no failure). A service whose contract has no
    operations is left out of the result: there is nothing to check. The auth service
    always starts: the others verify tokens against it."""
    targets = [s for s in services if names is None or s.name in names]
    if not any(s.name == AUTH_SERVICE for s in services):
        msg = f"no {AUTH_SERVICE} service: the others cannot verify tokens"
        raise ConformanceError(msg)
    results: dict[str, int] = {}
    with loopback_stack(root, services) as local:
        for service in targets:
            document = committed_schema(root, service)
            if document is None:
                msg = f"{contract_path(root, service)} is missing: run `make contracts`"
                raise ConformanceError(msg)
            if not has_operations(document):
                continue
            command = st_command(
                contract_path(root, service),
                local.urls[service.name],
                budget,
                auth=auth_options(service, document, local),
            )
            results[service.name] = subprocess.run(command, cwd=root, check=False).returncode  # noqa: S603
    return results


def _has_security(document: Schema) -> bool:
    return any(
        isinstance(operation, dict) and operation.get("security")
        for item in document.get("paths", {}).values()
        for operation in item.values()
    )
