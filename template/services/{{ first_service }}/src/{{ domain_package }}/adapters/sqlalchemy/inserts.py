"""`INSERT ... ON CONFLICT DO NOTHING`, the portable way to learn that a unique key is
taken without aborting the transaction (PostgreSQL aborts it on an IntegrityError)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError


def insert_unless_conflict(
    connection: Connection,
    table: Table,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
) -> bool:
    """Insert one row; False (and nothing written) when `conflict_columns` already exist."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table).on_conflict_do_nothing(
            index_elements=list(conflict_columns)
        )
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing(
            index_elements=list(conflict_columns)
        )
    else:
        # Other databases: a savepoint keeps the outer transaction usable after the error.
        try:
            with connection.begin_nested():
                connection.execute(insert(table).values(dict(values)))
        except IntegrityError:
            return False
        return True
    # RETURNING rather than rowcount: drivers may report -1 for INSERT ... ON CONFLICT.
    inserted = connection.execute(
        statement.values(dict(values)).returning(*table.primary_key.columns)
    ).first()
    return inserted is not None
