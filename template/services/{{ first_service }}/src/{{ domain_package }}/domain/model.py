"""The Item aggregate: a sellable thing with a price, and the rules it always obeys."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from .errors import InvalidItemError

SKU_MAX_LENGTH = 64
NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000
# The largest integer a JSON consumer using IEEE doubles (JavaScript) reads exactly; prices
# above it would silently lose cents on the way to a browser.
MAX_PRICE_CENTS = 2**53 - 1

# SKUs appear in URLs, logs and spreadsheets: letters, digits and a few separators.
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
# ISO 4217 alphabetic codes are three upper-case letters. The set of codes changes with
# politics (new currencies, redenominations), so it is the format that is enforced here;
# a payment adapter rejects codes it cannot settle.
CURRENCY_PATTERN = r"^[A-Z]{3}$"

_SKU = re.compile(SKU_PATTERN)
_CURRENCY = re.compile(CURRENCY_PATTERN)


class ItemStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


# Fields a caller may change after creation; id, timestamps and version belong to the domain.
MUTABLE_FIELDS = frozenset({"sku", "name", "description", "price_cents", "currency", "status"})


@dataclass(frozen=True, slots=True)
class Item:
    """An immutable snapshot of an item; changes produce a new snapshot with a new version."""

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

    def __post_init__(self) -> None:
        _check_text("sku", self.sku, SKU_MAX_LENGTH, allow_empty=False)
        if not _SKU.match(self.sku):
            raise InvalidItemError("sku may hold only letters, digits, '.', '_' and '-'")
        _check_text("name", self.name, NAME_MAX_LENGTH, allow_empty=False)
        if not self.name.strip():
            raise InvalidItemError("name must not be blank")
        _check_text("description", self.description, DESCRIPTION_MAX_LENGTH, allow_empty=True)
        if isinstance(self.price_cents, bool) or not isinstance(self.price_cents, int):
            raise InvalidItemError("price_cents must be an integer")
        if not 0 <= self.price_cents <= MAX_PRICE_CENTS:
            raise InvalidItemError(f"price_cents must be between 0 and {MAX_PRICE_CENTS}")
        if not _CURRENCY.match(self.currency):
            raise InvalidItemError("currency must be an ISO 4217 code such as 'EUR'")
        if not isinstance(self.status, ItemStatus):
            raise InvalidItemError(f"status must be one of {[s.value for s in ItemStatus]}")
        if self.created_at.tzinfo is None or self.updated_at.tzinfo is None:
            raise InvalidItemError("timestamps must be timezone-aware")
        if self.version < 1:
            raise InvalidItemError("version starts at 1")

    @classmethod
    def create(
        cls,
        *,
        sku: str,
        name: str,
        description: str,
        price_cents: int,
        currency: str,
        status: ItemStatus,
        now: datetime,
    ) -> Item:
        return cls(
            id=uuid4(),
            sku=sku,
            name=name,
            description=description,
            price_cents=price_cents,
            currency=currency,
            status=status,
            created_at=now,
            updated_at=now,
            version=1,
        )

    def apply(self, changes: dict[str, Any], *, now: datetime) -> Item:
        """Return the item with `changes` applied and the version bumped.

        Only mutable fields may change; unchanged values are ignored, so a request that
        changes nothing does not create a new version.
        """
        unknown = set(changes) - MUTABLE_FIELDS
        if unknown:
            raise InvalidItemError(f"cannot change {sorted(unknown)}")
        effective = self.diff(changes)
        if not effective:
            return self
        return replace(self, **effective, updated_at=now, version=self.version + 1)

    def diff(self, changes: dict[str, Any]) -> dict[str, Any]:
        """The subset of `changes` that differs from the current values."""
        return {name: value for name, value in changes.items() if getattr(self, name) != value}

    def snapshot(self) -> dict[str, Any]:
        """A JSON-compatible representation, used for event payloads."""
        return {
            "id": str(self.id),
            "sku": self.sku,
            "name": self.name,
            "description": self.description,
            "price_cents": self.price_cents,
            "currency": self.currency,
            "status": self.status.value,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "version": self.version,
        }


def _check_text(field: str, value: object, max_length: int, *, allow_empty: bool) -> None:
    if not isinstance(value, str):
        raise InvalidItemError(f"{field} must be a string")
    if not allow_empty and not value:
        raise InvalidItemError(f"{field} must not be empty")
    if len(value) > max_length:
        raise InvalidItemError(f"{field} must be at most {max_length} characters")
    # PostgreSQL text cannot hold NUL; refusing it here keeps SQLite and PostgreSQL alike.
    if "\x00" in value:
        raise InvalidItemError(f"{field} must not contain NUL characters")
