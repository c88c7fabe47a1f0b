"""Table definitions. The Alembic migrations in the package's migrations/ create exactly
these (a test compares them), and the application never creates tables itself."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    Uuid,
)

# Deterministic constraint names, so migrations can drop or alter them on every database
# (SQLite batch mode needs the names to recreate tables).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so values are stored as UTC
    without offset (fixed-width text that sorts chronologically) and read back as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass a timezone-aware value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


items = Table(
    "items",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("sku", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text(), nullable=False),
    Column("price_cents", BigInteger(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("version", Integer(), nullable=False),
    CheckConstraint("price_cents >= 0", name="price_cents_non_negative"),
    CheckConstraint("status IN ('active', 'archived')", name="status_known"),
    CheckConstraint("version >= 1", name="version_positive"),
    # One index per sort order, ending in the id tie-breaker, so every keyset page is an
    # index range scan.
    Index(None, "name", "id"),
    Index(None, "created_at", "id"),
    Index(None, "price_cents", "id"),
    Index(None, "status"),
)

outbox_events = Table(
    "outbox_events",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("aggregate_type", String(64), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("event_type", String(128), nullable=False),
    Column("payload", JSON(), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("published_at", UTCDateTime(), nullable=True),
    # The relay asks for the oldest unpublished events.
    Index(None, "published_at", "occurred_at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    # Keys are scoped to the authenticated client that chose them.
    Column("principal", String(255), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("response_status", Integer(), nullable=False),
    Column("response_body", JSON(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    # Retention jobs delete old keys by age.
    Index(None, "created_at"),
)
