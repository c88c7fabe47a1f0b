"""Where the repository is: every command works from any directory inside it."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from ops.errors import EXIT_USAGE, OpsError

ROOT_VARIABLE = "OPS_REPO_ROOT"


def is_repo_root(path: Path) -> bool:
    """True for the uv workspace root: a pyproject.toml with ``[tool.uv.workspace]``."""
    pyproject = path / "pyproject.toml"
    if not pyproject.is_file():
        return False
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return "workspace" in data.get("tool", {}).get("uv", {})


def find_repo_root(start: Path | None = None) -> Path:
    """``$OPS_REPO_ROOT``, else the nearest workspace root at or above ``start`` (the cwd)."""
    if explicit := os.environ.get(ROOT_VARIABLE):
        return Path(explicit).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if is_repo_root(candidate):
            return candidate
    msg = f"{here} is not inside the repository (no pyproject.toml with [tool.uv.workspace])"
    raise OpsError(msg, exit_code=EXIT_USAGE)


def resolve_root(explicit: Path | None) -> Path:
    """A command's ``--root``, or the repository around the working directory."""
    return explicit.resolve() if explicit is not None else find_repo_root()
