"""OpenTelemetry tracing: a `TracerProvider` per app, FastAPI server spans, httpx client
spans and W3C `traceparent` propagation."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)

TracesExporter = Literal["none", "console", "otlp"]

OTLP_TRACES_PATH = "/v1/traces"


def otlp_traces_url(endpoint: str) -> str:
    """`endpoint` is the collector's base URL, like `OTEL_EXPORTER_OTLP_ENDPOINT`
    (`http://collector:4318`); the HTTP exporter needs the full traces URL."""
    base = endpoint.rstrip("/")
    return base if base.endswith(OTLP_TRACES_PATH) else base + OTLP_TRACES_PATH


def build_tracer_provider(
    *,
    service_name: str,
    version: str,
    traces_exporter: TracesExporter,
    otlp_endpoint: str | None,
    span_exporter: SpanExporter | None = None,
) -> TracerProvider:
    """A provider that always creates spans (so logs carry trace ids and `traceparent`
    propagates) and exports them according to `traces_exporter`.

    `span_exporter` overrides `traces_exporter` and exports synchronously; tests pass an
    `InMemorySpanExporter`.
    """
    resource = Resource.create({"service.name": service_name, "service.version": version})
    provider = TracerProvider(resource=resource)
    if span_exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    elif traces_exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    elif traces_exporter == "otlp":
        # Without an endpoint the exporter reads the standard OTEL_EXPORTER_OTLP_* variables.
        endpoint = otlp_traces_url(otlp_endpoint) if otlp_endpoint else None
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


def instrument(app: FastAPI, provider: TracerProvider, excluded_paths: Collection[str]) -> None:
    # Probes and scrapes would drown the useful spans; the patterns match the URL's path.
    excluded = ",".join(rf"^[^?]*//[^/]+{re.escape(path)}(\?.*)?$" for path in excluded_paths)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=excluded)
    # httpx is instrumented once per process and records its client spans with the global
    # provider. A process runs one service, so the first app's provider becomes global;
    # the `traceparent` header always follows the active server span.
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        trace.set_tracer_provider(provider)
    instrumentor = HTTPXClientInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()
