"""The transactional outbox: events are rows written in the same transaction as the
change they describe, and a relay publishes them afterwards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, insert, select, update

from ...domain.events import DomainEvent
from ...ports.messaging import OutboxMessage
from .tables import outbox_events


class SqlOutbox:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, event: DomainEvent) -> None:
        self._connection.execute(
            insert(outbox_events).values(
                id=event.id,
                aggregate_type=event.aggregate_type,
                aggregate_id=event.aggregate_id,
                event_type=event.event_type,
                payload=event.payload,
                occurred_at=event.occurred_at,
                published_at=None,
            )
        )

    def pending(self, limit: int) -> Sequence[OutboxMessage]:
        statement = (
            select(outbox_events)
            .where(outbox_events.c.published_at.is_(None))
            .order_by(outbox_events.c.occurred_at, outbox_events.c.id)
            .limit(limit)
            # PostgreSQL: concurrent relays take disjoint batches. SQLite ignores the
            # clause; its single writer lock serialises relays anyway.
            .with_for_update(skip_locked=True)
        )
        return [_message(row) for row in self._connection.execute(statement)]

    def mark_published(self, message_ids: Sequence[UUID], *, at: datetime) -> None:
        if not message_ids:
            return
        self._connection.execute(
            update(outbox_events)
            .where(outbox_events.c.id.in_(message_ids), outbox_events.c.published_at.is_(None))
            .values(published_at=at)
        )


def _message(row: Row[Any]) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        aggregate_type=row.aggregate_type,
        aggregate_id=row.aggregate_id,
        event_type=row.event_type,
        payload=row.payload,
        occurred_at=row.occurred_at,
        published_at=row.published_at,
    )
