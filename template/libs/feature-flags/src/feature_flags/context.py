"""The evaluation context of a request: who calls (subject, tenant) and how (canary
header, method, path). Targeting rules in the flag file match on these attributes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from openfeature.evaluation_context import EvaluationContext
from service_kit.auth import Principal

CANARY_HEADER = "X-Canary"
CANARY_VALUE = "always"
TENANT_CLAIM = "tenant"


def build_context(
    *,
    subject: str | None,
    claims: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    method: str = "",
    path: str = "",
) -> EvaluationContext:
    """`targetingKey` is the subject, so percentage rollouts are sticky per caller."""
    attributes: dict[str, Any] = {
        "canary": (headers or {}).get(CANARY_HEADER.lower(), "").lower() == CANARY_VALUE,
        "method": method,
        "path": path,
    }
    tenant = (claims or {}).get(TENANT_CLAIM)
    if isinstance(tenant, str) and tenant:
        attributes["tenant"] = tenant
    return EvaluationContext(targeting_key=subject, attributes=attributes)


def request_context(request: Request) -> EvaluationContext:
    """FastAPI dependency: the request's evaluation context.

    The caller comes from `request.state.principal`, which service-kit's
    `require_scopes` sets: declare this dependency after the principal parameter
    (FastAPI resolves parameters in order). Without one the context is anonymous.
    """
    principal: Principal | None = getattr(request.state, "principal", None)
    headers = {CANARY_HEADER.lower(): request.headers.get(CANARY_HEADER, "")}
    return build_context(
        subject=principal.subject if principal else None,
        claims=principal.claims if principal else None,
        headers=headers,
        method=request.method,
        path=request.url.path,
    )
