"""Publishing domain events to the rest of the platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A stored domain event waiting to be (or already) published."""

    id: UUID
    aggregate_type: str
    aggregate_id: str
    event_type: str
    payload: dict[str, Any]
    occurred_at: datetime
    published_at: datetime | None = None


class EventPublisher(Protocol):
    """Delivers one message to a broker, log or webhook.

    Must raise when delivery failed, so the relay leaves the message pending. Consumers
    deduplicate on `message.id`: delivery is at least once.
    """

    def publish(self, message: OutboxMessage) -> None: ...
