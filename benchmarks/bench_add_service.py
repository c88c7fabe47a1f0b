"""Time `goldenpath add service` (http and worker) against plain copier.

The baseline is plain `copier copy` of the same service into the same repo, with the
same answers file and answers: the ratio says what the CLI adds (its checks, the
scratch render and the move into the repo); the absolute figure is what a user waits.
Each measurement runs in a fresh process, on a fresh copy of one committed repo.

    python benchmarks/bench_add_service.py [--runs 5]

Prints a Markdown table for docs/benchmarks.md, with the machine and date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # a script, run by path
from benchmarks.bench_template import BIN, machine, run  # noqa: E402
from tools.scratch import commit_all, snapshot_template  # noqa: E402

ANSWERS_FILE = "services/billing/.copier-answers.service.yml"
# What `add service` reads from the default repo's answers file and picks as the port.
SHARED = {
    "project_slug": "acme-platform",
    "organization": "acme",
    "owner_team": "platform-team",
    "python_version": "3.11",
    "service_port": "8100",
}


def timed(action: Callable[[Path], None], dest: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system of the child processes) of ``action``.

    CPU time hardly depends on what else the machine runs; wall time does."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    action(dest)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def add_with_goldenpath(repo: Path, kind: str) -> None:
    run(BIN / "goldenpath", "add", "service", "billing", "--kind", kind, "--repo", repo)


def add_with_copier(template: Path, repo: Path, kind: str) -> None:
    answers = {**SHARED, "service_name": "billing", "service_kind": kind}
    data = [arg for key, value in answers.items() for arg in ("--data", f"{key}={value}")]
    run(
        BIN / "copier", "copy", "--trust", "--defaults", "--quiet", "--vcs-ref", "v1",
        "--answers-file", ANSWERS_FILE, *data, template, repo,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement")
    args = parser.parse_args()

    results: dict[str, list[tuple[float, float]]] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="goldenpath-bench-") as tmp:
        workdir = Path(tmp)
        template = snapshot_template(workdir / "template", "v1")
        repo = workdir / "repo"
        run(BIN / "copier", "copy", "--trust", "--defaults", "--quiet", "--vcs-ref", "v1",
            template, repo)  # fmt: skip
        commit_all(repo, "start")
        for index in range(args.runs):
            for kind in ("http", "worker"):
                copies = {
                    "goldenpath": workdir / f"gp-{kind}-{index}",
                    "copier": workdir / f"cp-{kind}-{index}",
                }
                for copy in copies.values():
                    shutil.copytree(repo, copy, symlinks=True)
                timings = {
                    f"add service --kind {kind} (goldenpath)": timed(
                        lambda dest, kind=kind: add_with_goldenpath(dest, kind),
                        copies["goldenpath"],
                    ),
                    f"copy of the {kind} service (plain copier, baseline)": timed(
                        lambda dest, kind=kind: add_with_copier(template, dest, kind),
                        copies["copier"],
                    ),
                }
                for name, seconds in timings.items():
                    results.setdefault(name, []).append(seconds)

    print(f"Machine: {machine()}")
    print(f"Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}, runs: {args.runs}")
    # Wall-clock figures from a loaded machine are not comparable with an idle one's.
    print(f"Load average (1 min): {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print()
    print("| measurement | median s | min s | max s | median CPU s | vs baseline |")
    print("|---|---:|---:|---:|---:|---:|")
    names = list(results)
    for index, name in enumerate(names):
        times = [wall for wall, _ in results[name]]
        cpu = statistics.median(cpu for _, cpu in results[name])
        median = statistics.median(times)
        baseline = statistics.median(wall for wall, _ in results[names[index | 1]])
        ratio = "baseline" if index % 2 else f"{median / baseline:.2f}x"
        print(
            f"| {name} | {median:.2f} | {min(times):.2f} | {max(times):.2f} | {cpu:.2f} | {ratio} |"
        )


if __name__ == "__main__":
    main()
