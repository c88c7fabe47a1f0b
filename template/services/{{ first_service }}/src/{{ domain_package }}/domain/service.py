"""Use cases of the item catalogue. Each runs in one unit of work, so an item change and
the event announcing it are committed together (the transactional outbox)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from ..ports.persistence import IdempotencyRecord, UnitOfWork
from .errors import (
    IdempotencyKeyReusedError,
    IdempotentItemGoneError,
    ItemNotFoundError,
    VersionConflictError,
)
from .events import item_created, item_deleted, item_updated
from .model import Item, ItemStatus
from .queries import ItemPage, ItemQuery

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class NewItem:
    sku: str
    name: str
    price_cents: int
    currency: str
    description: str = ""
    status: ItemStatus = ItemStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Idempotency:
    """How to make a create request idempotent.

    `request_hash` identifies the request body; `render` turns the created item into the
    response to store, so a retry gets back exactly what the first request got. The
    stored body carries the item's `id`: a retry after the item was deleted is refused.
    """

    principal: str
    key: str
    request_hash: str
    render: Callable[[Item], StoredResponse]


@dataclass(frozen=True, slots=True)
class Created:
    item: Item


@dataclass(frozen=True, slots=True)
class Replayed:
    """A retry of a request that already succeeded: the stored response."""

    response: StoredResponse


class _KeyTakenError(Exception):
    """A concurrent request with the same idempotency key committed first."""


class ItemService:
    def __init__(self, unit_of_work: Callable[[], UnitOfWork], *, clock: Clock = utc_now) -> None:
        self._unit_of_work = unit_of_work
        self._clock = clock

    def create(self, new: NewItem, *, idempotency: Idempotency | None = None) -> Created | Replayed:
        if idempotency is None:
            return self._create(new, None)
        try:
            return self._create(new, idempotency)
        except _KeyTakenError:
            # The other request's transaction is committed now: answer like a retry would.
            with self._unit_of_work() as uow:
                replay = _stored_response(uow, idempotency)
            if replay is None:  # pragma: no cover - the key was inserted and committed
                raise
            return replay

    def _create(self, new: NewItem, idempotency: Idempotency | None) -> Created | Replayed:
        with self._unit_of_work() as uow:
            if idempotency is not None:
                replay = _stored_response(uow, idempotency)
                if replay is not None:
                    return replay
            item = Item.create(
                sku=new.sku,
                name=new.name,
                description=new.description,
                price_cents=new.price_cents,
                currency=new.currency,
                status=new.status,
                now=self._clock(),
            )
            if idempotency is not None:
                # The key goes in first: a concurrent request with the same key waits on
                # it (PostgreSQL) and then finds it taken, instead of failing on the SKU.
                response = idempotency.render(item)
                record = IdempotencyRecord(
                    principal=idempotency.principal,
                    key=idempotency.key,
                    request_hash=idempotency.request_hash,
                    response_status=response.status,
                    response_body=response.body,
                    created_at=item.created_at,
                )
                if not uow.idempotency.add(record):
                    raise _KeyTakenError
            uow.items.add(item)
            uow.outbox.add(item_created(item))
            uow.commit()
        return Created(item)

    def get(self, item_id: UUID) -> Item:
        with self._unit_of_work() as uow:
            item = uow.items.get(item_id)
        if item is None:
            raise ItemNotFoundError(item_id)
        return item

    def list_items(self, query: ItemQuery) -> ItemPage:
        with self._unit_of_work() as uow:
            return uow.items.page(query)

    def update(
        self, item_id: UUID, changes: dict[str, Any], *, expected_version: int | None = None
    ) -> Item:
        """Apply `changes` (field name to new value). With `expected_version`, refuse to
        overwrite a change the caller has not seen."""
        with self._unit_of_work() as uow:
            current = uow.items.get(item_id)
            if current is None:
                raise ItemNotFoundError(item_id)
            if expected_version is not None and expected_version != current.version:
                raise VersionConflictError(item_id, expected_version, current.version)
            updated = current.apply(changes, now=self._clock())
            if updated is current:
                return current
            uow.items.update(updated, expected_version=current.version)
            uow.outbox.add(item_updated(current, updated))
            uow.commit()
        return updated

    def delete(self, item_id: UUID) -> None:
        with self._unit_of_work() as uow:
            current = uow.items.get(item_id)
            if current is None or not uow.items.delete(item_id):
                raise ItemNotFoundError(item_id)
            uow.outbox.add(item_deleted(current, at=self._clock()))
            uow.commit()


def _stored_response(uow: UnitOfWork, idempotency: Idempotency) -> Replayed | None:
    record = uow.idempotency.get(idempotency.principal, idempotency.key)
    if record is None:
        return None
    if record.request_hash != idempotency.request_hash:
        raise IdempotencyKeyReusedError(idempotency.key)
    # The stored body is the created item (`Idempotency.render`). Once that item is
    # deleted, replaying it would point the client at an item that does not exist.
    created_id = record.response_body.get("id")
    if isinstance(created_id, str) and uow.items.get(UUID(created_id)) is None:
        raise IdempotentItemGoneError(idempotency.key, created_id)
    return Replayed(StoredResponse(record.response_status, record.response_body))
