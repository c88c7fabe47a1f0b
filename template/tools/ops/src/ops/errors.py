"""The one error type of the ops commands and the exit codes they use.

Commands raise ``OpsError`` for anything the user can fix (a missing file, an unknown
service, a tool that is not installed); ``ops.cli`` prints its message on stderr and
exits with its code, so no command prints tracebacks for expected failures.
"""

from __future__ import annotations

EXIT_OK = 0
# A check ran and found problems (policy violations, drift, a gap in the evidence).
EXIT_FAILED = 1
# The command could not run: bad arguments, missing files or tools.
EXIT_USAGE = 2


class OpsError(Exception):
    """A failure with a message for the user and the exit code to end with.

    Subclasses set ``default_exit_code``; a raise site can override it.
    """

    default_exit_code = EXIT_FAILED

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.exit_code = self.default_exit_code if exit_code is None else exit_code
