"""Opaque pagination cursors.

A cursor is the keyset position of the last item of a page (its sort value and id) plus
the sort order it belongs to, as URL-safe base64 JSON. Clients must treat it as opaque;
the format may change between versions (the `v` member says which).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any
from uuid import UUID

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
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursorError("cursor is not valid") from exc
    if not isinstance(document, dict) or document.get("v") != CURSOR_VERSION:
        raise InvalidCursorError("cursor is not valid")
    if document.get("s") != sort.token:
        raise InvalidCursorError(f"cursor belongs to another sort order than {sort.token!r}")
    try:
        item_id = UUID(str(document["id"]))
        return Position(_sort_value(sort.field, document["k"]), item_id)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidCursorError("cursor is not valid") from exc


def _sort_value(field: SortField, value: object) -> str | int | datetime:
    if field is SortField.NAME and isinstance(value, str):
        return value
    if field is SortField.PRICE and isinstance(value, int) and not isinstance(value, bool):
        return value
    if field is SortField.CREATED_AT and isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("cursor timestamp has no time zone")
        return parsed
    raise ValueError("cursor sort value has the wrong type")
