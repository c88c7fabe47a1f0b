"""Connection limits enforced by the server: header size, slow headers, concurrency."""

import select
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from service_kit import ServiceSettings
from service_kit.server import HeaderTimeoutH11Protocol, run, server_options
from starlette.types import Receive, Scope, Send

# Generous: the server must close the connection by itself long before this.
SOCKET_TIMEOUT = 30


async def hello(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]}
    )
    await send({"type": "http.response.body", "body": b"hello"})


@pytest.fixture(params=[0.5], ids=["header-timeout-0.5s"])
def server_port(request: pytest.FixtureRequest) -> Iterator[int]:
    """A real uvicorn server on a free port with a 2 KiB header limit; the header timeout
    is the fixture's parameter."""
    settings = ServiceSettings(
        service_name="example", max_header_bytes=2048, header_timeout_seconds=request.param
    )
    config = uvicorn.Config(
        hello, host="127.0.0.1", port=0, lifespan="off", log_config=None, **server_options(settings)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            thread.join(0.01)
            assert thread.is_alive(), "the server did not start"
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(SOCKET_TIMEOUT)


def connect(port: int) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=SOCKET_TIMEOUT)
    return connection


def read_until_closed(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


REQUEST = b"GET / HTTP/1.1\r\nHost: example\r\n\r\n"


def test_complete_request_is_served(server_port: int) -> None:
    with connect(server_port) as connection:
        connection.sendall(REQUEST.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        response = read_until_closed(connection)

    assert response.startswith(b"HTTP/1.1 200")
    assert response.endswith(b"hello")


# A header timeout the test never reaches, so only the size limit can end the request.
@pytest.mark.parametrize("server_port", [SOCKET_TIMEOUT], indirect=True, ids=["no-timeout"])
def test_oversized_headers_are_refused(server_port: int) -> None:
    # Sent piece by piece, waiting for an answer in between, so the server has read
    # everything sent when it refuses (closing with unread data would reset the connection
    # and could discard the answer).
    response = b""
    with connect(server_port) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: example\r\nX-Big: ")
        for _ in range(16):
            connection.sendall(b"a" * 512)
            readable, _, _ = select.select([connection], [], [], 1)
            if readable:
                response = read_until_closed(connection)
                break

    assert response.startswith(b"HTTP/1.1 400")


def test_slow_headers_are_cut_off(server_port: int) -> None:
    with connect(server_port) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n")
        # The head is never finished: the server closes the connection without answering.
        assert read_until_closed(connection) == b""


def test_slow_headers_of_a_later_request_are_cut_off(server_port: int) -> None:
    with connect(server_port) as connection:
        connection.sendall(REQUEST)
        first = b""
        while not first.endswith(b"hello"):
            chunk = connection.recv(65536)
            assert chunk, "the server closed the connection before answering"
            first += chunk
        connection.sendall(b"GET / HTTP/1.1\r\nHost: exa")
        rest = read_until_closed(connection)

    assert first.startswith(b"HTTP/1.1 200")
    assert rest == b""


def test_silent_connections_are_cut_off(server_port: int) -> None:
    with connect(server_port) as connection:
        assert read_until_closed(connection) == b""


def test_server_options_follow_the_settings() -> None:
    settings = ServiceSettings(
        service_name="example",
        max_header_bytes=8192,
        header_timeout_seconds=3,
        keep_alive_timeout_seconds=2,
        max_concurrency=50,
    )

    options = server_options(settings)

    assert options["h11_max_incomplete_event_size"] == 8192
    assert options["timeout_keep_alive"] == 2
    assert options["limit_concurrency"] == 50
    assert issubclass(options["http"], HeaderTimeoutH11Protocol)
    assert options["http"].header_timeout == 3


def test_defaults_use_the_importable_protocol() -> None:
    assert server_options(ServiceSettings(service_name="example"))["http"] is (
        HeaderTimeoutH11Protocol
    )


@pytest.mark.parametrize("reload", [False, True])
def test_run_passes_the_limits_to_uvicorn(monkeypatch: pytest.MonkeyPatch, reload: bool) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda app, **options: calls.append({"app": app, **options})
    )
    settings = ServiceSettings(service_name="example", max_concurrency=7, header_timeout_seconds=4)

    run("example.app:create_app", settings, host="127.0.0.1", port=8123, reload=reload)

    [options] = calls
    assert options["app"] == "example.app:create_app"
    assert options["factory"] is True
    assert options["limit_concurrency"] == 7
    assert options["h11_max_incomplete_event_size"] == settings.max_header_bytes
    # The reloader cannot pickle a class made on the fly, so it gets the default one.
    assert (options["http"] is HeaderTimeoutH11Protocol) is reload
