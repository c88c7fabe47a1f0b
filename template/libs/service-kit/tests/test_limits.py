"""Request body limits: 413 problem details before the body is parsed or the caller is
authenticated, for declared and for chunked bodies, per service and per route."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel
from service_kit import ServiceSettings, create_service_app
from service_kit.limits import KiB, MiB, max_body_size
from starlette.types import Receive, Scope, Send


class Note(BaseModel):
    text: str


class Calls:
    """Counts what ran, so a test can show a 413 came before it."""

    def __init__(self) -> None:
        self.authenticated = 0
        self.handled = 0


def make_app(calls: Calls, **settings: Any) -> FastAPI:
    app = create_service_app(
        ServiceSettings(service_name="example", environment="test", **settings),
        title="Example",
        version="1",
    )

    async def authenticate() -> None:
        calls.authenticated += 1

    @app.post("/v1/notes", dependencies=[Depends(authenticate)])
    async def create_note(note: Note) -> dict[str, int]:
        calls.handled += 1
        return {"length": len(note.text)}

    @app.post("/v1/uploads")
    @max_body_size(4 * MiB)
    async def upload(request: Request) -> dict[str, int]:
        size = len(await request.body())
        calls.handled += 1
        return {"size": size}

    @app.post("/v1/pings", dependencies=[Depends(authenticate)])
    @max_body_size(64)
    async def ping(note: Note) -> dict[str, str]:
        calls.handled += 1
        return {"echo": note.text}

    return app


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def client(calls: Calls) -> Iterator[TestClient]:
    with TestClient(make_app(calls)) as test_client:
        yield test_client


def note_of(size: int) -> bytes:
    """A JSON body of exactly `size` bytes."""
    return b'{"text": "' + b"x" * (size - 12) + b'"}'


def chunks(body: bytes, size: int = 64 * KiB) -> Iterator[bytes]:
    # A generator body is sent with `Transfer-Encoding: chunked`, without Content-Length.
    for start in range(0, len(body), size):
        yield body[start : start + size]


def assert_too_large(response: Any, calls: Calls) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.json()["status"] == 413
    assert calls.authenticated == 0
    assert calls.handled == 0


def test_body_within_the_default_limit_is_accepted(client: TestClient, calls: Calls) -> None:
    response = client.post(
        "/v1/notes", content=note_of(MiB), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"length": MiB - 12}


def test_declared_oversized_body_is_413_before_authentication(
    client: TestClient, calls: Calls
) -> None:
    response = client.post(
        "/v1/notes", content=note_of(MiB + 1), headers={"Content-Type": "application/json"}
    )

    assert_too_large(response, calls)
    assert "1048576 bytes" in response.json()["detail"]


def test_chunked_oversized_body_is_413_before_authentication(
    client: TestClient, calls: Calls
) -> None:
    response = client.post(
        "/v1/notes",
        content=chunks(note_of(3 * MiB)),
        headers={"Content-Type": "application/json"},
    )

    assert "content-length" not in response.request.headers
    assert_too_large(response, calls)


def test_service_setting_changes_the_default(calls: Calls) -> None:
    with TestClient(make_app(calls, max_body_bytes=100)) as client:
        small = client.post("/v1/notes", json={"text": "short"})
        large = client.post("/v1/notes", content=note_of(101))

    assert small.status_code == 200
    calls.authenticated = calls.handled = 0
    assert_too_large(large, calls)


@pytest.mark.parametrize(
    ("path", "size", "status"),
    [
        pytest.param("/v1/uploads", 3 * MiB, 200, id="route-raises-the-limit"),
        pytest.param("/v1/uploads", 4 * MiB + 1, 413, id="route-limit-still-applies"),
        pytest.param("/v1/pings", 64, 200, id="route-lowers-the-limit"),
        pytest.param("/v1/pings", 65, 413, id="lowered-limit-applies"),
    ],
)
def test_a_route_declares_its_own_limit(
    client: TestClient, calls: Calls, path: str, size: int, status: int
) -> None:
    declared = client.post(
        path, content=note_of(size), headers={"Content-Type": "application/json"}
    )
    streamed = client.post(
        path, content=chunks(note_of(size), 16), headers={"Content-Type": "application/json"}
    )

    assert declared.status_code == status, declared.text
    assert streamed.status_code == status, streamed.text
    if status == 413:
        assert calls.handled == 0


def test_negative_route_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        max_body_size(-1)


def test_limit_applies_to_mounted_apps(calls: Calls) -> None:
    app = make_app(calls, max_body_bytes=10)

    async def raw_app(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass
        calls.handled += 1
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app.mount("/raw", raw_app)
    with TestClient(app) as client:
        accepted = client.post("/raw/", content=b"x" * 10)
        refused = client.post("/raw/", content=chunks(b"x" * 11, 4))

    assert accepted.status_code == 204
    assert refused.status_code == 413
    assert refused.headers["content-type"] == "application/problem+json"
    assert calls.handled == 1


def test_unread_bodies_are_not_limited(client: TestClient) -> None:
    # Nothing buffers a body no code reads; the route answers as usual.
    response = client.request("DELETE", "/livez", content=b"x" * (2 * MiB))

    assert response.status_code == 405
