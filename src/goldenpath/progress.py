"""A one-line progress display on stderr: the phase, and the files written so far.

Commands that can take more than a second (reading a template, rendering, updating,
comparing) report through :class:`Progress`; on a terminal the user sees a spinner with
"Rendering template v1.2.0: 212 files", elsewhere (CI logs, pipes) nothing is printed, so
stdout and stderr stay parseable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.status import Status


class Progress:
    """Shows one phase at a time; :meth:`file_written` counts files within the phase."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._status: Status | None = None
        self._phase = ""
        self._files = 0

    @contextmanager
    def shown(self) -> Iterator[Progress]:
        """Display the status line while the block runs (only on a terminal)."""
        if not self._console.is_terminal:
            yield self
            return
        with self._console.status("", spinner="dots") as status:
            self._status = status
            try:
                yield self
            finally:
                self._status = None

    def phase(self, name: str) -> None:
        """Start a new phase; its file count starts at zero."""
        self._phase, self._files = name, 0
        self._refresh()

    def file_written(self, _path: Path | None = None) -> None:
        self._files += 1
        self._refresh()

    @property
    def files(self) -> int:
        """Files counted in the current phase."""
        return self._files

    def _refresh(self) -> None:
        if self._status is None:
            return
        counted = f": {self._files} file{'s' if self._files != 1 else ''}" if self._files else ""
        self._status.update(f"{self._phase}{counted}")


def no_progress() -> Progress:
    """A Progress that displays nothing (for library callers and tests)."""
    return Progress(Console(quiet=True))
