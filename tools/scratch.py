"""Scratch repositories for the tests, benchmarks and tools of this template repo.

Three jobs kept in one place: the environment the generated repos' commands run
in, committing a directory as a new git repo, and snapshotting this checkout's
working tree (uncommitted changes included) as a template repo of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# CI machines have no git identity; scratch commits need one.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "goldenpath scratch",
    "GIT_AUTHOR_EMAIL": "scratch@goldenpath.example",
    "GIT_COMMITTER_NAME": "goldenpath scratch",
    "GIT_COMMITTER_EMAIL": "scratch@goldenpath.example",
}


def tool_env() -> dict[str, str]:
    """The environment for a generated repo's commands.

    This environment's bin directory goes first on PATH, so the generated Makefile
    finds uv instead of bootstrapping a private copy per render, and VIRTUAL_ENV is
    dropped, so uv uses the generated repo's own `.venv`.
    """
    env = {
        **GIT_IDENTITY,
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("VIRTUAL_ENV", None)
    return env


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        text=True,
        env={**GIT_IDENTITY, **os.environ},
    ).stdout


def commit_all(repo: Path, message: str, tag: str | None = None) -> None:
    """Make ``repo`` a git repository (if it is not one) and commit everything in it."""
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    if tag:
        git(repo, "tag", tag)


def snapshot_template(dest: Path, tag: str) -> Path:
    """Copy this checkout's working tree (tracked and untracked, not ignored) into a new
    git repo at ``dest``, committed and tagged ``tag``: a template whose versions a test
    or benchmark can move without touching the real history."""
    listed = git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard").splitlines()
    for name in listed:
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    commit_all(dest, f"template {tag}", tag)
    return dest
