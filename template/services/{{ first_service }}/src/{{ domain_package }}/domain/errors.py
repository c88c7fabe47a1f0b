"""Errors the domain raises; the API layer maps each one to an HTTP problem."""

from __future__ import annotations

from uuid import UUID


class DomainError(Exception):
    """Base class: every expected failure of a use case."""


class InvalidItemError(DomainError, ValueError):
    """A value breaks an item invariant (negative price, malformed currency, ...)."""


class ItemNotFoundError(DomainError):
    def __init__(self, item_id: UUID) -> None:
        super().__init__(f"item {item_id} does not exist")
        self.item_id = item_id


class DuplicateSkuError(DomainError):
    def __init__(self, sku: str) -> None:
        super().__init__(f"an item with SKU {sku!r} already exists")
        self.sku = sku


class VersionConflictError(DomainError):
    """The item changed since the caller read it (optimistic concurrency)."""

    def __init__(self, item_id: UUID, expected: int, actual: int | None) -> None:
        super().__init__(
            f"item {item_id} is at version {actual}, not {expected}"
            if actual is not None
            else f"item {item_id} changed concurrently"
        )
        self.item_id = item_id
        self.expected = expected
        self.actual = actual


class IdempotencyKeyReusedError(DomainError):
    """The idempotency key was already used for a request with a different body."""

    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was used for a different request")
        self.key = key


class IdempotentItemGoneError(DomainError):
    """A retry of a create whose item has been deleted since: replaying the first
    response would hand out the id of an item that no longer exists."""

    def __init__(self, key: str, item_id: object) -> None:
        super().__init__(
            f"idempotency key {key!r} created item {item_id}, which has been deleted since"
        )
        self.key = key
        self.item_id = item_id
