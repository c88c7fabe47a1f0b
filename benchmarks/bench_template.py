"""Time `goldenpath new` (full preset) and `goldenpath update` against plain copier, the floor
(plain Jinja2 rendering the same tree) and, optionally, cookiecutter-django's default render.

Every baseline is measured in the same run on the same machine, each in a fresh process as
a user would run it. Wall time is what a user waits; CPU time (user + system of the process
and its children) moves less when other jobs load the machine, so both are reported.

    python benchmarks/bench_template.py [--runs 5] [--cookiecutter-django CHECKOUT]

Prints the machine, date, load, whether goldenpath's output is byte-identical to copier's,
and a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # a script, run by path
from tools.scratch import GIT_IDENTITY, commit_all, snapshot_template  # noqa: E402

BIN = Path(sys.executable).parent
MODULE_DATA = ["gateway=true", "feature_flags=true", "ml=true", "edge=true"]
NEW = "goldenpath new --preset full"
COPY = "copier copy, every module on"
FLOOR = "plain Jinja2, same tree (floor)"
UPDATE = "goldenpath update v1.0.0 -> v1.1.0"
COPIER_UPDATE = "copier update v1.0.0 -> v1.1.0"
COOKIECUTTER = "cookiecutter-django default (reference)"


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


@dataclass
class Sample:
    wall: float  # seconds the user waits
    cpu: float  # user + system seconds of the process and its children (less load-sensitive)


def timed(action: Callable[..., None], *args: Path) -> Sample:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    action(*args)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(wall, cpu)


def files_in(root: Path) -> int:
    return sum(1 for path in root.rglob("*") if path.is_file() and ".git" not in path.parts)


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


def floor_with_jinja(template: Path, answers: Path, dest: Path) -> None:
    run(sys.executable, ROOT / "benchmarks" / "jinja_floor.py", template, answers, dest)


def cookiecutter_default(cookiecutter: Path, template: Path, dest: Path) -> None:
    """cookiecutter-django's default render. Its post-generation hook runs `uv add` to lock
    dependencies over the network: a stub `uv` that does nothing stands in, so that the
    render is timed, not a dependency resolution."""
    stub = dest.parent / "stub-bin"
    stub.mkdir(exist_ok=True)
    (stub / "uv").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    (stub / "uv").chmod(0o755)
    subprocess.run(
        [str(cookiecutter), "--no-input", str(template), "-o", str(dest)],
        check=True,
        capture_output=True,
        env={**os.environ, "PATH": f"{stub}{os.pathsep}{os.environ['PATH']}"},
    )


def same_tree(first: Path, second: Path) -> bool:
    """Whether two renders hold the same files with the same bytes (answers file aside)."""
    names = {
        path.relative_to(root)
        for root in (first, second)
        for path in root.rglob("*")
        if path.is_file() and path.name != ".copier-answers.yml"
    }
    return all(
        (first / name).is_file()
        and (second / name).is_file()
        and (first / name).read_bytes() == (second / name).read_bytes()
        for name in names
    )


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
    parser.add_argument(
        "--cookiecutter-django",
        type=Path,
        help="a cookiecutter-django checkout, to time its default render as the reference",
    )
    parser.add_argument(
        "--cookiecutter", type=Path, help="the cookiecutter command (default: on PATH)"
    )
    args = parser.parse_args()

    results: dict[str, list[Sample]] = {}
    files: dict[str, int] = {}
    identical: list[bool] = []
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="goldenpath-bench-") as tmp:
        workdir = Path(tmp)
        template = make_template_repo(workdir)
        for index in range(args.runs):
            run_dir = workdir / f"run{index}"
            run_dir.mkdir()
            samples = {
                NEW: timed(new_with_goldenpath, template, run_dir / "new-gp"),
                COPY: timed(new_with_copier, template, run_dir / "new-cp"),
                FLOOR: timed(
                    floor_with_jinja,
                    template,
                    run_dir / "new-cp" / ".copier-answers.yml",
                    run_dir / "floor",
                ),
                UPDATE: timed(update_with_goldenpath, committed_repo(template, run_dir / "up-gp")),
                COPIER_UPDATE: timed(
                    update_with_copier, committed_repo(template, run_dir / "up-cp")
                ),
            }
            if args.cookiecutter_django:
                cookiecutter = args.cookiecutter or Path(shutil.which("cookiecutter") or "")
                samples[COOKIECUTTER] = timed(
                    cookiecutter_default,
                    cookiecutter,
                    args.cookiecutter_django,
                    run_dir / "ccd",
                )
                files[COOKIECUTTER] = files_in(run_dir / "ccd")
            files[NEW] = files_in(run_dir / "new-gp")
            files[COPY] = files_in(run_dir / "new-cp")
            files[FLOOR] = files_in(run_dir / "floor")
            identical.append(same_tree(run_dir / "new-gp", run_dir / "new-cp"))
            for name, sample in samples.items():
                results.setdefault(name, []).append(sample)
            loads.append(os.getloadavg()[0])

    print(f"Machine: {machine()}")
    print(f"Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}, runs: {args.runs}")
    print(f"Load average (1 min) over the runs: {min(loads):.1f} to {max(loads):.1f}")
    print(f"goldenpath new output byte-identical to copier copy: {all(identical)}")
    print()
    print(
        "| measurement | files | median wall s | min-max wall s | median CPU s "
        "| wall s per 100 files | CPU s per 100 files |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, measured in results.items():
        wall = statistics.median(sample.wall for sample in measured)
        cpu = statistics.median(sample.cpu for sample in measured)
        walls = [sample.wall for sample in measured]
        count = files.get(name)
        per_wall = f"{100 * wall / count:.2f}" if count else ""
        per_cpu = f"{100 * cpu / count:.2f}" if count else ""
        print(
            f"| {name} | {count or ''} | {wall:.2f} | {min(walls):.2f}-{max(walls):.2f} "
            f"| {cpu:.2f} | {per_wall} | {per_cpu} |"
        )
    print()
    for update, render in ((UPDATE, NEW), (COPIER_UPDATE, COPY)):
        wall = statistics.median(s.wall for s in results[update])
        base = statistics.median(s.wall for s in results[render])
        cpu = statistics.median(s.cpu for s in results[update])
        base_cpu = statistics.median(s.cpu for s in results[render])
        print(f"- {update} / {render}: {wall / base:.2f}x wall, {cpu / base_cpu:.2f}x CPU")


if __name__ == "__main__":
    main()
