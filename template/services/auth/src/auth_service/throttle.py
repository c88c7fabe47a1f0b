"""Brute-force protection of the token endpoint.

Failed client authentications (an unknown client id or a wrong secret) are counted in a
moving window per claimed client id and per remote address, with the `limits` library's
in-memory storage. Once either count reaches its limit, the endpoint answers 429 with
`Retry-After` for that client id or address, without checking the credentials, until
enough failures have left the window. Successful authentications are not counted.

The counts live in the process: with several replicas an attacker gets each replica's
allowance, and a restart forgets them; limits shared by all replicas belong in front of
the service (the planned gateway module's rate limits). Client secrets are 256-bit
random values, so the limit is not what keeps them from being guessed; it keeps a
guessing client from burning CPU and filling logs, and flags it. A client whose id is
attacked is locked out along with the attacker until the window passes; the per-address
limit is the one that normally trips first.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

DEFAULT_LIMIT_PER_CLIENT = "10/minute"
DEFAULT_LIMIT_PER_ADDRESS = "30/minute"


def parse_limit(value: str) -> RateLimitItem:
    """A limit in the `limits` notation (`10/minute`, `100 per hour`); ValueError if not."""
    return parse(value)


class AuthFailureThrottle:
    """Counts failed client authentications and says when to refuse further attempts."""

    def __init__(self, per_client: str, per_address: str) -> None:
        self._per_client = parse_limit(per_client)
        self._per_address = parse_limit(per_address)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def _windows(
        self, client_id: str | None, address: str | None
    ) -> list[tuple[RateLimitItem, str, str]]:
        windows = []
        if client_id:
            windows.append((self._per_client, "client", client_id))
        if address:
            windows.append((self._per_address, "address", address))
        return windows

    def retry_after(self, client_id: str | None, address: str | None) -> int | None:
        """Seconds until `client_id` from `address` may try again, or None if it may now."""
        waits = [
            self._seconds_until_free(item, kind, key)
            for item, kind, key in self._windows(client_id, address)
            if not self._limiter.test(item, kind, key)
        ]
        return max(waits) if waits else None

    def record_failure(self, client_id: str | None, address: str | None) -> None:
        for item, kind, key in self._windows(client_id, address):
            self._limiter.hit(item, kind, key)

    def _seconds_until_free(self, item: RateLimitItem, kind: str, key: str) -> int:
        reset_at = self._limiter.get_window_stats(item, kind, key).reset_time
        return max(1, math.ceil(reset_at - time.time()))
