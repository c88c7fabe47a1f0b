"""pytest plugin: `-p tests.sharding --shard K/N` runs the K-th of N disjoint parts of the suite.

The template's CI (.github/workflows/ci.yml) runs `.ci/run` on N machines, one part
each. Tests that share a render (a module combination or another answer set: their xdist
group) go to that group's shard, so each answer set renders on one machine only (renders
are shared per session); the remaining tests are spread by a hash of their node id.
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


def shard_of(nodeid: str, group: str | None, groups: Sequence[str], total: int) -> int:
    """The 1-based shard a test belongs to: by its render group when it has one."""
    if group is not None and group in groups:
        return groups.index(group) % total + 1
    return zlib.crc32((group or nodeid).encode()) % total + 1


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
    from tests.conftest import COMBINATIONS, NON_DEFAULT_ID, combination_id

    # A render is shared by the tests of one xdist group (a module combination or another
    # answer set): the whole group goes to one shard, so each answer set renders once.
    groups = [*map(combination_id, COMBINATIONS), NON_DEFAULT_ID]
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("xdist_group")
        group = str(marker.args[0]) if marker and marker.args else None
        shard = shard_of(item.nodeid, group, groups, total)
        (keep if shard == index else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
