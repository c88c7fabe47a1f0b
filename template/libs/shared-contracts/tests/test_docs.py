import re
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, Field
from service_kit import ServiceSettings, create_service_app
from service_kit.auth import Principal, require_scopes
from shared_contracts import render_reference


class Widget(BaseModel):
    """A thing | with a pipe in its description."""

    id: int
    name: str = Field(description="Display name | label")
    colour: Literal["red", "blue"] | None = None


def make_document() -> dict[str, object]:
    app: FastAPI = create_service_app(
        ServiceSettings(service_name="widgets", environment="test"), title="Widgets", version="2"
    )

    @app.get("/v1/widgets", summary="List widgets")
    async def list_widgets(
        principal: Annotated[Principal, Depends(require_scopes("widgets:read"))],
        limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    ) -> list[Widget]:
        return []

    @app.post("/v1/widgets", status_code=201, summary="Create a widget")
    async def create_widget(widget: Widget) -> Widget:
        return widget

    document: dict[str, object] = app.openapi()
    return document


def test_page_structure() -> None:
    page = render_reference(make_document(), "widgets")

    assert page.startswith("# Widgets API reference\n")
    assert len(re.findall(r"^# ", page, flags=re.MULTILINE)) == 1
    assert "## Endpoints" in page
    assert "| GET | `/v1/widgets` | List widgets | bearerAuth |" in page
    assert "| POST | `/v1/widgets` | Create a widget | none |" in page
    assert "| `limit` | query | integer | no | Page size |" in page
    assert "Request body (required): `application/json`: Widget" in page
    assert "| 201 | Successful Response | `application/json`: Widget |" in page
    assert "### `Widget`" in page
    assert "| `colour` | one of `red`, `blue` or null | no | - |" in page
    assert "| `name` | string | yes | Display name \\| label |" in page
    assert "A thing | with a pipe in its description." in page


def test_page_is_clean_markdown() -> None:
    page = render_reference(make_document(), "widgets")

    assert page.endswith("\n")
    assert not page.endswith("\n\n")
    assert "\n\n\n" not in page
    assert not [line for line in page.splitlines() if line != line.rstrip()]
    # No links at all: the page cannot break `mkdocs build --strict` wherever it lands.
    assert "](" not in page


def test_service_without_endpoints() -> None:
    page = render_reference({"openapi": "3.1.0", "info": {"title": "Empty"}, "paths": {}}, "e")

    assert "This service publishes no endpoints." in page
    assert "## Schemas" not in page
