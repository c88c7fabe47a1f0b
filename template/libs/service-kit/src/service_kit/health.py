"""Liveness, readiness and startup endpoints (the three Kubernetes probes).

- `/livez`: the process serves requests; never checks dependencies, so a database outage
  does not make Kubernetes restart every pod.
- `/readyz`: every readiness check passes; failing pods are taken out of load balancing.
- `/startupz`: the lifespan start-up finished (migrations are not run here: they are a
  separate deployment step).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NamedTuple

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

HEALTH_PATHS = ("/livez", "/readyz", "/startupz")

# A readiness check slower than this counts as failed: a probe must answer quickly.
READINESS_TIMEOUT_SECONDS = 2.0

_logger = structlog.stdlib.get_logger("service_kit.health")


class ReadinessCheck(NamedTuple):
    """A named dependency check: the callable returns `None` when healthy, raises otherwise."""

    name: str
    check: Callable[[], Awaitable[None]]


async def _run(check: ReadinessCheck) -> str | None:
    """Return `None` when the check passed, else the failure reason (exception type only:
    the endpoint is unauthenticated, details go to the log)."""
    try:
        await asyncio.wait_for(check.check(), timeout=READINESS_TIMEOUT_SECONDS)
    except TimeoutError:
        _logger.warning("readiness check timed out", check=check.name)
        return "timeout"
    except Exception as exc:  # any failure means "not ready"
        _logger.warning("readiness check failed", check=check.name, error=repr(exc))
        return type(exc).__name__
    return None


def health_router(readiness: Sequence[ReadinessCheck]) -> APIRouter:
    checks = tuple(ReadinessCheck(*check) for check in readiness)
    router = APIRouter(include_in_schema=False)

    @router.get("/livez")
    async def livez() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/startupz")
    async def startupz(request: Request) -> JSONResponse:
        if getattr(request.app.state, "startup_complete", False):
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "starting"}, status_code=503)

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        if not getattr(request.app.state, "startup_complete", False):
            return JSONResponse({"status": "starting", "failing": ["startup"]}, status_code=503)
        results = await asyncio.gather(*(_run(check) for check in checks))
        failing = [check.name for check, error in zip(checks, results, strict=True) if error]
        body: dict[str, Any] = {
            "status": "fail" if failing else "ok",
            "checks": {
                check.name: {"status": "fail", "error": error} if error else {"status": "ok"}
                for check, error in zip(checks, results, strict=True)
            },
        }
        if failing:
            body["failing"] = failing
            return JSONResponse(body, status_code=503)
        return JSONResponse(body)

    return router
