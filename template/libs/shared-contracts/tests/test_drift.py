"""The committed contracts match the apps of this repository (run `make contracts`)."""

from pathlib import Path

import pytest
from ops.discovery import ServiceInfo, discover_services
from shared_contracts.openapi import app_schema, contract_path, contracts_dir, render

REPO_ROOT = Path(__file__).resolve().parents[3]
# Never empty here (the repository ships services): if discovery found none, collection
# fails (`empty_parameter_set_mark`) instead of the check passing without looking.
SERVICES = discover_services(REPO_ROOT)


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_committed_contract_matches_app(service: ServiceInfo) -> None:
    path = contract_path(REPO_ROOT, service)

    assert path.is_file(), f"{path} is missing: run `make contracts`"
    assert path.read_text(encoding="utf-8") == render(app_schema(service)), (
        f"{path.name} drifted from the {service.name} app: run `make contracts`"
    )


def test_every_contract_belongs_to_a_service() -> None:
    known = {contract_path(REPO_ROOT, service).name for service in SERVICES}

    stale = [p.name for p in contracts_dir(REPO_ROOT).glob("*.json") if p.name not in known]

    assert stale == [], "contracts without a service: run `make contracts`"
