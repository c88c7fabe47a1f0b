import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from observability.tracing import otlp_traces_url
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind


class RecordingHandler(BaseHTTPRequestHandler):
    """A downstream service that remembers the headers it was called with."""

    received: list[dict[str, str]] = []  # noqa: RUF012 - shared with the test on purpose

    def do_GET(self) -> None:
        RecordingHandler.received.append(dict(self.headers.items()))
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def downstream() -> Iterator[str]:
    """A real HTTP server on the loopback interface: the global httpx instrumentation
    patches httpx's network transports, which `httpx.MockTransport` bypasses."""
    RecordingHandler.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_request_makes_a_server_span(client: TestClient, spans: InMemorySpanExporter) -> None:
    client.get("/items/7")

    server_spans = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert [s.name for s in server_spans] == ["GET /items/{item_id}"]
    span = server_spans[0]
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/items/{item_id}"
    assert span.resource.attributes["service.name"] == "orders"
    assert span.resource.attributes["service.version"] == "2.0.0"


def test_excluded_paths_make_no_spans(client: TestClient, spans: InMemorySpanExporter) -> None:
    client.get("/livez")
    client.get("/metrics")

    assert spans.get_finished_spans() == ()


def test_incoming_traceparent_is_continued(client: TestClient, spans: InMemorySpanExporter) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    client.get("/items/1", headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"})

    server_span = next(s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER)
    assert format(server_span.context.trace_id, "032x") == trace_id


def test_outgoing_httpx_calls_carry_traceparent(
    app: FastAPI, spans: InMemorySpanExporter, downstream: str
) -> None:
    @app.get("/proxy")
    async def proxy() -> dict[str, bool]:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"{downstream}/downstream")
        return {"ok": response.json()["ok"]}

    with TestClient(app) as client:
        assert client.get("/proxy").json() == {"ok": True}

    server_span = next(s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER)
    [headers] = RecordingHandler.received
    traceparent = {k.lower(): v for k, v in headers.items()}["traceparent"]
    version, trace_id, parent_id, _flags = traceparent.split("-")
    assert version == "00"
    assert trace_id == format(server_span.context.trace_id, "032x")
    # The downstream's parent is the client span, a child of the server span.
    assert parent_id != format(server_span.context.span_id, "016x")


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("http://collector:4318", "http://collector:4318/v1/traces"),
        ("http://collector:4318/", "http://collector:4318/v1/traces"),
        ("http://collector:4318/v1/traces", "http://collector:4318/v1/traces"),
    ],
)
def test_otlp_endpoint_is_a_base_url(endpoint: str, expected: str) -> None:
    assert otlp_traces_url(endpoint) == expected
