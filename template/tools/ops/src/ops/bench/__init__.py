"""``ops bench``: load benchmarks held to the budgets in benchmarks/budget.toml."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from ops.repo import resolve_root

# The scenario names, here as well as in ops.bench.load so `--help` needs no httpx.
SCENARIO_NAMES = ("baseline-livez", "list-items", "read-item", "create-item")


@click.group(name="bench")
def cli() -> None:
    """Load benchmarks against the performance budget."""


@cli.command(name="load")
@click.option(
    "--budget",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Budget file (default: benchmarks/budget.toml).",
)
@click.option("--requests", type=click.IntRange(min=1), help="Requests per scenario.")
@click.option("--concurrency", type=click.IntRange(min=1), help="Requests in flight.")
@click.option("--seed-items", type=click.IntRange(min=1), help="Items created first.")
@click.option(
    "--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds per scenario."
)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    type=click.Choice(SCENARIO_NAMES),
    help="Run only this scenario (repeatable; default: all).",
)
@click.option("--service", help="Domain service to test (default: the one with a database).")
@click.option("--domain-url", help="Test a running domain service instead of starting one.")
@click.option("--auth-url", help="Auth service issuing tokens for --domain-url.")
@click.option(
    "--record",
    type=click.Path(dir_okay=False, path_type=Path),
    is_flag=False,
    flag_value="docs/benchmarks.md",
    help="Append the results to docs/benchmarks.md (or the given file).",
)
def load_command(
    *,
    budget: Path | None,
    requests: int | None,
    concurrency: int | None,
    seed_items: int | None,
    time_limit: float | None,
    scenarios: tuple[str, ...],
    service: str | None,
    domain_url: str | None,
    auth_url: str | None,
    record: Path | None,
) -> int:
    """Load-test the domain service and compare with the performance budget.

    Budget defaults ([run] in the budget file) apply to every option not given.
    """
    from ops.bench import load  # noqa: PLC0415 - needs httpx (the bench extra)

    root = resolve_root(None)
    options = load.Options(
        budget=budget or root / load.DEFAULT_BUDGET,
        requests=requests,
        concurrency=concurrency,
        seed_items=seed_items,
        time_limit=time_limit,
        scenarios=scenarios,
        service=service,
        domain_url=domain_url,
        auth_url=auth_url,
        record=record,
    )
    return load.run(root, options, shlex.join(["ops", *sys.argv[1:]]))
