"""Load-test the domain service and hold it to its performance budget: ``ops bench load``
(``make bench``).

By default the benchmark starts its own copy of the auth service and the domain
service on free loopback ports with the launcher ``ops dev`` uses (``ops.stack``),
each with a fresh SQLite database and signing key
in a temporary directory, so it never touches ``var/`` or a running ``make dev``.
It takes a real token from the auth service (the development client), seeds
items, then runs each scenario with a fixed number of requests at a fixed
concurrency, bounded in time. It prints p50/p95/p99 latency and throughput per
scenario, compares them with ``benchmarks/budget.toml`` and exits 1 when a
scenario is over budget or any request failed.

``--domain-url`` and ``--auth-url`` point it at services that are already running
instead (for example ``ops dev``; the seeded items stay in that database).
``--record`` appends the figures, the machine and the command to
``docs/benchmarks.md``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    NonNegativeFloat,
    PositiveFloat,
    PositiveInt,
    ValidationError,
)

from ops import stack
from ops.discovery import ServiceInfo, discover_services
from ops.errors import EXIT_USAGE, OpsError

DEFAULT_BUDGET = Path("benchmarks/budget.toml")
DEFAULT_RECORD = Path("docs/benchmarks.md")
AUTH_SERVICE = stack.AUTH_SERVICE
# The development client exists only in development settings; the benchmark's own
# services run with those, and so does `make dev`.
DEV_CLIENT_ID = "dev-client"
DEV_CLIENT_SECRET = "dev-secret"  # noqa: S105  # pragma: allowlist secret
READY_TIMEOUT = 60.0
EXIT_OVER_BUDGET = 1
STOP_GRACE = 10.0

# One request of a scenario: given the client and the request's sequence number.
Request = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


class BenchmarkError(OpsError):
    """The benchmark could not run (as opposed to: it ran and was over budget)."""

    default_exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Budget:
    """The most a scenario may take: p95 latency and the least throughput."""

    p95_ms: float
    min_rps: float


@dataclass(frozen=True)
class RunSettings:
    requests: int
    concurrency: int
    seed_items: int
    time_limit: float


@dataclass(frozen=True)
class BudgetFile:
    run: RunSettings
    budgets: dict[str, Budget]


@dataclass
class Measurement:
    """What one scenario did: latency of every completed request, failures, wall time."""

    scenario: str
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    timed_out: bool = False

    @property
    def completed(self) -> int:
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        return self.completed / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q <= 100) of ``values``; NaN if empty."""
    if not 0 < q <= 100:  # noqa: PLR2004 - percent
        msg = f"percentile must be in (0, 100], got {q}"
        raise ValueError(msg)
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = math.ceil(q / 100 * len(ordered))
    return ordered[rank - 1]


class _RunTable(BaseModel):
    """``[run]`` of budget.toml."""

    model_config = ConfigDict(extra="forbid")

    requests: PositiveInt
    concurrency: PositiveInt
    seed_items: PositiveInt
    time_limit_seconds: PositiveFloat


class _BudgetTable(BaseModel):
    """``[budgets.<scenario>]`` of budget.toml."""

    model_config = ConfigDict(extra="forbid")

    p95_ms: PositiveFloat
    min_rps: NonNegativeFloat


