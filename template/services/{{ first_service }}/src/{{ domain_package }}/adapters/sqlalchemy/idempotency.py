"""Stored responses of requests made with an `Idempotency-Key`."""

from __future__ import annotations

from sqlalchemy import Connection, select

from ...ports.persistence import IdempotencyRecord
from .inserts import insert_unless_conflict
from .tables import idempotency_keys


class SqlIdempotencyStore:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, principal: str, key: str) -> IdempotencyRecord | None:
        row = self._connection.execute(
            select(idempotency_keys).where(
                idempotency_keys.c.principal == principal, idempotency_keys.c.key == key
            )
        ).one_or_none()
        if row is None:
            return None
        return IdempotencyRecord(
            principal=row.principal,
            key=row.key,
            request_hash=row.request_hash,
            response_status=row.response_status,
            response_body=row.response_body,
            created_at=row.created_at,
        )

    def add(self, record: IdempotencyRecord) -> bool:
        return insert_unless_conflict(
            self._connection,
            idempotency_keys,
            {
                "principal": record.principal,
                "key": record.key,
                "request_hash": record.request_hash,
                "response_status": record.response_status,
                "response_body": record.response_body,
                "created_at": record.created_at,
            },
            ["principal", "key"],
        )
