"""Request and response bodies of `/v1/items` (the public contract: change with care,
`make contracts` shows the diff and CI refuses breaking changes)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from ..domain.model import (
    CURRENCY_PATTERN,
    DESCRIPTION_MAX_LENGTH,
    MAX_PRICE_CENTS,
    NAME_MAX_LENGTH,
    SKU_MAX_LENGTH,
    SKU_PATTERN,
    Item,
    ItemStatus,
)

Sku = Annotated[
    str,
    Field(
        min_length=1,
        max_length=SKU_MAX_LENGTH,
        pattern=SKU_PATTERN,
        description="Stock keeping unit, unique across items.",
        examples=["TSHIRT-RED-M"],
    ),
]
Name = Annotated[
    str,
    Field(
        min_length=1,
        max_length=NAME_MAX_LENGTH,
        # Not blank, no NUL characters (PostgreSQL text cannot store them).
        pattern=r"^[^\x00]*[^\x00\s][^\x00]*$",
        examples=["Red T-shirt"],
    ),
]
Description = Annotated[
    str,
    Field(max_length=DESCRIPTION_MAX_LENGTH, pattern=r"^[^\x00]*$", examples=["Cotton, size M"]),
]


def _json_integer(value: object) -> object:
    """A JSON number with no fraction, as the schema's `integer` means: pydantic would also
    take `true` and `"12"` (lax mode), which the document does not allow."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        # ValueError, not TypeError: pydantic turns only the former into a 422.
        raise ValueError("must be an integer")
    return value


PriceCents = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_PRICE_CENTS,
        description="Price in the currency's minor unit (cents for EUR and USD).",
        examples=[1999],
    ),
    # After the constraints, so that they stay `minimum`/`maximum` in the JSON schema.
    BeforeValidator(_json_integer),
]
Currency = Annotated[
    str,
    Field(pattern=CURRENCY_PATTERN, description="ISO 4217 currency code.", examples=["EUR"]),
]


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Sku
    name: Name
    description: Description = ""
    price_cents: PriceCents
    currency: Currency
    status: ItemStatus = ItemStatus.ACTIVE


def _absent_not_null(schema: dict[str, Any]) -> None:
    """Document the optional fields as their type alone: `null` is refused (see
    `ItemUpdate._refuse_null`), so the schema must not offer it."""
    for field in schema.get("properties", {}).values():
        branches = field.get("anyOf", [])
        if {"type": "null"} in branches:
            others = [branch for branch in branches if branch != {"type": "null"}]
            field.pop("anyOf")
            field.update(others[0] if len(others) == 1 else {"anyOf": others})
            field.pop("default", None)


class ItemUpdate(BaseModel):
    """Fields to change; absent fields keep their value. `version`, when given, must be
    the item's current version (optimistic concurrency: 409 when someone else was first)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_absent_not_null)

    sku: Sku | None = None
    name: Name | None = None
    description: Description | None = None
    price_cents: PriceCents | None = None
    currency: Currency | None = None
    status: ItemStatus | None = None
    version: Annotated[int, Field(ge=1), BeforeValidator(_json_integer)] | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: object) -> object:
        # Absent means "keep"; null would mean "erase", which no field allows.
        if value is None:
            raise ValueError("must not be null; leave the field out to keep its value")
        return value

    def changes(self) -> dict[str, object]:
        """The fields the client sent, by name."""
        return {name: getattr(self, name) for name in self.model_fields_set if name != "version"}


class ItemRead(BaseModel):
    id: UUID
    sku: str
    name: str
    description: str
    price_cents: int
    currency: str
    status: ItemStatus
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def from_item(cls, item: Item) -> ItemRead:
        return cls(
            id=item.id,
            sku=item.sku,
            name=item.name,
            description=item.description,
            price_cents=item.price_cents,
            currency=item.currency,
            status=item.status,
            created_at=item.created_at,
            updated_at=item.updated_at,
            version=item.version,
        )


class ItemPageRead(BaseModel):
    items: list[ItemRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )
