#!/usr/bin/env python3
"""Measure the in-process cost of one flag evaluation.

Run it with ``uv run python benchmarks/flag_evaluation.py``.

It evaluates ``items-newest-first`` (a 20% ``fractional`` rollout, the most expensive
rule the service reads) through the flagd provider's FILE resolver on
``config/flags/flags.json``, for a different caller each time, and prints p50 and p99
per evaluation: with the tracing hook the services use, with OpenFeature's OpenTelemetry
hook as published (which builds its event even when nothing records the span; no span is
sampled here, as for most requests in production), and without hooks. Each
is measured in several rounds and the least disturbed round (lowest p99) is reported,
as timeit does, so a busy machine's scheduling noise does not pass for evaluation cost.
The budget is 2 ms at p99 (exit status 1 above it); the aim is under 50 µs.
Record the figures in docs/benchmarks.md with the command.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from feature_flags import FeatureFlags, FlagSettings, Resolver, build_context, configure
from feature_flags.otel import OpenTelemetryHook

FLAG = "items-newest-first"
BUDGET_P99_US = 2000.0
AIM_P99_US = 50.0
REPOSITORY = Path(__file__).resolve().parent.parent


def measure(flags: FeatureFlags, evaluations: int, warmup: int) -> list[float]:
    """Microseconds per evaluation, one caller per evaluation (contexts built beforehand)."""
    contexts = [
        build_context(subject=f"client-{n}", method="GET", path="/v1/items")
        for n in range(evaluations)
    ]
    for context in contexts[:warmup]:
        flags.boolean(FLAG, False, context)
    timings: list[float] = []
    clock = time.perf_counter_ns
    for context in contexts:
        start = clock()
        flags.boolean(FLAG, False, context)
        timings.append((clock() - start) / 1000)
    return timings


def percentile(timings: list[float], fraction: float) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=20_000)
    parser.add_argument("--warmup", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    settings = FlagSettings(
        flags_resolver=Resolver.FILE, flags_file=REPOSITORY / "config" / "flags" / "flags.json"
    )
    upstream = configure(settings, domain="bench-upstream", tracing=False)
    upstream.client.add_hooks([OpenTelemetryHook()])
    variants = {
        "tracing hook": configure(settings, domain="bench-traced"),
        "upstream hook": upstream,
        "no hooks": configure(settings, domain="bench-plain", tracing=False),
    }
    print(
        f"{FLAG}, FILE resolver, {args.evaluations} evaluations after {args.warmup} warm-up,"
        f" best of {args.rounds} rounds"
    )
    print(f"{'client':<14} {'p50 µs':>9} {'p99 µs':>9} {'mean µs':>9}")
    worst = 0.0
    for name, flags in variants.items():
        rounds = [measure(flags, args.evaluations, args.warmup) for _ in range(args.rounds)]
        timings = min(rounds, key=lambda round_: percentile(round_, 0.99))
        p50, p99 = percentile(timings, 0.50), percentile(timings, 0.99)
        worst = max(worst, p99)
        print(f"{name:<14} {p50:>9.1f} {p99:>9.1f} {statistics.fmean(timings):>9.1f}")
    if worst > BUDGET_P99_US:
        print(f"FAIL: p99 {worst:.1f} µs is over the {BUDGET_P99_US:.0f} µs budget")
        return 1
    verdict = "within" if worst <= AIM_P99_US else "over"
    print(
        f"ok: p99 within the {BUDGET_P99_US:.0f} µs budget, {verdict} the {AIM_P99_US:.0f} µs aim"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
