import copy
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from service_kit import ServiceSettings, create_service_app
from shared_contracts import breaking_changes

Document = dict[str, Any]

BASE: Document = {
    "openapi": "3.1.0",
    "info": {"title": "Items", "version": "1.0.0"},
    "paths": {
        "/v1/items": {
            "get": {
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer"},
                    },
                    {
                        "name": "sort",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": ["name", "-name", "price"]},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Item"},
                                }
                            }
                        },
                    },
                    "422": {"description": "Validation error"},
                },
            },
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ItemCreate"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "Created",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    }
                },
            },
        },
        "/v1/items/{item_id}": {
            "get": {
                "parameters": [
                    {
                        "name": "item_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    }
                },
            },
            "delete": {"responses": {"204": {"description": "Deleted"}}},
        },
    },
    "components": {
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "price": {"anyOf": [{"type": "number"}, {"type": "null"}]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            },
            "ItemCreate": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "price": {"anyOf": [{"type": "number"}, {"type": "null"}]},
                    "status": {"$ref": "#/components/schemas/Status"},
                },
            },
            "Status": {"type": "string", "enum": ["draft", "active", "archived"]},
        }
    },
}


def schemas(doc: Document) -> dict[str, Any]:
    result: dict[str, Any] = doc["components"]["schemas"]
    return result


def items_get(doc: Document) -> dict[str, Any]:
    result: dict[str, Any] = doc["paths"]["/v1/items"]["get"]
    return result


def remove_path(doc: Document) -> None:
    del doc["paths"]["/v1/items/{item_id}"]


def remove_operation(doc: Document) -> None:
    del doc["paths"]["/v1/items/{item_id}"]["delete"]


def remove_success_response(doc: Document) -> None:
    responses = doc["paths"]["/v1/items"]["post"]["responses"]
    responses["200"] = responses.pop("201")


def remove_response_property(doc: Document) -> None:
    del schemas(doc)["Item"]["properties"]["price"]


def require_request_property(doc: Document) -> None:
    schemas(doc)["ItemCreate"]["required"].append("price")


def add_required_request_property(doc: Document) -> None:
    create = schemas(doc)["ItemCreate"]
    create["properties"]["sku"] = {"type": "string"}
    create["required"].append("sku")


def add_required_parameter(doc: Document) -> None:
    items_get(doc)["parameters"].append(
        {"name": "tenant", "in": "header", "required": True, "schema": {"type": "string"}}
    )


def require_existing_parameter(doc: Document) -> None:
    items_get(doc)["parameters"][0]["required"] = True


def add_required_body(doc: Document) -> None:
    doc["paths"]["/v1/items/{item_id}"]["delete"]["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }


def remove_request_media_type(doc: Document) -> None:
    body = doc["paths"]["/v1/items"]["post"]["requestBody"]
    body["content"] = {"application/x-www-form-urlencoded": body["content"]["application/json"]}


def narrow_parameter_enum(doc: Document) -> None:
    items_get(doc)["parameters"][1]["schema"]["enum"] = ["name", "-name"]


def narrow_body_enum(doc: Document) -> None:
    schemas(doc)["Status"]["enum"] = ["draft", "active"]


def change_parameter_type(doc: Document) -> None:
    doc["paths"]["/v1/items/{item_id}"]["get"]["parameters"][0]["schema"] = {"type": "string"}
    items_get(doc)["parameters"][0]["schema"] = {"type": "number"}  # widening: fine


def change_response_property_type(doc: Document) -> None:
    schemas(doc)["Item"]["properties"]["id"] = {"type": "string"}


def make_response_property_nullable(doc: Document) -> None:
    schemas(doc)["Item"]["properties"]["name"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}


BREAKING: list[tuple[str, Callable[[Document], None], set[tuple[str, str]]]] = [
    ("removed path", remove_path, {("removed-path", "/v1/items/{item_id}")}),
    ("removed operation", remove_operation, {("removed-operation", "DELETE /v1/items/{item_id}")}),
    (
        "removed success response",
        remove_success_response,
        {("removed-response", "POST /v1/items response 201")},
    ),
    (
        "removed response property",
        remove_response_property,
        {
            ("removed-response-property", "GET /v1/items response 200 application/json[].price"),
            ("removed-response-property", "POST /v1/items response 201 application/json.price"),
            (
                "removed-response-property",
                "GET /v1/items/{item_id} response 200 application/json.price",
            ),
        },
    ),
    (
        "optional request property now required",
        require_request_property,
        {("new-required-property", "POST /v1/items request application/json.price")},
    ),
    (
        "new required request property",
        add_required_request_property,
        {("new-required-property", "POST /v1/items request application/json.sku")},
    ),
    (
        "new required parameter",
        add_required_parameter,
        {("new-required-parameter", "GET /v1/items header parameter 'tenant'")},
    ),
    (
        "optional parameter now required",
        require_existing_parameter,
        {("new-required-parameter", "GET /v1/items query parameter 'limit'")},
    ),
    (
        "new required body",
        add_required_body,
        {("new-required-body", "DELETE /v1/items/{item_id}")},
    ),
    (
        "removed request media type",
        remove_request_media_type,
        {("removed-media-type", "POST /v1/items request application/json")},
    ),
    (
        "narrowed parameter enum",
        narrow_parameter_enum,
        {("narrowed-enum", "GET /v1/items query parameter 'sort'")},
    ),
    (
        "narrowed request body enum",
        narrow_body_enum,
        {("narrowed-enum", "POST /v1/items request application/json.status")},
    ),
    (
        "changed parameter type",
        change_parameter_type,
        {("changed-type", "GET /v1/items/{item_id} path parameter 'item_id'")},
    ),
    (
        "changed response property type",
        change_response_property_type,
        {
            ("changed-type", "GET /v1/items response 200 application/json[].id"),
            ("changed-type", "POST /v1/items response 201 application/json.id"),
            ("changed-type", "GET /v1/items/{item_id} response 200 application/json.id"),
        },
    ),
    (
        "response property may now be null",
        make_response_property_nullable,
        {
            ("changed-type", "GET /v1/items response 200 application/json[].name"),
            ("changed-type", "POST /v1/items response 201 application/json.name"),
            ("changed-type", "GET /v1/items/{item_id} response 200 application/json.name"),
        },
    ),
]


def add_path(doc: Document) -> None:
    doc["paths"]["/v1/health-report"] = {"get": {"responses": {"200": {"description": "OK"}}}}


def add_operation(doc: Document) -> None:
    doc["paths"]["/v1/items/{item_id}"]["patch"] = {"responses": {"200": {"description": "OK"}}}


def add_optional_request_property(doc: Document) -> None:
    schemas(doc)["ItemCreate"]["properties"]["description"] = {"type": "string"}


def add_response_property(doc: Document) -> None:
    schemas(doc)["Item"]["properties"]["created_at"] = {"type": "string", "format": "date-time"}


def add_optional_parameter(doc: Document) -> None:
    items_get(doc)["parameters"].append(
        {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}}
    )


