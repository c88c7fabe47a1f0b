"""pytest plugin: `-p tests.sharding --shard K/N` runs the K-th of N disjoint parts of the suite.

The template's CI (.github/workflows/ci.yml) runs `.ci/run` on N machines, one part
each. Tests parametrized by a module combination go to the shard of their
combination, so each combination is rendered on one machine only (renders are
shared per session); the remaining tests are spread by a hash of their node id.
Every test lands in exactly one shard, and the same one on every xdist worker.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import pytest


def parse_shard(value: str) -> tuple[int, int]:
    """ "K/N" -> (K, N), with 1 <= K <= N."""
    index, _, total = value.partition("/")
    if not (index.isdigit() and total.isdigit() and 1 <= int(index) <= int(total)):
        raise pytest.UsageError(f"--shard takes K/N with 1 <= K <= N, not {value!r}")
    return int(index), int(total)


def shard_of(
    nodeid: str, combo: frozenset[str] | None, combinations: Sequence[frozenset[str]], total: int
) -> int:
    """The 1-based shard a test belongs to."""
    if combo is not None and combo in combinations:
        return combinations.index(combo) % total + 1
    return zlib.crc32(nodeid.encode()) % total + 1


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--shard",
        default=None,
        metavar="K/N",
        help="run only the K-th of N disjoint parts of the suite (by module combination)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    value = config.getoption("--shard")
    if value is None:
        return
    index, total = parse_shard(value)
    from tests.conftest import COMBINATIONS

    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        combo = callspec.params.get("combo") if callspec is not None else None
        shard = shard_of(
            item.nodeid, combo if isinstance(combo, frozenset) else None, COMBINATIONS, total
        )
        (keep if shard == index else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
