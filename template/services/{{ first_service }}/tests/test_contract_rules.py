"""What the OpenAPI document promises, the API does: the rules an outside conformance run
(schemathesis, every check and phase) found broken once, one test each."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

ITEMS = "/v1/items"


def _item(sku: str, **overrides: Any) -> dict[str, Any]:
    return {"sku": sku, "name": "Mug", "price_cents": 500, "currency": "EUR", **overrides}


def test_a_price_range_upside_down_is_empty_not_an_error(
    client: TestClient, auth: dict[str, str]
) -> None:
    assert client.post(ITEMS, json=_item("MUG-1"), headers=auth).status_code == 201

    response = client.get(ITEMS, params={"min_price": 600, "max_price": 400}, headers=auth)

    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None}


def test_a_retry_after_the_item_was_deleted_is_a_conflict(
    client: TestClient, auth: dict[str, str]
) -> None:
    """Replaying the stored 201 would hand out the id of an item that no longer exists:
    the client would follow `Location` to a 404."""
    headers = {**auth, "Idempotency-Key": "order-7"}
    created = client.post(ITEMS, json=_item("MUG-2"), headers=headers)
    assert client.delete(created.headers["Location"], headers=auth).status_code == 204

    retry = client.post(ITEMS, json=_item("MUG-2"), headers=headers)

    assert retry.status_code == 409, retry.text
    assert retry.headers["content-type"] == "application/problem+json"
    assert client.get(ITEMS, headers=auth).json()["items"] == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("price_cents", True, id="boolean-price"),
        pytest.param("price_cents", "12", id="numeric-string-price"),
        pytest.param("version", False, id="boolean-version"),
        pytest.param("status", None, id="null-status"),
        pytest.param("version", None, id="null-version"),
    ],
)
def test_patch_values_the_schema_does_not_allow_are_refused(
    client: TestClient, auth: dict[str, str], field: str, value: object
) -> None:
    item = client.post(ITEMS, json=_item("MUG-3"), headers=auth).json()

    response = client.patch(f"{ITEMS}/{item['id']}", json={field: value}, headers=auth)

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", field]


def test_an_integral_json_number_is_an_integer(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(ITEMS, json=_item("MUG-4", price_cents=1200.0), headers=auth)

    assert response.status_code == 201, response.text
    assert response.json()["price_cents"] == 1200


def test_the_update_schema_offers_no_null(app: FastAPI) -> None:
    properties = app.openapi()["components"]["schemas"]["ItemUpdate"]["properties"]

    offered = {name: field for name, field in properties.items() if "null" in str(field)}

    assert offered == {}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        pytest.param("PUT", ITEMS, "GET, POST", id="collection"),
        pytest.param(
            "POST",
            f"{ITEMS}/00000000-0000-0000-0000-000000000001",
            "DELETE, GET, PATCH",
            id="item",
        ),
    ],
)
def test_405_allows_every_method_of_the_path(
    client: TestClient, auth: dict[str, str], method: str, path: str, allowed: str
) -> None:
    response = client.request(method, path, headers=auth)

    assert response.status_code == 405
    assert response.headers["Allow"] == allowed


def test_a_created_item_links_to_the_operations_on_it(app: FastAPI) -> None:
    document = app.openapi()
    operation_ids = {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
    }
    created = document["paths"][ITEMS]["post"]["responses"]["201"]

    links = created["links"]

    assert {link["operationId"] for link in links.values()} == {
        "get_item",
        "update_item",
        "delete_item",
    }
    assert {link["operationId"] for link in links.values()} <= operation_ids
    assert all(link["parameters"] == {"item_id": "$response.body#/id"} for link in links.values())
    assert set(created["headers"]) == {"Location", "Idempotent-Replayed"}
