"""Writing files that other processes read while they change."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

NEW_FILE_MODE = 0o644


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a reader sees the old file or the new one, never half.

    The new content goes to a temporary file in the same directory (same file system,
    so the rename is atomic), is flushed to disk, takes over the old file's mode and
    is renamed over ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp creates the file readable by its owner only; keep the file's mode.
        if path.exists():
            shutil.copymode(path, temporary)
        else:
            Path(temporary).chmod(NEW_FILE_MODE)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
