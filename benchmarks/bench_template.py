"""Time `goldenpath new` (full preset) and `goldenpath update`, each against plain copier.

Plain copier on the same template and answers is the baseline, measured in the
same run on the same machine: the ratio says what the CLI adds; the absolute
figures say what a user waits. Each measurement runs in a fresh process, as a
user would run it.

    python benchmarks/bench_template.py [--runs 5]

Prints a Markdown table for docs/benchmarks.md, with the machine and date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # a script, run by path
from tools.scratch import GIT_IDENTITY, commit_all, snapshot_template  # noqa: E402

BIN = Path(sys.executable).parent
MODULE_DATA = ["gateway=true", "feature_flags=true", "ml=true", "edge=true"]


def run(*args: str | Path, cwd: Path | None = None) -> None:
    subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={**GIT_IDENTITY, **os.environ},
    )


def make_template_repo(workdir: Path) -> Path:
    """A git copy of the working tree tagged v1.0.0, plus a v1.1.0 with a README change."""
    repo = snapshot_template(workdir / "template", "v1.0.0")
    readme = repo / "template/README.md.jinja"
    title, _, rest = readme.read_text(encoding="utf-8").partition("\n")
    readme.write_text(f"{title}\n\nA line added by template v1.1.0.\n{rest}", encoding="utf-8")
    commit_all(repo, "template v1.1.0", "v1.1.0")
    return repo


def timed(action: Callable[..., None], *args: Path) -> float:
    start = time.perf_counter()
    action(*args)
    return time.perf_counter() - start


def new_with_goldenpath(template: Path, dest: Path) -> None:
    run(
        BIN / "goldenpath", "new", dest, "--defaults", "--preset", "full",
        "--template", template, "--vcs-ref", "v1.0.0",
    )  # fmt: skip


def new_with_copier(template: Path, dest: Path) -> None:
    data = [arg for pair in MODULE_DATA for arg in ("--data", pair)]
    run(
        BIN / "copier", "copy", "--trust", "--defaults", "--quiet", "--vcs-ref", "v1.0.0",
        *data, template, dest,
    )  # fmt: skip


def committed_repo(template: Path, dest: Path) -> Path:
    new_with_copier(template, dest)
    commit_all(dest, "start")
    return dest


def update_with_goldenpath(dest: Path) -> None:
    run(BIN / "goldenpath", "update", dest, "--vcs-ref", "v1.1.0")


def update_with_copier(dest: Path) -> None:
    run(
        BIN / "copier", "update", "--trust", "--defaults", "--skip-answered", "--quiet",
        "--vcs-ref", "v1.1.0", dest,
    )  # fmt: skip


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    copier_version = subprocess.run(
        [BIN / "copier", "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{copier_version}, {platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement")
    args = parser.parse_args()

    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="goldenpath-bench-") as tmp:
        workdir = Path(tmp)
        template = make_template_repo(workdir)
        for index in range(args.runs):
            run_dir = workdir / f"run{index}"
            run_dir.mkdir()
            timings = {
                "new --preset full (goldenpath)": timed(
                    new_with_goldenpath, template, run_dir / "new-gp"
                ),
                "copy, all modules (plain copier, baseline)": timed(
                    new_with_copier, template, run_dir / "new-cp"
                ),
                "update v1.0.0 -> v1.1.0 (goldenpath)": timed(
                    update_with_goldenpath, committed_repo(template, run_dir / "up-gp")
                ),
                "update v1.0.0 -> v1.1.0 (plain copier, baseline)": timed(
                    update_with_copier, committed_repo(template, run_dir / "up-cp")
                ),
            }
            for name, seconds in timings.items():
                results.setdefault(name, []).append(seconds)

    print(f"Machine: {machine()}")
    print(f"Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}, runs: {args.runs}")
    print()
    print("| measurement | median s | min s | max s | vs baseline |")
    print("|---|---:|---:|---:|---:|")
    names = list(results)
    for index, name in enumerate(names):
        times = results[name]
        median = statistics.median(times)
        baseline = statistics.median(results[names[index | 1]])
        ratio = "baseline" if index % 2 else f"{median / baseline:.2f}x"
        print(f"| {name} | {median:.2f} | {min(times):.2f} | {max(times):.2f} | {ratio} |")


if __name__ == "__main__":
    main()