class _BudgetToml(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run: _RunTable
    budgets: dict[str, _BudgetTable]


def load_budget(path: Path) -> BudgetFile:
    """Read and check ``budget.toml``; a typo must fail loudly, not loosen a budget."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        msg = f"cannot read the budget {path}: {error}"
        raise BenchmarkError(msg) from error
    try:
        parsed = _BudgetToml.model_validate(data)
    except ValidationError as error:
        msg = (
            f"{path}: expected [run] requests, concurrency, seed_items, time_limit_seconds "
            f"and [budgets.<scenario>] p95_ms, min_rps:\n{error}"
        )
        raise BenchmarkError(msg) from error
    unknown = set(parsed.budgets) - set(SCENARIOS)
    if unknown:
        known = ", ".join(SCENARIOS)
        msg = f"{path}: unknown scenario(s) {', '.join(sorted(unknown))}; known: {known}"
        raise BenchmarkError(msg)
    run = parsed.run
    settings = RunSettings(
        requests=run.requests,
        concurrency=run.concurrency,
        seed_items=run.seed_items,
        time_limit=run.time_limit_seconds,
    )
    budgets = {
        name: Budget(p95_ms=entry.p95_ms, min_rps=entry.min_rps)
        for name, entry in parsed.budgets.items()
    }
    return BudgetFile(settings, budgets)


def verdicts(measurement: Measurement, budget: Budget | None) -> list[str]:
    """Why ``measurement`` fails (empty when it passes)."""
    problems = []
    if measurement.failures:
        problems.append(
            f"{len(measurement.failures)} failed request(s), first: {measurement.failures[0]}"
        )
    if measurement.timed_out:
        problems.append("hit the time limit before all requests completed")
    if budget is not None and measurement.completed:
        p95 = measurement.percentile(95)
        if p95 > budget.p95_ms:
            problems.append(f"p95 {p95:.1f} ms is over the budget of {budget.p95_ms:g} ms")
        if measurement.throughput < budget.min_rps:
            rps = measurement.throughput
            problems.append(f"{rps:.1f} req/s is under the budget of {budget.min_rps:g} req/s")
    return problems


async def run_scenario(
    client: httpx.AsyncClient,
    name: str,
    request: Request,
    *,
    requests: int,
    concurrency: int,
    time_limit: float,
    expected: int,
    clock: Callable[[], float] = time.perf_counter,
) -> Measurement:
    """Send ``requests`` requests from ``concurrency`` workers, stopping at ``time_limit``.

    ``clock`` reads seconds for the time limit and the latencies (tests pass their own).
    """
    measurement = Measurement(name)
    counter = iter(range(requests))
    deadline = clock() + time_limit

    async def worker() -> None:
        for number in counter:
            if clock() > deadline:
                measurement.timed_out = True
                return
            started = clock()
            try:
                response = await request(client, number)
            except httpx.HTTPError as error:
                measurement.failures.append(f"{type(error).__name__}: {error}")
                continue
            if response.status_code != expected:
                measurement.failures.append(f"HTTP {response.status_code}: {response.text[:200]}")
                continue
            measurement.latencies_ms.append((clock() - started) * 1000)

    started = clock()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    measurement.elapsed_s = clock() - started
    return measurement


def item_body(prefix: str, number: int) -> dict[str, Any]:
    return {
        "sku": f"{prefix}-{number:07d}",
        "name": f"Benchmark item {number}",
        "price_cents": 100 + number % 10_000,
        "currency": "EUR",
    }


def liveness(_ids: Sequence[str], _prefix: str) -> Request:
    def request(client: httpx.AsyncClient, _number: int) -> Awaitable[httpx.Response]:
        return client.get("/livez")

    return request


def list_items(_ids: Sequence[str], _prefix: str) -> Request:
    def request(client: httpx.AsyncClient, _number: int) -> Awaitable[httpx.Response]:
        return client.get("/v1/items", params={"limit": 20})

    return request


def read_item(ids: Sequence[str], _prefix: str) -> Request:
    def request(client: httpx.AsyncClient, number: int) -> Awaitable[httpx.Response]:
        return client.get(f"/v1/items/{ids[number % len(ids)]}")

    return request


def create_item(_ids: Sequence[str], prefix: str) -> Request:
    def request(client: httpx.AsyncClient, number: int) -> Awaitable[httpx.Response]:
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        return client.post("/v1/items", json=item_body(f"{prefix}-new", number), headers=headers)

    return request


# Scenario name -> (request builder, expected status). Names are the keys of budget.toml.
# `baseline-livez` has no budget: it is the same server, client and machine without
# authentication or the database, measured in the same run, so the other rows read
# against it show what the service's own work costs.
SCENARIOS: dict[str, tuple[Callable[[Sequence[str], str], Request], int]] = {
    "baseline-livez": (liveness, 200),
    "list-items": (list_items, 200),
    "read-item": (read_item, 200),
    "create-item": (create_item, 201),
}


async def seed(client: httpx.AsyncClient, prefix: str, count: int) -> list[str]:
    """Create ``count`` items (8 at a time) and return their ids."""
    ids: list[str] = []
    semaphore = asyncio.Semaphore(8)

    async def create(number: int) -> None:
        async with semaphore:
            response = await client.post("/v1/items", json=item_body(prefix, number))
        if response.status_code != httpx.codes.CREATED:
            msg = f"seeding failed: HTTP {response.status_code}: {response.text[:300]}"
            raise BenchmarkError(msg)
        ids.append(str(response.json()["id"]))

    await asyncio.gather(*(create(number) for number in range(count)))
    return ids


def fetch_token(auth_url: str, audience: str) -> str:
    """A token for ``audience`` with the item scopes, from the development client."""
    response = httpx.post(
        f"{auth_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": DEV_CLIENT_ID,
            "client_secret": DEV_CLIENT_SECRET,
            "audience": audience,
            "scope": "items:read items:write",
        },
        timeout=10,
    )
    if response.status_code != httpx.codes.OK:
        msg = f"no token from {auth_url}: HTTP {response.status_code}: {response.text[:300]}"
        raise BenchmarkError(msg)
    return str(response.json()["access_token"])


async def measure(
    domain_url: str, token: str, settings: RunSettings, names: Sequence[str]
) -> list[Measurement]:
    limits = httpx.Limits(max_connections=settings.concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    prefix = f"BENCH-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(
        base_url=domain_url, headers=headers, limits=limits, timeout=30
    ) as client:
        ids = await seed(client, prefix, max(settings.seed_items, 1))
        results = []
        for name in names:
            build, expected = SCENARIOS[name]
            results.append(
                await run_scenario(
                    client,
                    name,
                    build(ids, prefix),
                    requests=settings.requests,
                    concurrency=settings.concurrency,
                    time_limit=settings.time_limit,
                    expected=expected,
                )
            )
    return results


@contextmanager
def local_stack(
    domain: ServiceInfo, auth: ServiceInfo, repo_root: Path
) -> Iterator[tuple[str, str]]:
    """Start auth and ``domain`` on free ports with throw-away state; yield their URLs.

    The services run under the same supervisor as ``ops dev``; their logs go to a file
    in the state directory, and the last lines of a failing one are in the error.
    """
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as state,
        (Path(state) / "services.log").open("w", encoding="utf-8") as log,
    ):
        state_dir = Path(state)
        services = [
            stack.Service.from_info(info, port=stack.free_port()) for info in (auth, domain)
        ]
        issuer = stack.auth_issuer(services)
        base = {**os.environ, "KEYS_DIR": str(state_dir / "auth-keys")}
        supervisor = stack.Supervisor(
            stack.Console(log, [s.name for s in services]), threading.Event(), repo_root
        )
        try:
            for service in services:
                database = f"sqlite:///{state_dir / service.name}.db"
                env = stack.service_env(service, issuer, base, database_url=database)
                if service.has_migrations:
                    stack.run_migrations(service, env, repo_root)
                supervisor.start(service, stack.uvicorn_command(service, sys.executable), env)
            supervisor.wait_ready(READY_TIMEOUT)
            yield services[1].base_url, issuer
        except stack.StackError as error:
            raise BenchmarkError(str(error)) from error
        finally:
            supervisor.stop(STOP_GRACE)


def pick_services(repo_root: Path, name: str | None) -> tuple[ServiceInfo, ServiceInfo]:
    """The auth service and the domain service: ``name``, or the one with migrations."""
    services = {service.name: service for service in discover_services(repo_root)}
    if AUTH_SERVICE not in services:
        msg = f"no {AUTH_SERVICE} service under {repo_root / 'services'}"
        raise BenchmarkError(msg)
    if name is None:
        candidates = [s for s in services.values() if s.migrations is not None]
        if len(candidates) != 1:
            found = ", ".join(s.name for s in candidates) or "none"
            msg = f"pass --service: services with a database are {found}"
            raise BenchmarkError(msg)
        return candidates[0], services[AUTH_SERVICE]
    if name not in services:
        msg = f"no service named {name!r}; discovered: {', '.join(sorted(services))}"
        raise BenchmarkError(msg)
    return services[name], services[AUTH_SERVICE]


def report(results: Sequence[Measurement], budgets: Mapping[str, Budget]) -> str:
    """A Markdown table of the figures, the budget and the verdict per scenario."""
    lines = [
        "| scenario | requests | failed | p50 ms | p95 ms | p99 ms | req/s "
        "| budget p95 ms | budget req/s | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for m in results:
        budget = budgets.get(m.scenario)
        limits = f"{budget.p95_ms:g} | {budget.min_rps:g}" if budget else "- | -"
        result = "over budget" if verdicts(m, budget) else "ok"
        lines.append(
            f"| {m.scenario} | {m.completed} | {len(m.failures)} | {m.percentile(50):.1f} "
            f"| {m.percentile(95):.1f} | {m.percentile(99):.1f} | {m.throughput:.1f} "
            f"| {limits} | {result} |"
        )
    return "\n".join(lines)


def machine() -> str:
    cpus = os.cpu_count() or 0
    return (
        f"{platform.system()} {platform.release()} {platform.machine()}, {cpus} CPUs, "
        f"Python {platform.python_version()}"
    )


def git_commit(repo_root: Path) -> str:
    try:
        ran = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH on purpose
            cwd=repo_root,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "unknown"
    return ran.stdout.strip() if ran.returncode == 0 else "unknown"


def record_section(
    results: Sequence[Measurement],
    budgets: Mapping[str, Budget],
    settings: RunSettings,
    *,
    when: dt.datetime,
    command: str,
    host: str,
    commit: str,
) -> str:
    return "\n".join(
        [
            f"## {when:%Y-%m-%d %H:%M} UTC",
            "",
            f"- Command: `{command}`",
            f"- Machine: {host}",
            f"- Commit: {commit}",
            f"- Load: {settings.requests} requests per scenario at concurrency "
            f"{settings.concurrency}, {settings.seed_items} seeded items",
            "",
            report(results, budgets),
        ]
    )


def append_record(path: Path, section: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    path.write_text(f"{text.rstrip()}\n\n{section}\n", encoding="utf-8")


@dataclass(frozen=True)
class Options:
    """The command line's choices; ``None`` means: take it from the budget file."""

    budget: Path
    requests: int | None = None
    concurrency: int | None = None
    seed_items: int | None = None
    time_limit: float | None = None
    scenarios: Sequence[str] = ()
    service: str | None = None
    domain_url: str | None = None
    auth_url: str | None = None
    record: Path | None = None


def run(repo_root: Path, options: Options, command: str) -> int:
    """Run the benchmark; 0 when every scenario is within budget, else 1."""
    if bool(options.domain_url) != bool(options.auth_url):
        msg = "--domain-url and --auth-url go together"
        raise BenchmarkError(msg)
    budget_file = load_budget(options.budget)
    settings = RunSettings(
        requests=options.requests or budget_file.run.requests,
        concurrency=options.concurrency or budget_file.run.concurrency,
        seed_items=options.seed_items or budget_file.run.seed_items,
        time_limit=options.time_limit or budget_file.run.time_limit,
    )
    names = list(options.scenarios) or list(SCENARIOS)
    domain, auth = pick_services(repo_root, options.service)
    print(
        f"bench: {domain.name}: {settings.requests} requests per scenario, "
        f"concurrency {settings.concurrency}, {settings.seed_items} seeded items"
    )
    with ExitStack() as running:
        if options.domain_url and options.auth_url:
            domain_url, auth_url = options.domain_url.rstrip("/"), options.auth_url.rstrip("/")
        else:
            domain_url, auth_url = running.enter_context(local_stack(domain, auth, repo_root))
        token = fetch_token(auth_url, domain.name)
        results = asyncio.run(measure(domain_url, token, settings, names))
    print(report(results, budget_file.budgets))
    failed = False
    for measurement in results:
        for problem in verdicts(measurement, budget_file.budgets.get(measurement.scenario)):
            failed = True
            print(f"bench: {measurement.scenario}: {problem}", file=sys.stderr)
    if options.record:
        section = record_section(
            results,
            budget_file.budgets,
            settings,
            when=dt.datetime.now(dt.UTC),
            command=command,
            host=machine(),
            commit=git_commit(repo_root),
        )
        append_record(options.record, section)
        print(f"bench: recorded in {options.record}")
    return EXIT_OVER_BUDGET if failed else 0
