"""Time a generated repo's own set-up and test run, and its service latency benchmark.

Renders the template on the default answers into a scratch directory, then
times, each with its baseline measured in the same run:

- `make setup` (uv installs the workspace; the uv cache is as warm as the
  machine's) against a second `make setup` with nothing left to install;
- `make test` against `pytest --collect-only` (imports and collection alone);
- `make dev` until every service answers `/readyz`, against the same for the
  auth service alone;
- `make bench` in the generated repo, whose own baseline is `GET /livez` on the
  same server without authentication or the database.

    python benchmarks/bench_generated_repo.py

Prints Markdown for docs/benchmarks.md, with the machine and date.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import copier

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]  # scripts, not packages
from bench_template import machine  # noqa: E402

from tools.scratch import commit_all, tool_env  # noqa: E402

ENV = tool_env()


def timed(repo: Path, *command: str) -> tuple[float, str]:
    start = time.perf_counter()
    ran = subprocess.run(command, cwd=repo, env=ENV, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if ran.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{ran.stdout[-3000:]}\n{ran.stderr[-3000:]}")
    return seconds, ran.stdout


def dev_ready_seconds(repo: Path, *dev_args: str) -> float:
    """Seconds from `make dev` to its ready file (every started service ready), then Ctrl-C."""
    ready = repo / "var" / "bench-ready.json"
    ready.unlink(missing_ok=True)
    start = time.perf_counter()
    process = subprocess.Popen(
        ["make", "dev", f"DEV_ARGS=--ready-file {ready} {' '.join(dev_args)}"],
        cwd=repo,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while not ready.exists():
            if process.poll() is not None or time.perf_counter() - start > 300:
                raise SystemExit("make dev did not become ready within 300 s")
            time.sleep(0.05)
        return time.perf_counter() - start
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="goldenpath-bench-repo-") as tmp:
        repo = Path(tmp) / "platform"
        copier.run_copy(str(ROOT), repo, defaults=True, unsafe=True, vcs_ref="HEAD", quiet=True)
        commit_all(repo, "start")
        setup, _ = timed(repo, "make", "setup")
        setup_again, _ = timed(repo, "make", "setup")
        collect, _ = timed(repo, "uv", "run", "--frozen", "pytest", "--collect-only", "-q")
        test, test_output = timed(repo, "make", "test")
        dev_all = dev_ready_seconds(repo)
        dev_auth = dev_ready_seconds(repo, "--services", "auth")
        _, bench_output = timed(repo, "make", "bench")

    summary = next(
        (
            line.strip("= ").split(" in ")[0].split(",")[0]
            for line in reversed(test_output.splitlines())
            if "passed" in line
        ),
        "",
    )
    print(f"Machine: {machine()}")
    print(f"Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    print()
    print("| measurement | seconds | baseline | baseline seconds |")
    print("|---|---:|---|---:|")
    print(f"| make setup (fresh render) | {setup:.1f} | make setup again | {setup_again:.1f} |")
    print(f"| make test ({summary}) | {test:.1f} | pytest --collect-only | {collect:.1f} |")
    print(f"| make dev until ready | {dev_all:.1f} | make dev, auth alone | {dev_auth:.1f} |")
    print()
    print("`make bench` in the generated repo:")
    print()
    print("\n".join(line for line in bench_output.splitlines() if line.startswith("|")))


if __name__ == "__main__":
    main()
