"""Every service answers as its committed contract says: schemathesis, with every check
and every phase, against each service started on loopback, as
`python -m shared_contracts conform` does.

A fixed seed and a small budget keep this run repeatable and short; the scheduled
`api-conformance.yml` workflow runs a larger budget with a new seed every night. The
cheap tests below pin what the run is made of.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest
from ops.discovery import ServiceInfo, discover_services
from shared_contracts.conformance import (
    PHASES,
    Budget,
    has_operations,
    required_scopes,
    run,
    st_command,
)
from shared_contracts.openapi import committed_schema

REPO_ROOT = Path(__file__).resolve().parents[3]
SERVICES = discover_services(REPO_ROOT)
# Examples per operation and phase: enough to reach every status code of every route
# (the stateful phase included) in well under a minute per service on two cores.
CI_BUDGET = Budget(max_examples=25, seed=20_240_601)
NO_SERVICES = pytest.mark.skip(
    reason="no service under services/ declares a goldenpath.dev/app annotation"
)


@pytest.fixture(scope="module")
def exit_codes() -> dict[str, int]:
    return run(REPO_ROOT, SERVICES, CI_BUDGET)


@pytest.mark.conformance
@pytest.mark.parametrize(
    "service",
    [pytest.param(service, id=service.name) for service in SERVICES]
    or [pytest.param(None, marks=NO_SERVICES, id="no-services")],
)
def test_service_conforms_to_its_contract(exit_codes: dict[str, int], service: ServiceInfo) -> None:
    document = committed_schema(REPO_ROOT, service)
    assert document is not None
    if not has_operations(document):
        # A worker's contract: schemathesis refuses a document without operations, so
        # the run leaves the service out rather than report that refusal as a failure.
        assert service.name not in exit_codes
        return
    assert exit_codes[service.name] == 0, (
        f"schemathesis found {service.name} answering differently from its contract (the "
        "report is in the captured output); reproduce with `uv run python -m "
        f"shared_contracts conform --service {service.name} --seed {CI_BUDGET.seed} "
        f"--max-examples {CI_BUDGET.max_examples}`"
    )


def test_the_run_uses_every_check_and_phase_on_the_committed_contract() -> None:
    contract = REPO_ROOT / "libs" / "shared-contracts" / "openapi" / "auth.json"

    command = st_command(contract, "http://127.0.0.1:8001", Budget(7, seed=3), auth=["-a", "u:p"])

    assert command[:3] == [sys.executable, "-m", "schemathesis.cli"]
    assert command[command.index("run") + 1] == str(contract)
    options = dict(itertools.pairwise(command))
    assert options["--checks"] == "all"
    assert options["--phases"].split(",") == list(PHASES)
    assert set(PHASES) == {"examples", "coverage", "fuzzing", "stateful"}
    assert options["--url"] == "http://127.0.0.1:8001"
    assert options["--max-examples"] == "7"
    assert options["--seed"] == "3"
    assert options["-a"] == "u:p"


def test_without_a_seed_schemathesis_draws_one() -> None:
    command = st_command(Path("c.json"), "http://127.0.0.1:1", Budget(5))

    assert "--seed" not in command


@pytest.mark.parametrize(
    ("security", "scopes"),
    [
        pytest.param([], [], id="public"),
        pytest.param([{"bearerAuth": []}], [], id="token-without-scopes"),
        pytest.param(
            [{"bearerAuth": ["items:write"]}, {"bearerAuth": ["items:read"]}],
            ["items:read", "items:write"],
            id="scopes-of-every-requirement",
        ),
    ],
)
def test_the_token_carries_every_scope_the_document_names(
    security: list[dict[str, list[str]]], scopes: list[str]
) -> None:
    document = {
        "paths": {
            "/a": {"get": {"security": security}, "parameters": []},
            "/b": {"post": {"security": security[:1]}},
        }
    }

    assert required_scopes(document) == scopes


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        pytest.param({}, False, id="worker-without-paths"),
        pytest.param({"/a": {"parameters": []}}, False, id="path-without-operations"),
        pytest.param({"/a": {"get": {"responses": {}}}}, True, id="one-operation"),
    ],
)
def test_a_contract_without_operations_has_nothing_to_check(
    paths: dict[str, dict[str, object]], expected: bool
) -> None:
    assert has_operations({"paths": paths}) is expected


@pytest.mark.parametrize(
    "service",
    [pytest.param(service, id=service.name) for service in SERVICES]
    or [pytest.param(None, marks=NO_SERVICES, id="no-services")],
)
def test_every_error_a_contract_documents_is_problem_details(service: ServiceInfo) -> None:
    """FastAPI's own 422 body is gone from the documents; every 4xx and 5xx a service
    documents is `application/problem+json`, except the RFC 6749 error responses of the
    token endpoint, which that RFC makes plain JSON."""
    document = committed_schema(REPO_ROOT, service)
    assert document is not None

    # A contract without operations (a worker's) may have no components at all.
    assert "HTTPValidationError" not in document.get("components", {}).get("schemas", {})
    for item in document["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if not status.startswith(("4", "5")):
                    continue
                content = response["content"]
                oauth = content.get("application/json", {}).get("schema", {}).get("$ref", "")
                assert "application/problem+json" in content or oauth.endswith(
                    "/OAuthErrorResponse"
                ), (operation["operationId"], status)
