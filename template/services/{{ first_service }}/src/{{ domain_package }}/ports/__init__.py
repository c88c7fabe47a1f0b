"""Ports: what the use cases need from the outside world, as `typing.Protocol`s.

Adapters (SQLAlchemy, log publisher, test fakes) implement them; the domain depends only
on these definitions.
"""

from .messaging import EventPublisher, OutboxMessage
from .persistence import IdempotencyRecord, IdempotencyStore, ItemRepository, Outbox, UnitOfWork

__all__ = [
    "EventPublisher",
    "IdempotencyRecord",
    "IdempotencyStore",
    "ItemRepository",
    "Outbox",
    "OutboxMessage",
    "UnitOfWork",
]
