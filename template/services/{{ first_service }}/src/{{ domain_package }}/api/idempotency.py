"""The `Idempotency-Key` request header (IETF draft "The Idempotency-Key HTTP Header
Field"): a retried POST with the same key and body gets the first response again instead
of creating a second resource."""

from __future__ import annotations

import hashlib
import json
from typing import Any

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Printable ASCII without spaces at either end: what a UUID, ULID or random token looks like.
KEY_PATTERN = r"^[!-~]([ -~]{0,253}[!-~])?$"


def request_hash(method: str, path: str, body: Any) -> str:
    """A fingerprint of the request: the method, the path and the body as parsed JSON
    (so whitespace and key order do not matter)."""
    canonical = json.dumps(
        {"method": method, "path": path, "body": body},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
