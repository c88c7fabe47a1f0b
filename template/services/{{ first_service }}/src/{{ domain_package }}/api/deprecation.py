"""Announcing the end of a route: `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and a
`Link` to the successor.

    @router.get("/v1/things", deprecated=True,
                dependencies=[Depends(deprecated_route(date(2026, 6, 30), "/v2/things"))])

`deprecated=True` marks the operation in the OpenAPI document; the dependency tells
clients at run time, on every response of the route.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from email.utils import format_datetime

from fastapi import Response


def deprecated_route(
    sunset: date,
    successor: str | None = None,
    *,
    deprecated_on: date | None = None,
) -> Callable[[Response], None]:
    """A dependency setting the deprecation headers.

    `sunset`: the day the route stops working (from midnight UTC). `successor`: URI of the
    replacement, relative or absolute. `deprecated_on`: since when the route is
    deprecated; defaults to the sunset day, i.e. "deprecated at the latest when it goes".
    """
    since = deprecated_on or sunset
    if since > sunset:
        raise ValueError("a route cannot be deprecated after its sunset")
    # RFC 9745: an RFC 8941 Date, `@` and Unix seconds. RFC 8594: an HTTP-date.
    deprecation = f"@{int(_midnight_utc(since).timestamp())}"
    sunset_value = format_datetime(_midnight_utc(sunset), usegmt=True)
    link = f'<{successor}>; rel="successor-version"' if successor else None

    def set_deprecation_headers(response: Response) -> None:
        response.headers["Deprecation"] = deprecation
        response.headers["Sunset"] = sunset_value
        if link is not None:
            # Other links the route sets must survive: Link may repeat.
            response.headers.append("Link", link)

    return set_deprecation_headers


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
