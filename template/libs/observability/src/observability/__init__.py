"""Logs, traces and metrics for the platform's FastAPI services, set up in one call."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter

from .logs import add_trace_context, configure_logging, get_logger
from .metrics import HTTPMetrics, MetricsMiddleware
from .middleware import REQUEST_ID_HEADER, RequestContextMiddleware
from .tracing import TracesExporter, build_tracer_provider, instrument

METRICS_PATH = "/metrics"

__all__ = [
    "METRICS_PATH",
    "REQUEST_ID_HEADER",
    "Observability",
    "add_trace_context",
    "get_logger",
    "setup_observability",
]


@dataclass(frozen=True)
class Observability:
    """What `setup_observability` built; `shutdown()` flushes spans still buffered."""

    tracer_provider: TracerProvider
    metrics: HTTPMetrics

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()


def setup_observability(
    app: FastAPI,
    *,
    service_name: str,
    version: str,
    traces_exporter: TracesExporter = "none",
    otlp_endpoint: str | None = None,
    log_level: str = "INFO",
    excluded_paths: Collection[str] = (METRICS_PATH,),
    span_exporter: SpanExporter | None = None,
) -> Observability:
    """Wire JSON logs, request ids, traces and RED metrics into `app`, and serve
    `/metrics` (left out of the OpenAPI document).

    `excluded_paths` (health probes, the scrape endpoint) get no spans, request log lines
    or metrics. `span_exporter` replaces the exporter chosen by `traces_exporter` (tests).
    """
    configure_logging(service_name=service_name, version=version, level=log_level)
    metrics = HTTPMetrics(service_name)
    app.add_route(METRICS_PATH, metrics.endpoint, methods=["GET"], include_in_schema=False)
    # Added last, so they run first: every response, errors included, gets a request id.
    app.add_middleware(MetricsMiddleware, metrics=metrics, excluded_paths=excluded_paths)
    app.add_middleware(RequestContextMiddleware, excluded_paths=excluded_paths)
    provider = build_tracer_provider(
        service_name=service_name,
        version=version,
        traces_exporter=traces_exporter,
        otlp_endpoint=otlp_endpoint,
        span_exporter=span_exporter,
    )
    instrument(app, provider, excluded_paths)
    return Observability(tracer_provider=provider, metrics=metrics)
