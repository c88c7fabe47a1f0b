"""The local stack launcher: ``ops dev`` and ``ops bench load`` both start services with it.

Each service found under ``services/*/catalog-info.yaml`` runs with uvicorn on
127.0.0.1 at a port, with development settings. The supervisor waits until each one
answers ``/readyz``, streams its logs prefixed with the service name and stops them
all on request; if a service dies, the caller hears about it as a ``StackError``.
"""

from __future__ import annotations

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

from ops.discovery import ServiceInfo, discover_services
from ops.errors import OpsError
from ops.files import write_atomically

HOST = "127.0.0.1"
AUTH_SERVICE = "auth"
DEFAULT_AUTH_PORT = 8001
LOG_TAIL_LINES = 30
POLL_INTERVAL = 0.25


class StackError(OpsError):
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

    @property
    def package(self) -> str:
        """The top-level package, which has the ``migrate`` and ``serve`` subcommands."""
        return self.app.partition(":")[0].split(".")[0]

    @classmethod
    def from_info(cls, info: ServiceInfo, *, port: int | None = None) -> Service:
        """The service as discovery describes it, optionally on another port."""
        return cls(
            name=info.name,
            port=info.port if port is None else port,
            app=info.app,
            has_migrations=info.migrations is not None,
        )


def discover(repo_root: Path) -> list[Service]:
    """Every service under ``repo_root``, in discovery order."""
    return [Service.from_info(info) for info in discover_services(repo_root)]


def select_services(services: Sequence[Service], names: Iterable[str] | None) -> list[Service]:
    """The services named in ``names`` (all when ``None``), keeping discovery order."""
    if names is None:
        return list(services)
    wanted = {name.strip() for name in names if name.strip()}
    unknown = wanted - {service.name for service in services}
    if unknown:
        known = ", ".join(service.name for service in services) or "none"
        msg = f"unknown service(s) {', '.join(sorted(unknown))}; discovered: {known}"
        raise StackError(msg)
    if not wanted:
        msg = "--services needs at least one service name"
        raise StackError(msg)
    return [service for service in services if service.name in wanted]


def auth_issuer(services: Sequence[Service]) -> str:
    """The token issuer URL: the local auth service, wherever discovery put it."""
    port = next((s.port for s in services if s.name == AUTH_SERVICE), DEFAULT_AUTH_PORT)
    return f"http://{HOST}:{port}"


def sqlite_url(service: Service) -> str:
    """The development database: one SQLite file per service under var/."""
    return f"sqlite:///var/{service.name}.db"


def service_env(
    service: Service, issuer: str, base: Mapping[str, str], *, database_url: str | None = None
) -> dict[str, str]:
    """The environment ``service`` runs with: ``base`` plus development settings.

    The development values win over ``base`` on purpose: a DATABASE_URL exported
    for something else must not point the local stack at a real database.
    """
    return {
        **base,
        "ENVIRONMENT": "development",
        "DATABASE_URL": database_url or sqlite_url(service),
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


def migrate_command(service: Service, python: str) -> list[str]:
    """The command line that brings ``service``'s database to the latest migration:
    the service's own ``migrate`` subcommand, as its container runs it."""
    return [python, "-m", service.package, "migrate"]


def port_in_use(port: int, host: str = HOST) -> bool:
    """True when something already accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def free_port() -> int:
    """A port nothing listens on right now, for a throw-away stack."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


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
    document = json.dumps({s.name: s.port for s in services}, indent=2) + "\n"
    write_atomically(path, document.encode("utf-8"))


def _die_with_parent() -> None:
    """Child-side hook: on Linux, get SIGTERM if ops itself is killed with SIGKILL.

    Services run in their own session (so a terminal Ctrl-C reaches only ops, which
    then stops them in order); without this they would outlive a killed parent and
    keep their ports.
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

    def __init__(
        self,
        console: Console,
        stop: threading.Event,
        cwd: Path,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console = console
        self.stop_requested = stop
        self.cwd = cwd
        # Seconds for the readiness deadline (tests pass their own).
        self.clock = clock
        self.processes: list[ManagedProcess] = []

    def start(self, service: Service, command: Sequence[str], env: Mapping[str, str]) -> None:
        if port_in_use(service.port):
            msg = (
                f"{service.name}: port {service.port} on {HOST} is already in use "
                "(another `ops dev` still running?)"
            )
            raise StackError(msg)
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
        deadline = self.clock() + timeout
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
                if self.clock() > deadline:
                    process = pending[0]
                    name = process.service.name
                    msg = (
                        f"{name} was not ready within {timeout:g}s at "
                        f"{process.service.base_url}/readyz (last answer: "
                        f"{last_answer.get(name, 'none')}); its last log lines:\n{process.tail()}"
                    )
                    raise StackError(msg)
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
            self.console.say(f"stack: stopping {names}")
        for process in running:
            process.signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in running:
            if not process.wait_stopped(deadline - time.monotonic()):
                self.console.say(f"stack: {process.service.name} ignored SIGTERM; killing it")
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
            raise StackError(msg)


def run_migrations(service: Service, env: Mapping[str, str], cwd: Path) -> None:
    """Bring ``service``'s database (``DATABASE_URL`` in ``env``) to the latest migration."""
    command = migrate_command(service, sys.executable)
    ran = subprocess.run(command, cwd=cwd, env=dict(env), check=False)  # noqa: S603
    if ran.returncode != 0:
        msg = f"{service.name}: migrations failed (exit code {ran.returncode}), see above"
        raise StackError(msg)


def migrate(services: Sequence[Service], issuer: str, repo_root: Path) -> None:
    """Bring every selected service's development database to the latest migration."""
    for service in services:
        if service.has_migrations:
            run_migrations(service, service_env(service, issuer, os.environ), repo_root)


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