def widen_request_enum(doc: Document) -> None:
    schemas(doc)["Status"]["enum"].append("deleted")
    items_get(doc)["parameters"][1]["schema"]["enum"].append("-price")


def relax_required_request_property(doc: Document) -> None:
    schemas(doc)["ItemCreate"]["required"] = []


def widen_request_types(doc: Document) -> None:
    items_get(doc)["parameters"][0]["schema"] = {"anyOf": [{"type": "number"}, {"type": "null"}]}


def change_error_responses(doc: Document) -> None:
    del items_get(doc)["responses"]["422"]


def add_success_response(doc: Document) -> None:
    doc["paths"]["/v1/items"]["post"]["responses"]["200"] = {"description": "Already there"}


COMPATIBLE: list[tuple[str, Callable[[Document], None]]] = [
    ("new path", add_path),
    ("new operation", add_operation),
    ("new optional request property", add_optional_request_property),
    ("new response property", add_response_property),
    ("new optional parameter", add_optional_parameter),
    ("widened request enum", widen_request_enum),
    ("required request property made optional", relax_required_request_property),
    ("request accepts more types", widen_request_types),
    ("error responses changed", change_error_responses),
    ("new success response", add_success_response),
]


def changed(mutate: Callable[[Document], None]) -> Document:
    document = copy.deepcopy(BASE)
    mutate(document)
    return document


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(mutate, expected, id=name) for name, mutate, expected in BREAKING],
)
def test_breaking_changes(
    mutate: Callable[[Document], None], expected: set[tuple[str, str]]
) -> None:
    changes = breaking_changes(BASE, changed(mutate))

    assert {(change.rule, change.location) for change in changes} == expected


@pytest.mark.parametrize("mutate", [pytest.param(mutate, id=name) for name, mutate in COMPATIBLE])
def test_compatible_changes(mutate: Callable[[Document], None]) -> None:
    assert breaking_changes(BASE, changed(mutate)) == []


def test_identical_documents_are_compatible() -> None:
    assert breaking_changes(BASE, copy.deepcopy(BASE)) == []


def test_recursive_schemas_terminate() -> None:
    old = copy.deepcopy(BASE)
    schemas(old)["Item"]["properties"]["children"] = {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Item"},
    }
    new = copy.deepcopy(old)
    del schemas(new)["Item"]["properties"]["tags"]

    rules = {change.rule for change in breaking_changes(old, new)}

    assert rules == {"removed-response-property"}


def test_change_describes_itself() -> None:
    [change] = breaking_changes(BASE, changed(remove_operation))

    assert str(change) == "DELETE /v1/items/{item_id}: operation removed [removed-operation]"


class ItemV1(BaseModel):
    id: int
    name: str
    price: float | None = None


class ItemV2(BaseModel):
    id: int
    name: str


class ItemFilter(BaseModel):
    name: str


def fastapi_schema(model: type[BaseModel], *, strict_filter: bool) -> Document:
    app: FastAPI = create_service_app(
        ServiceSettings(service_name="items", environment="test"), title="Items", version="1"
    )

    @app.get("/v1/items/{item_id}", response_model=model)
    async def read_item(item_id: int) -> Any:
        return {"id": item_id, "name": "x"}

    if strict_filter:

        @app.post("/v1/items/search")
        async def search(body: ItemFilter, limit: int) -> list[int]:
            return []

    else:

        @app.post("/v1/items/search")
        async def search_any(body: ItemFilter, limit: int | None = None) -> list[int]:
            return []

    schema: Document = app.openapi()
    return schema


def test_detects_changes_in_real_fastapi_documents() -> None:
    old = fastapi_schema(ItemV1, strict_filter=False)
    new = fastapi_schema(ItemV2, strict_filter=True)

    changes = {(change.rule, change.location) for change in breaking_changes(old, new)}

    assert changes == {
        (
            "removed-response-property",
            "GET /v1/items/{item_id} response 200 application/json.price",
        ),
        ("new-required-parameter", "POST /v1/items/search query parameter 'limit'"),
        ("changed-type", "POST /v1/items/search query parameter 'limit'"),
    }
    assert breaking_changes(new, old) == []
