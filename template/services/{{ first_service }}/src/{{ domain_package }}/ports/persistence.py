"""Persistence ports: the item repository, the outbox, the idempotency store and the unit
of work that makes changes to all three commit or roll back together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self
from uuid import UUID

from ..domain.events import DomainEvent
from ..domain.model import Item
from ..domain.queries import ItemPage, ItemQuery
from .messaging import OutboxMessage


class ItemRepository(Protocol):
    def add(self, item: Item) -> None:
        """Insert a new item; raises `DuplicateSkuError` when the SKU is taken."""

    def get(self, item_id: UUID) -> Item | None: ...

    def update(self, item: Item, *, expected_version: int) -> None:
        """Replace the stored item if it is still at `expected_version`.

        Raises `VersionConflictError` when another transaction changed or deleted it first
        and `DuplicateSkuError` when the new SKU is taken.
        """

    def delete(self, item_id: UUID) -> bool:
        """Delete the item; False when it did not exist."""

    def page(self, query: ItemQuery) -> ItemPage:
        """One page of items matching the query, in the query's sort order."""


class Outbox(Protocol):
    def add(self, event: DomainEvent) -> None:
        """Store the event in the current transaction."""

    def pending(self, limit: int) -> Sequence[OutboxMessage]:
        """The oldest unpublished messages. Where the database supports it they are locked
        (skipping rows another relay holds), so relays can run side by side."""

    def mark_published(self, message_ids: Sequence[UUID], *, at: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The response to a request made with an `Idempotency-Key`, kept to replay it.

    `principal` scopes the key: two clients may pick the same key independently.
    """

    principal: str
    key: str
    request_hash: str
    response_status: int
    response_body: dict[str, Any]
    created_at: datetime


class IdempotencyStore(Protocol):
    def get(self, principal: str, key: str) -> IdempotencyRecord | None: ...

    def add(self, record: IdempotencyRecord) -> bool:
        """Store the record; False when the key is already taken (a concurrent request
        with the same key got there first)."""


class UnitOfWork(Protocol):
    """One database transaction. Leaving the `with` block without `commit()` rolls back."""

    items: ItemRepository
    outbox: Outbox
    idempotency: IdempotencyStore

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
