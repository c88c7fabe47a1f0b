"""What a caller may ask of the item collection: filters, sort orders and keyset pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from .errors import InvalidItemError
from .model import Item, ItemStatus

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class SortField(StrEnum):
    NAME = "name"
    CREATED_AT = "created_at"
    PRICE = "price"


@dataclass(frozen=True, slots=True)
class ItemSort:
    """A sort order: one field, ascending or descending, with the item id as tie-breaker
    (in the same direction), so every order is total and keyset pagination is exact."""

    field: SortField
    descending: bool = False

    @classmethod
    def parse(cls, token: str) -> ItemSort:
        """Parse `name`, `-name`, `created_at`, `-price`, ..."""
        descending = token.startswith("-")
        try:
            return cls(SortField(token.removeprefix("-")), descending)
        except ValueError:
            raise InvalidItemError(f"unknown sort order {token!r}") from None

    @property
    def token(self) -> str:
        return f"-{self.field.value}" if self.descending else self.field.value

    def key(self, item: Item) -> SortValue:
        """The value of the sort field for `item` (what a keyset position records)."""
        if self.field is SortField.NAME:
            return item.name
        if self.field is SortField.PRICE:
            return item.price_cents
        return item.created_at


SortValue = str | int | datetime


@dataclass(frozen=True, slots=True)
class Position:
    """A keyset position: the sort value and id of the last item of a page."""

    sort_value: SortValue
    item_id: UUID


@dataclass(frozen=True, slots=True)
class ItemFilter:
    status: ItemStatus | None = None
    # Case-insensitive substring of the name.
    name_contains: str | None = None
    # Inclusive bounds. A minimum above the maximum is an empty range, not an error:
    # each bound is valid on its own, and a client narrowing a range may cross them.
    min_price_cents: int | None = None
    max_price_cents: int | None = None


@dataclass(frozen=True, slots=True)
class ItemQuery:
    filter: ItemFilter = ItemFilter()
    sort: ItemSort = ItemSort(SortField.CREATED_AT)
    limit: int = DEFAULT_PAGE_SIZE
    after: Position | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise InvalidItemError(f"limit must be between 1 and {MAX_PAGE_SIZE}")


@dataclass(frozen=True, slots=True)
class ItemPage:
    items: list[Item]
    # Where the next page starts; None on the last page.
    next: Position | None
