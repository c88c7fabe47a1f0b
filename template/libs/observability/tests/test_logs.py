import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from observability.logs import MAX_LOG_LINE_BYTES, BoundedJSONRenderer
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind


def log_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """Every stdout line must be one JSON object."""
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]


def test_logs_are_json_with_request_and_trace_ids(
    client: TestClient, spans: InMemorySpanExporter, capsys: pytest.CaptureFixture[str]
) -> None:
    response = client.get("/items/5", headers={"X-Request-ID": "req-42"})

    lines = log_lines(capsys)
    server_span = next(s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER)
    trace_id = format(server_span.context.trace_id, "032x")
    event = next(line for line in lines if line["event"] == "item read")
    assert event["item_id"] == 5
    assert event["request_id"] == "req-42"
    assert event["trace_id"] == trace_id
    assert len(event["span_id"]) == 16
    assert event["level"] == "info"
    assert event["service"] == "orders"
    assert event["timestamp"].endswith("Z")
    access = next(line for line in lines if line["event"] == "request")
    assert access["route"] == "/items/{item_id}"
    assert access["status"] == 200
    assert access["request_id"] == "req-42"
    assert access["trace_id"] == trace_id
    assert response.headers["x-request-id"] == "req-42"


def test_request_id_is_generated_when_missing_or_unsafe(client: TestClient) -> None:
    generated = client.get("/items/1").headers["x-request-id"]
    replaced = client.get("/items/1", headers={"X-Request-ID": "bad id\twith spaces"})

    assert len(generated) == 32
    assert replaced.headers["x-request-id"] not in {"bad id\twith spaces", generated}


def test_request_id_is_not_shared_between_requests(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.get("/items/1", headers={"X-Request-ID": "first"})
    client.get("/items/2")

    ids = [line.get("request_id") for line in log_lines(capsys) if line["event"] == "item read"]
    assert ids[0] == "first"
    assert ids[1] not in {None, "first"}


def test_excluded_paths_are_not_logged(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.get("/livez")

    assert not [line for line in log_lines(capsys) if line["event"] == "request"]


def test_standard_library_logs_are_json(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    logging.getLogger("some.library").warning("disk %s is %d%% full", "/var", 91)

    [line] = [line for line in log_lines(capsys) if line.get("logger") == "some.library"]
    assert line["event"] == "disk /var is 91% full"
    assert line["level"] == "warning"
    assert "trace_id" not in line


def test_exceptions_are_logged_as_structured_tracebacks(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    from observability import get_logger  # noqa: PLC0415

    try:
        raise ValueError("boom")
    except ValueError:
        get_logger("tests").exception("failed")

    [line] = [line for line in log_lines(capsys) if line["event"] == "failed"]
    assert line["level"] == "error"
    assert line["exception"][0]["exc_type"] == "ValueError"
    assert line["exception"][0]["frames"]
    assert "locals" not in set(_keys(line))
    assert "truncated" not in line


def _keys(value: Any) -> Iterator[str]:
    """Every mapping key anywhere in a decoded JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def _fail_with_secrets(depth: int) -> None:
    # Locals a traceback renderer could pick up: a credential and a large buffer.
    authorization = "Bearer local-secret-token"  # noqa: F841
    payload = "p" * 200_000  # noqa: F841
    if depth:
        _fail_with_secrets(depth - 1)
    raise ValueError("m" * 1_000_000)


@pytest.mark.parametrize("depth", [pytest.param(0, id="shallow"), pytest.param(150, id="deep")])
def test_exception_logs_have_no_locals_and_a_bounded_size(
    client: TestClient, capsys: pytest.CaptureFixture[str], depth: int
) -> None:
    from observability import get_logger  # noqa: PLC0415

    try:
        _fail_with_secrets(depth)
    except ValueError:
        get_logger("tests").exception("failed", request_id="req-7")

    [raw] = [line for line in capsys.readouterr().out.splitlines() if '"failed"' in line]
    assert len(raw.encode()) <= MAX_LOG_LINE_BYTES
    assert "local-secret-token" not in raw
    line = json.loads(raw)
    assert "locals" not in set(_keys(line))
    assert line["event"] == "failed"
    assert line["request_id"] == "req-7"
    assert line["truncated"] > MAX_LOG_LINE_BYTES
    assert line["exception"][0]["exc_type"] == "ValueError"


def test_stdlib_exception_logs_have_no_locals(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        _fail_with_secrets(0)
    except ValueError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")

    [raw] = [line for line in capsys.readouterr().out.splitlines() if "ASGI" in line]
    assert len(raw.encode()) <= MAX_LOG_LINE_BYTES
    assert "local-secret-token" not in raw
    assert "locals" not in set(_keys(json.loads(raw)))


def test_everything_but_the_essentials_goes_when_nothing_else_fits() -> None:
    renderer = BoundedJSONRenderer(max_bytes=400)
    event = {"event": "x" * 1000, "level": "info", **{f"field{i}": "v" * 50 for i in range(50)}}

    line = json.loads(renderer(None, "info", event))

    assert set(line) == {"event", "level", "truncated"}
    assert len(renderer(None, "info", event)) <= 400


def test_short_lines_are_unchanged() -> None:
    event = {"event": "hello", "items": list(range(100))}

    assert json.loads(BoundedJSONRenderer()(None, "info", dict(event))) == event
