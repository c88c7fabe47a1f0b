"""Opaque pagination cursors.

A cursor is the keyset position of the last item of a page (its sort value and id) plus
the sort order it belongs to, as URL-safe base64 JSON. Clients must treat it as opaque;
the format may change between versions (the `v` member says which).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from ..domain.model import MAX_PRICE_CENTS, NAME_MAX_LENGTH
from ..domain.queries import ItemSort, Position, SortField

CURSOR_VERSION = 1
# Generous for the longest name (200 characters, up to 4 bytes each) plus base64 overhead.
MAX_CURSOR_LENGTH = 2048


class InvalidCursorError(ValueError):
    pass


def encode_cursor(sort: ItemSort, position: Position) -> str:
    value = position.sort_value
    document = {
        "v": CURSOR_VERSION,
        "s": sort.token,
        "k": value.isoformat() if isinstance(value, datetime) else value,
        "id": str(position.item_id),
    }
    raw = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: ItemSort) -> Position:
    """The position in `cursor`; `InvalidCursorError` when it is malformed or was issued
    for another sort order."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursorError("cursor is too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        document: Any = json.loads(raw)
    # RecursionError: a document of deeply nested brackets fits in the length limit.
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise InvalidCursorError("cursor is not valid") from exc
    # `type(...) is int`: JSON `true` equals 1 in Python and is no version.
    if not isinstance(document, dict) or type(document.get("v")) is not int:
        raise InvalidCursorError("cursor is not valid")
    if document["v"] != CURSOR_VERSION:
        raise InvalidCursorError("cursor is not valid")
    if document.get("s") != sort.token:
        raise InvalidCursorError(f"cursor belongs to another sort order than {sort.token!r}")
    item_id = document.get("id")
    if not isinstance(item_id, str):
        raise InvalidCursorError("cursor is not valid")
    try:
        return Position(_sort_value(sort.field, document.get("k")), UUID(item_id))
    except ValueError as exc:
        raise InvalidCursorError("cursor is not valid") from exc


def _sort_value(field: SortField, value: object) -> str | int | datetime:
    """The sort value, checked against what the column can hold.

    The cursor is client input: a value no item can have (a price beyond the largest
    one, a timestamp that overflows when converted to UTC, text PostgreSQL cannot store)
    would otherwise reach the database driver and fail there as a server error.
    """
    if field is SortField.NAME and isinstance(value, str):
        return _name(value)
    if field is SortField.PRICE and type(value) is int:
        if not 0 <= value <= MAX_PRICE_CENTS:
            raise ValueError("cursor price is out of range")
        return value
    if field is SortField.CREATED_AT and isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("cursor timestamp has no time zone")
        try:
            # Converted here, where an overflow (year 1 at +14:00) is a client error.
            return parsed.astimezone(UTC)
        except OverflowError as exc:
            raise ValueError("cursor timestamp is out of range") from exc
    raise ValueError("cursor sort value has the wrong type")


def _name(value: str) -> str:
    if len(value) > NAME_MAX_LENGTH or "\x00" in value:
        raise ValueError("cursor name is not a possible item name")
    try:
        # Lone surrogates (JSON allows "\ud800") cannot be encoded for the database.
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("cursor name is not valid text") from exc
    return value
