"""Domain events: facts other systems learn about through the transactional outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from .model import MUTABLE_FIELDS, Item

ITEM_AGGREGATE = "item"
ITEM_CREATED = "item.created"
ITEM_UPDATED = "item.updated"
ITEM_DELETED = "item.deleted"


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Something that happened to an aggregate. `payload` is JSON-compatible.

    Consumers receive events at least once and may see them out of order across
    aggregates; `version` inside the payload orders the events of one item.
    """

    aggregate_type: str
    aggregate_id: str
    event_type: str
    payload: dict[str, Any]
    occurred_at: datetime
    id: UUID = field(default_factory=uuid4)


def item_created(item: Item) -> DomainEvent:
    return DomainEvent(
        aggregate_type=ITEM_AGGREGATE,
        aggregate_id=str(item.id),
        event_type=ITEM_CREATED,
        payload={"item": item.snapshot()},
        occurred_at=item.created_at,
    )


def item_updated(before: Item, after: Item) -> DomainEvent:
    changed = sorted(before.diff({name: getattr(after, name) for name in MUTABLE_FIELDS}))
    return DomainEvent(
        aggregate_type=ITEM_AGGREGATE,
        aggregate_id=str(after.id),
        event_type=ITEM_UPDATED,
        payload={"item": after.snapshot(), "changed": changed},
        occurred_at=after.updated_at,
    )


def item_deleted(item: Item, *, at: datetime) -> DomainEvent:
    return DomainEvent(
        aggregate_type=ITEM_AGGREGATE,
        aggregate_id=str(item.id),
        event_type=ITEM_DELETED,
        payload={"item": {"id": str(item.id), "sku": item.sku, "version": item.version}},
        occurred_at=at,
    )
