"""The API reference shows what a client needs from the contract beyond its shapes: the
scopes an operation requires and the links from a response to the next operations."""

from typing import Annotated

from fastapi import Depends, FastAPI, status
from pydantic import BaseModel
from service_kit import ServiceSettings, create_service_app
from service_kit.auth import Principal, require_scopes
from shared_contracts import render_reference

Reader = Annotated[Principal, Depends(require_scopes("widgets:read"))]


class Widget(BaseModel):
    id: int


def make_document() -> dict[str, object]:
    app: FastAPI = create_service_app(
        ServiceSettings(service_name="widgets", environment="test"), title="Widgets", version="2"
    )
    read_link = {
        "operationId": "get_widget",
        "parameters": {"widget_id": "$response.body#/id"},
        "description": "Read the widget just created.",
    }

    @app.post(
        "/v1/widgets",
        status_code=status.HTTP_201_CREATED,
        operation_id="create_widget",
        responses={status.HTTP_201_CREATED: {"links": {"GetWidget": read_link}}},
    )
    async def create_widget(widget: Widget) -> Widget:
        return widget

    @app.get("/v1/widgets/{widget_id}", operation_id="get_widget")
    async def get_widget(widget_id: int, _principal: Reader) -> Widget:
        return Widget(id=widget_id)

    document: dict[str, object] = app.openapi()
    return document


def test_an_operation_names_the_scopes_it_requires() -> None:
    page = render_reference(make_document(), "widgets")

    assert "Authentication: bearerAuth (scopes `widgets:read`)." in page
    assert "Authentication: none." in page


def test_a_response_lists_its_links() -> None:
    page = render_reference(make_document(), "widgets")

    assert (
        "| 201 | GetWidget | `get_widget` | `widget_id` = `$response.body#/id` "
        "| Read the widget just created. |"
    ) in page
