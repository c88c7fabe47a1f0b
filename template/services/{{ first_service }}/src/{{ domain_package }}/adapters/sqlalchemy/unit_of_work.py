"""The unit of work: one connection, one transaction, every repository bound to it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, RootTransaction

from ...ports.persistence import IdempotencyStore, ItemRepository, Outbox
from .idempotency import SqlIdempotencyStore
from .outbox import SqlOutbox
from .repository import SqlItemRepository


class SqlUnitOfWork:
    """`with SqlUnitOfWork(engine) as uow: ...; uow.commit()`.

    Leaving the block without `commit()` (or through an exception) rolls back, so an item
    change and its outbox event are stored together or not at all.
    """

    items: ItemRepository
    outbox: Outbox
    idempotency: IdempotencyStore

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("a unit of work is not re-entrant; create a new one")
        connection = self._engine.connect()
        self._connection = connection
        self._transaction = connection.begin()
        self.items = SqlItemRepository(connection)
        self.outbox = SqlOutbox(connection)
        self.idempotency = SqlIdempotencyStore(connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._transaction.rollback()
        finally:
            if self._connection is not None:
                self._connection.close()
            self._connection = None
            self._transaction = None

    def commit(self) -> None:
        self._active().commit()

    def rollback(self) -> None:
        self._active().rollback()

    def _active(self) -> RootTransaction:
        if self._transaction is None:
            raise RuntimeError("the unit of work has not been entered")
        return self._transaction
