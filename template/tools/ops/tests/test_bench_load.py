"""`ops bench load`: statistics, budget checks and the record, without a server."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from pathlib import Path

import httpx
import pytest
from ops.bench import SCENARIO_NAMES, load

SHIPPED_BUDGET = Path(__file__).resolve().parents[3] / load.DEFAULT_BUDGET


def measurement(latencies: list[float], elapsed: float = 1.0) -> load.Measurement:
    return load.Measurement("list-items", latencies_ms=latencies, elapsed_s=elapsed)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(100, 0, -1)]
    assert load.percentile(values, 50) == 50
    assert load.percentile(values, 95) == 95
    assert load.percentile(values, 100) == 100
    assert load.percentile([7.0], 99) == 7
    assert math.isnan(load.percentile([], 50))
    with pytest.raises(ValueError, match="percentile"):
        load.percentile(values, 0)


def test_the_shipped_budget_covers_every_scenario_but_the_baseline() -> None:
    budget = load.load_budget(SHIPPED_BUDGET)
    assert set(budget.budgets) == set(load.SCENARIOS) - {"baseline-livez"}
    assert budget.run.requests > 0
    assert budget.run.concurrency > 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[run]\nrequests = 1\n", "expected"),
        (
            "[run]\nrequests=1\nconcurrency=1\nseed_items=1\ntime_limit_seconds=1\n"
            "[budgets.list-itemz]\np95_ms=1\nmin_rps=1\n",
            "unknown scenario",
        ),
        ("run = [", "cannot read"),
        (
            "[run]\nrequests=0\nconcurrency=1\nseed_items=1\ntime_limit_seconds=1\n"
            "[budgets.list-items]\np95_ms=1\nmin_rps=1\n",
            "requests",
        ),
        (
            "[run]\nrequests=1\nconcurrency=1\nseed_items=1\ntime_limit_seconds=1\n"
            "[budgets.list-items]\np95_ms=1\nmin_rps=1\np99_ms=2\n",
            "p99_ms",
        ),
    ],
)
def test_a_broken_budget_fails_loudly(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "budget.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(load.BenchmarkError, match=message):
        load.load_budget(path)


def test_verdicts_compare_p95_and_throughput_with_the_budget() -> None:
    budget = load.Budget(p95_ms=100, min_rps=50)
    fast = measurement([10.0] * 100, elapsed=1.0)
    assert load.verdicts(fast, budget) == []
    slow = measurement([10.0] * 90 + [500.0] * 10, elapsed=1.0)
    assert load.verdicts(slow, budget) == ["p95 500.0 ms is over the budget of 100 ms"]
    sparse = measurement([10.0] * 100, elapsed=4.0)
    assert load.verdicts(sparse, budget) == ["25.0 req/s is under the budget of 50 req/s"]
    broken = measurement([10.0] * 100)
    broken.failures.append("HTTP 500: boom")
    assert load.verdicts(broken, None) == ["1 failed request(s), first: HTTP 500: boom"]


def test_run_scenario_counts_each_request_once_and_records_failures() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(503 if request.url.path.endswith("/13") else 200)

    def request(client: httpx.AsyncClient, number: int) -> asyncio.Future[httpx.Response]:
        return asyncio.ensure_future(client.get(f"/v1/items/{number}"))

    async def go() -> load.Measurement:
        transport = httpx.MockTransport(handler)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await load.run_scenario(
                client,
                "read-item",
                request,
                requests=40,
                concurrency=4,
                time_limit=30,
                expected=200,
            )

    result = asyncio.run(go())
    assert sorted(seen) == sorted(f"/v1/items/{n}" for n in range(40))
    assert result.completed == 39
    assert result.failures == ["HTTP 503: "]
    assert not result.timed_out


def test_run_scenario_stops_at_the_time_limit() -> None:
    # A test clock: every request takes one second of it, and nothing else does.
    now = 0.0

    async def slow(client: httpx.AsyncClient, number: int) -> httpx.Response:
        nonlocal now
        now += 1.0
        return httpx.Response(200)

    async def go() -> load.Measurement:
        async with httpx.AsyncClient() as client:
            return await load.run_scenario(
                client,
                "list-items",
                slow,
                requests=1000,
                concurrency=2,
                time_limit=3.5,
                expected=200,
                clock=lambda: now,
            )

    result = asyncio.run(go())
    # Requests start at 0, 1, 2 and 3 s; the one due at 4 s is past the limit.
    assert result.timed_out
    assert result.latencies_ms == [1000.0] * 4
    assert result.elapsed_s == 4.0


def test_record_appends_a_dated_section(tmp_path: Path) -> None:
    target = tmp_path / "benchmarks.md"
    target.write_text("# Benchmarks\n\nHow to read these figures.\n", encoding="utf-8")
    settings = load.RunSettings(requests=10, concurrency=2, seed_items=5, time_limit=5)
    section = load.record_section(
        [measurement([1.0, 2.0, 3.0])],
        {"list-items": load.Budget(p95_ms=100, min_rps=1)},
        settings,
        when=dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC),
        command="ops bench load",
        host="Linux x86_64, 2 CPUs",
        commit="abc1234",
    )
    load.append_record(target, section)
    text = target.read_text(encoding="utf-8")
    assert text.startswith(
        "# Benchmarks\n\nHow to read these figures.\n\n## 2025-01-02 03:04 UTC\n"
    )
    assert "- Commit: abc1234" in text
    assert "| list-items | 3 | 0 | 2.0 | 3.0 | 3.0 | 3.0 | 100 | 1 | ok |" in text
    assert text.endswith("|\n")
    assert "\n\n\n" not in text


def test_the_command_line_offers_exactly_the_scenarios_that_exist() -> None:
    assert list(SCENARIO_NAMES) == list(load.SCENARIOS)
