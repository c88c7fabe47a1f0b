"""The item repository: rows of `items` to `Item` entities and back, keyset pagination."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Row, and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from ...domain.errors import DuplicateSkuError, VersionConflictError
from ...domain.model import Item, ItemStatus
from ...domain.queries import ItemFilter, ItemPage, ItemQuery, ItemSort, Position, SortField
from .inserts import insert_unless_conflict
from .tables import items

_SORT_COLUMNS = {
    SortField.NAME: items.c.name,
    SortField.CREATED_AT: items.c.created_at,
    SortField.PRICE: items.c.price_cents,
}


class SqlItemRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, item: Item) -> None:
        if not insert_unless_conflict(self._connection, items, _values(item), ["sku"]):
            raise DuplicateSkuError(item.sku)

    def get(self, item_id: UUID) -> Item | None:
        row = self._connection.execute(select(items).where(items.c.id == item_id)).one_or_none()
        return None if row is None else _item(row)

    def update(self, item: Item, *, expected_version: int) -> None:
        taken = self._connection.execute(
            select(items.c.id).where(items.c.sku == item.sku, items.c.id != item.id)
        ).first()
        if taken is not None:
            raise DuplicateSkuError(item.sku)
        values = _values(item)
        del values["id"], values["created_at"]
        try:
            result = self._connection.execute(
                update(items)
                .where(items.c.id == item.id, items.c.version == expected_version)
                .values(values)
            )
        except IntegrityError as exc:
            # Only the SKU can collide: another transaction took it after the check above.
            raise DuplicateSkuError(item.sku) from exc
        if result.rowcount != 1:
            raise VersionConflictError(item.id, expected_version, None)

    def delete(self, item_id: UUID) -> bool:
        result = self._connection.execute(delete(items).where(items.c.id == item_id))
        return bool(result.rowcount == 1)

    def page(self, query: ItemQuery) -> ItemPage:
        column = _SORT_COLUMNS[query.sort.field]
        conditions = _filter_conditions(query.filter)
        if query.after is not None:
            conditions.append(_after(query.sort, query.after))
        order = (
            (column.desc(), items.c.id.desc())
            if query.sort.descending
            else (column.asc(), items.c.id.asc())
        )
        # One row more than asked tells whether another page follows.
        rows = self._connection.execute(
            select(items).where(*conditions).order_by(*order).limit(query.limit + 1)
        ).all()
        found = [_item(row) for row in rows[: query.limit]]
        if len(rows) <= query.limit:
            return ItemPage(found, None)
        last = found[-1]
        return ItemPage(found, Position(query.sort.key(last), last.id))


def _filter_conditions(item_filter: ItemFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if item_filter.status is not None:
        conditions.append(items.c.status == item_filter.status.value)
    if item_filter.name_contains:
        # `%` and `_` in the search text are literals, not wildcards.
        conditions.append(items.c.name.icontains(item_filter.name_contains, autoescape=True))
    if item_filter.min_price_cents is not None:
        conditions.append(items.c.price_cents >= item_filter.min_price_cents)
    if item_filter.max_price_cents is not None:
        conditions.append(items.c.price_cents <= item_filter.max_price_cents)
    return conditions


def _after(sort: ItemSort, position: Position) -> ColumnElement[bool]:
    """Rows strictly after `position` in the sort order: (key, id) compared as a pair,
    spelled out because row-value comparison is not portable across databases."""
    column = _SORT_COLUMNS[sort.field]
    if sort.descending:
        return or_(
            column < position.sort_value,
            and_(column == position.sort_value, items.c.id < position.item_id),
        )
    return or_(
        column > position.sort_value,
        and_(column == position.sort_value, items.c.id > position.item_id),
    )


def _values(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "sku": item.sku,
        "name": item.name,
        "description": item.description,
        "price_cents": item.price_cents,
        "currency": item.currency,
        "status": item.status.value,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "version": item.version,
    }


def _item(row: Row[Any]) -> Item:
    return Item(
        id=row.id,
        sku=row.sku,
        name=row.name,
        description=row.description,
        price_cents=row.price_cents,
        currency=row.currency,
        status=ItemStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )
