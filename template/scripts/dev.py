#!/usr/bin/env python3
"""Run the platform locally: ``make dev``.

Applies every service's migrations, then starts every service found under
``services/*/catalog-info.yaml`` with uvicorn on 127.0.0.1 at its port, with
development settings (``ENVIRONMENT=development``, a SQLite file per service in
``var/`` and the local auth service as token issuer). It waits until each one
answers ``/readyz``, prints where to find them, streams their logs prefixed with
the service name and stops them all on Ctrl-C or SIGTERM. If a service dies, the
others are stopped too and the exit code is non-zero.

Usage::

    python scripts/dev.py                      # every service
    python scripts/dev.py --services auth      # a subset, by catalog name
    python scripts/dev.py --ready-file r.json  # write {"name": port, ...} once ready

Standard library and httpx only, so it runs from any workspace environment.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

import httpx
from service_kit.discovery import discover_services

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
AUTH_SERVICE = "auth"
DEFAULT_AUTH_PORT = 8001
LOG_TAIL_LINES = 30
POLL_INTERVAL = 0.25
EXIT_SERVICE_FAILED = 1


class DevError(Exception):
    """The local stack cannot run; the message says which service and why."""


@dataclass(frozen=True)
class Service:
    """What the local stack needs to know about one service."""

    name: str
    port: int
    app: str
    has_migrations: bool

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"


def discover(repo_root: Path) -> list[Service]:
    """Every service under ``repo_root``, in discovery order."""
    return [
        Service(
            name=info.name,
            port=info.port,
            app=info.app,
            has_migrations=info.migrations is not None,
        )
        for info in discover_services(repo_root)
    ]


def select_services(services: Sequence[Service], names: Iterable[str] | None) -> list[Service]:
    """The services named in ``names`` (all when ``None``), keeping discovery order."""
    if names is None:
        return list(services)
    wanted = {name.strip() for name in names if name.strip()}
    unknown = wanted - {service.name for service in services}
    if unknown:
        known = ", ".join(service.name for service in services) or "none"
        msg = f"unknown service(s) {', '.join(sorted(unknown))}; discovered: {known}"
        raise DevError(msg)
    if not wanted:
        msg = "--services needs at least one service name"
        raise DevError(msg)
    return [service for service in services if service.name in wanted]


def auth_issuer(services: Sequence[Service]) -> str:
    """The token issuer URL: the local auth service, wherever discovery put it."""
    port = next((s.port for s in services if s.name == AUTH_SERVICE), DEFAULT_AUTH_PORT)
    return f"http://{HOST}:{port}"


def sqlite_url(service: Service) -> str:
    """The development database: one SQLite file per service under var/."""
    return f"sqlite:///var/{service.name}.db"


def service_env(service: Service, issuer: str, base: Mapping[str, str]) -> dict[str, str]:
    """The environment ``service`` runs with: ``base`` plus development settings.

    The development values win over ``base`` on purpose: a DATABASE_URL exported
    for something else must not point the local stack at a real database.
    """
    return {
        **base,
        "ENVIRONMENT": "development",
        "DATABASE_URL": sqlite_url(service),
        "AUTH_ISSUER": issuer,
        "PYTHONUNBUFFERED": "1",
    }


def uvicorn_command(service: Service, python: str, *, reload: bool = False) -> list[str]:
    """The command line that serves ``service`` on loopback."""
    command = [python, "-m", "uvicorn", "--factory", service.app]
    command += ["--host", HOST, "--port", str(service.port)]
    if reload:
        command += ["--reload", "--reload-dir", "services", "--reload-dir", "libs"]
    return command


def migrate_command(service: Service, python: str, repo_root: Path) -> list[str]:
    """The command line that brings ``service``'s database to the latest migration."""
    script = repo_root / "scripts" / "migrate.py"
    return [python, str(script), "--repo-root", str(repo_root), "--service", service.name]


def port_in_use(port: int, host: str = HOST) -> bool:
    """True when something already accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def urls_table(services: Sequence[Service]) -> str:
    """A plain-text table of each service's API docs, health and metrics URLs."""
    header = ("service", "API docs", "health", "metrics")
    rows = [header] + [
        (s.name, f"{s.base_url}/docs", f"{s.base_url}/readyz", f"{s.base_url}/metrics")
        for s in services
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def write_ready_file(path: Path, services: Sequence[Service]) -> None:
    """Write ``{name: port}`` atomically, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps({s.name: s.port for s in services}, indent=2) + "\n")
    partial.replace(path)


def _die_with_parent() -> None:
    """Child-side hook: on Linux, get SIGTERM if dev.py itself is killed with SIGKILL.

    Services run in their own session (so a terminal Ctrl-C reaches only dev.py,
    which then stops them in order); without this they would outlive a killed
    parent and keep their ports.
    """
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


class Console:
    """Serialises output from the log threads; colours prefixes on a terminal."""

    COLOURS = ("36", "35", "33", "32", "34", "31")

    def __init__(self, stream: IO[str], names: Sequence[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._width = max((len(name) for name in names), default=0)
        colour = stream.isatty() and "NO_COLOR" not in os.environ
        self._colours = {
            name: self.COLOURS[index % len(self.COLOURS)] if colour else ""
            for index, name in enumerate(names)
        }

    def line(self, name: str, text: str) -> None:
        prefix = f"{name:<{self._width}} |"
        if code := self._colours.get(name):
            prefix = f"\033[{code}m{prefix}\033[0m"
        self.say(f"{prefix} {text}")

    def say(self, text: str) -> None:
        with self._lock:
            print(text, file=self._stream, flush=True)


class ManagedProcess:
    """One service process: its output is streamed and its last lines are kept."""

    def __init__(self, service: Service, popen: subprocess.Popen[str], console: Console) -> None:
        self.service = service
        self.popen = popen
        self._tail: collections.deque[str] = collections.deque(maxlen=LOG_TAIL_LINES)
        self._reader = threading.Thread(
            target=self._pump, args=(console,), name=f"log-{service.name}", daemon=True
        )
        self._reader.start()

    def _pump(self, console: Console) -> None:
        stream = self.popen.stdout
        if stream is None:
            return
        for raw in stream:
            text = raw.rstrip("\n")
            self._tail.append(text)
            console.line(self.service.name, text)

    def tail(self) -> str:
        """The last log lines, indented, for error messages."""
        self._reader.join(timeout=1)  # a process that just exited may still be flushing
        lines = list(self._tail) or ["(no output)"]
        return "\n".join(f"    {line}" for line in lines)

    def signal(self, signum: int) -> None:
        """Send ``signum`` to the service's whole process group (uvicorn and any reloader)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def wait_stopped(self, timeout: float) -> bool:
        try:
            self.popen.wait(timeout=max(timeout, 0))
        except subprocess.TimeoutExpired:
            return False
        self._reader.join(timeout=1)
        return True


class Supervisor:
    """Starts services, waits for readiness and stops them all."""

    def __init__(self, console: Console, stop: threading.Event, cwd: Path) -> None:
        self.console = console
        self.stop_requested = stop
        self.cwd = cwd
        self.processes: list[ManagedProcess] = []

    def start(self, service: Service, command: Sequence[str], env: Mapping[str, str]) -> None:
        if port_in_use(service.port):
            msg = (
                f"{service.name}: port {service.port} on {HOST} is already in use "
                "(another `make dev` still running?)"
            )
            raise DevError(msg)
        popen = subprocess.Popen(  # noqa: S603 - the command is built from discovered services
            list(command),
            cwd=self.cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only calls prctl, no locks
        )
        self.processes.append(ManagedProcess(service, popen, self.console))

    def wait_ready(self, timeout: float) -> bool:
        """Poll every ``/readyz`` until all answer 200; False if a stop was requested."""
        deadline = time.monotonic() + timeout
        pending = list(self.processes)
        last_answer: dict[str, str] = {}
        with httpx.Client(timeout=1.0) as client:
            while pending:
                for process in list(pending):
                    self._raise_if_exited(process, "before it was ready")
                    url = f"{process.service.base_url}/readyz"
                    try:
                        response = client.get(url)
                    except httpx.TransportError as error:
                        last_answer[process.service.name] = f"no answer ({type(error).__name__})"
                        continue
                    if response.status_code == httpx.codes.OK:
                        pending.remove(process)
                    else:
                        body = response.text.strip()[:300]
                        last_answer[process.service.name] = f"{response.status_code} {body}"
                if not pending:
                    break
                if time.monotonic() > deadline:
                    process = pending[0]
                    name = process.service.name
                    msg = (
                        f"{name} was not ready within {timeout:g}s at "
                        f"{process.service.base_url}/readyz (last answer: "
                        f"{last_answer.get(name, 'none')}); its last log lines:\n{process.tail()}"
                    )
                    raise DevError(msg)
                if self.stop_requested.wait(POLL_INTERVAL):
                    return False
        return True

    def watch(self) -> None:
        """Block until a stop is requested; raise as soon as a service exits."""
        while not self.stop_requested.wait(POLL_INTERVAL):
            for process in self.processes:
                self._raise_if_exited(process, "unexpectedly")

    def stop(self, grace: float) -> None:
        """SIGTERM every service, wait up to ``grace`` seconds, then SIGKILL what is left."""
        running = [p for p in self.processes if p.popen.poll() is None]
        if running:
            names = ", ".join(p.service.name for p in running)
            self.console.say(f"dev: stopping {names}")
        for process in running:
            process.signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in running:
            if not process.wait_stopped(deadline - time.monotonic()):
                self.console.say(f"dev: {process.service.name} ignored SIGTERM; killing it")
                process.signal(signal.SIGKILL)
                process.wait_stopped(5)

    @staticmethod
    def _raise_if_exited(process: ManagedProcess, when: str) -> None:
        code = process.popen.poll()
        if code is not None:
            msg = (
                f"{process.service.name} exited with code {code} {when}; "
                f"its last log lines:\n{process.tail()}"
            )
            raise DevError(msg)


def migrate(services: Sequence[Service], issuer: str, repo_root: Path) -> None:
    """Bring every selected service's database to the latest migration."""
    for service in services:
        if not service.has_migrations:
            continue
        env = service_env(service, issuer, os.environ)
        command = migrate_command(service, sys.executable, repo_root)
        ran = subprocess.run(command, cwd=repo_root, env=env, check=False)  # noqa: S603
        if ran.returncode != 0:
            msg = f"{service.name}: migrations failed (exit code {ran.returncode}), see above"
            raise DevError(msg)


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn SIGINT and SIGTERM into ``stop`` being set, for the duration of the block."""

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous: dict[signal.Signals, Callable[[int, FrameType | None], object] | int | None] = {}
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        previous[stop_signal] = signal.getsignal(stop_signal)
        signal.signal(stop_signal, request_stop)
    try:
        yield
    finally:
        for stop_signal, handler in previous.items():
            signal.signal(stop_signal, handler)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run every service locally until Ctrl-C.")
    parser.add_argument(
        "--services",
        type=lambda value: value.split(","),
        help="comma-separated catalog names to start (default: every service)",
    )
    parser.add_argument(
        "--ready-file",
        type=Path,
        help="write a JSON object {service: port} here once every service is ready",
    )
    parser.add_argument(
        "--ready-timeout",
        type=float,
        default=60.0,
        help="seconds to wait for each /readyz (default: %(default)s)",
    )
    parser.add_argument(
        "--grace",
        type=float,
        default=10.0,
        help="seconds services get to stop after SIGTERM before SIGKILL (default: %(default)s)",
    )
    parser.add_argument(
        "--reload", action="store_true", help="restart a service when its code changes"
    )
    parser.add_argument("--skip-migrations", action="store_true", help="do not run migrations")
    parser.add_argument("--repo-root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    repo_root: Path = args.repo_root.resolve()
    stop = threading.Event()
    try:
        everything = discover(repo_root)
        services = select_services(everything, args.services)
    except DevError as error:
        print(f"dev: error: {error}", file=sys.stderr)
        return 2
    console = Console(sys.stdout, [s.name for s in services])
    supervisor = Supervisor(console, stop, repo_root)
    issuer = auth_issuer(everything)
    with stop_on_signals(stop):
        try:
            (repo_root / "var").mkdir(exist_ok=True)
            if not args.skip_migrations:
                migrate(services, issuer, repo_root)
            for service in services:
                env = service_env(service, issuer, os.environ)
                command = uvicorn_command(service, sys.executable, reload=args.reload)
                supervisor.start(service, command, env)
            if supervisor.wait_ready(args.ready_timeout):
                console.say(f"\n{urls_table(services)}\n\nReady. Press Ctrl-C to stop.\n")
                if args.ready_file:
                    write_ready_file(args.ready_file, services)
                supervisor.watch()
        except DevError as error:
            console.say(f"dev: error: {error}")
            return EXIT_SERVICE_FAILED
        finally:
            supervisor.stop(args.grace)
            if args.ready_file:
                args.ready_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
