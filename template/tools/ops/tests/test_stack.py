"""The stack launcher and `ops dev`: command lines, environment, supervising real uvicorn
processes."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from ops import stack as dev

# A dependency-free ASGI app; READY decides what /readyz answers.
FAKE_APP = """
import os

READY = int(os.environ.get("FAKE_READY_STATUS", "200"))
# Touched before each /readyz answer, so a test can tell that one was sent.
ANSWERED = os.environ.get("FAKE_ANSWERED_FILE")
if os.environ.get("FAKE_CRASH"):
    raise RuntimeError("boom: the fake service refuses to start")


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    status = READY if scope["path"] == "/readyz" else 404
    if ANSWERED and scope["path"] == "/readyz":
        open(ANSWERED, "a").close()
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b"fake"})


def create_app():
    return app
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def service(name: str = "catalog", port: int = 8000, *, migrations: bool = True) -> dev.Service:
    return dev.Service(
        name=name, port=port, app=f"{name}.app:create_app", has_migrations=migrations
    )


@pytest.fixture
def fake_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory holding fakeapp.py, importable by the uvicorn child processes."""
    (tmp_path / "fakeapp.py").write_text(FAKE_APP, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    return tmp_path


def fake_service(name: str) -> dev.Service:
    return dev.Service(name=name, port=free_port(), app="fakeapp:create_app", has_migrations=False)


def supervisor(cwd: Path, clock: Callable[[], float] = time.monotonic) -> dev.Supervisor:
    console = dev.Console(io.StringIO(), ["a", "b"])
    return dev.Supervisor(console, threading.Event(), cwd, clock=clock)


def test_select_services_keeps_discovery_order_and_rejects_unknown_names() -> None:
    everything = [service("auth", 8001), service("catalog"), service("search", 8002)]
    assert dev.select_services(everything, None) == everything
    chosen = dev.select_services(everything, ["search", "auth"])
    assert [s.name for s in chosen] == ["auth", "search"]
    with pytest.raises(dev.StackError, match=r"unknown service\(s\) billing; discovered: auth"):
        dev.select_services(everything, ["billing", "auth"])
    with pytest.raises(dev.StackError, match="at least one"):
        dev.select_services(everything, [""])


def test_auth_issuer_follows_the_discovered_auth_port() -> None:
    assert dev.auth_issuer([service("auth", 9001)]) == "http://127.0.0.1:9001"
    assert dev.auth_issuer([service("catalog")]) == "http://127.0.0.1:8001"


def test_service_env_forces_development_settings_over_the_callers() -> None:
    base = {"PATH": "/bin", "DATABASE_URL": "postgresql://prod/db", "ENVIRONMENT": "production"}
    env = dev.service_env(service("order-history"), "http://127.0.0.1:8001", base)
    assert env["PATH"] == "/bin"
    assert env["ENVIRONMENT"] == "development"
    assert env["DATABASE_URL"] == "sqlite:///var/order-history.db"
    assert env["AUTH_ISSUER"] == "http://127.0.0.1:8001"
    assert base["DATABASE_URL"] == "postgresql://prod/db"


def test_uvicorn_command_serves_the_factory_on_loopback() -> None:
    command = dev.uvicorn_command(service(), "/py")
    assert command == [
        "/py", "-m", "uvicorn", "--factory", "catalog.app:create_app",
        "--host", "127.0.0.1", "--port", "8000",
    ]  # fmt: skip
    assert "--reload" in dev.uvicorn_command(service(), "/py", reload=True)


def test_migrate_command_runs_the_services_own_migrate_subcommand() -> None:
    assert dev.migrate_command(service("order-history"), "/py") == [
        "/py", "-m", "order-history", "migrate",
    ]  # fmt: skip
    assert service(port=8000).package == "catalog"


def test_urls_table_lists_docs_health_and_metrics() -> None:
    table = dev.urls_table([service("auth", 8001), service("catalog")]).splitlines()
    assert table[0].split() == ["service", "API", "docs", "health", "metrics"]
    assert set(table[1]) <= {"-", " "}
    assert table[3].split() == [
        "catalog",
        "http://127.0.0.1:8000/docs",
        "http://127.0.0.1:8000/readyz",
        "http://127.0.0.1:8000/metrics",
    ]


def test_ready_file_maps_names_to_ports(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "ready.json"
    dev.write_ready_file(target, [service("auth", 8001), service("catalog")])
    assert json.loads(target.read_text()) == {"auth": 8001, "catalog": 8000}
    assert [p.name for p in target.parent.iterdir()] == ["ready.json"]


def test_supervisor_starts_waits_and_stops_real_processes(fake_app: Path) -> None:
    running = supervisor(fake_app)
    try:
        for name in ("a", "b"):
            svc = fake_service(name)
            running.start(svc, dev.uvicorn_command(svc, sys.executable), os.environ)
        assert running.wait_ready(timeout=30)
        assert all(p.popen.poll() is None for p in running.processes)
    finally:
        running.stop(grace=10)
    assert all(p.popen.returncode is not None for p in running.processes)


def test_supervisor_reports_a_crash_with_the_service_log(
    fake_app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CRASH", "1")
    running = supervisor(fake_app)
    svc = fake_service("a")
    try:
        running.start(svc, dev.uvicorn_command(svc, sys.executable), os.environ)
        with pytest.raises(dev.StackError, match=r"(?s)a exited with code \d+ before.*boom"):
            running.wait_ready(timeout=30)
    finally:
        running.stop(grace=5)


def test_supervisor_times_out_on_a_service_that_never_gets_ready(
    fake_app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_READY_STATUS", "503")
    answered = fake_app / "answered"
    monkeypatch.setenv("FAKE_ANSWERED_FILE", str(answered))

    def clock() -> float:
        # Real time while the service starts, then an hour later as soon as it has
        # answered /readyz once: the deadline passes right after a 503, however long
        # the start took, and the test waits for no timeout.
        return time.monotonic() + (3600 if answered.exists() else 0)

    running = supervisor(fake_app, clock)
    svc = fake_service("a")
    try:
        running.start(svc, dev.uvicorn_command(svc, sys.executable), os.environ)
        with pytest.raises(dev.StackError, match=r"a was not ready within 60s .*last answer: 503"):
            running.wait_ready(timeout=60)
    finally:
        running.stop(grace=5)


def test_supervisor_refuses_a_port_already_in_use(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        busy = dev.Service("a", listener.getsockname()[1], "fakeapp:create_app", False)
        with pytest.raises(dev.StackError, match="already in use"):
            supervisor(tmp_path).start(busy, ["true"], os.environ)


def write_catalog(repo: Path, name: str, port: int) -> None:
    directory = repo / "services" / name
    directory.mkdir(parents=True)
    catalog = f"""\
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: {name}
          annotations:
            goldenpath.dev/port: "{port}"
            goldenpath.dev/app: fakeapp:create_app
        spec:
          type: service
          lifecycle: experimental
          owner: platform-team
        """
    (directory / "catalog-info.yaml").write_text(textwrap.dedent(catalog), encoding="utf-8")


def test_main_runs_until_sigterm_and_cleans_up(fake_app: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    ports = {"auth": free_port(), "catalog": free_port()}
    for name, port in ports.items():
        write_catalog(repo, name, port)
    ready = tmp_path / "ready.json"
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "ops", "dev", "--root", str(repo), "--ready-file", str(ready)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    try:
        assert json.loads(ready.read_text()) == ports
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert "catalog | " in output
    assert "http://127.0.0.1:{}/docs".format(ports["auth"]) in output
    assert not ready.exists()
    assert all(not dev.port_in_use(port) for port in ports.values())
