"""The flags this service reads, evaluated once per request.

Each lookup passes the safe value as the code default: it is what the service does
when the flag is DISABLED (killed), missing, or flagd cannot be reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from feature_flags import EvaluationContext, FeatureFlags, request_context

CREATE_ENABLED = "items-create-enabled"
NEWEST_FIRST = "items-newest-first"
LARGE_PAGES = "items-large-pages"
CANARY = "items-canary"

STRATEGY_HEADER = "X-Items-Strategy"
# How long a client should wait before retrying a create refused by the kill switch.
KILLED_RETRY_AFTER_SECONDS = 60


@dataclass(frozen=True)
class ItemFeatures:
    create_enabled: bool
    newest_first: bool
    large_pages: bool
    canary: bool

    def refuse_if_killed(self) -> None:
        if not self.create_enabled:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail="creating items is switched off for now",
                headers={"Retry-After": str(KILLED_RETRY_AFTER_SECONDS)},
            )


def item_features(
    request: Request, context: Annotated[EvaluationContext, Depends(request_context)]
) -> ItemFeatures:
    flags: FeatureFlags = request.app.state.feature_flags
    return ItemFeatures(
        # Kill switch: off unless the flag says on, so DISABLED refuses creates.
        create_enabled=flags.boolean(CREATE_ENABLED, False, context),
        newest_first=flags.boolean(NEWEST_FIRST, False, context),
        large_pages=flags.boolean(LARGE_PAGES, False, context),
        canary=flags.boolean(CANARY, False, context),
    )


# Declare after the principal parameter: the evaluation context needs the caller.
Features = Annotated[ItemFeatures, Depends(item_features)]
