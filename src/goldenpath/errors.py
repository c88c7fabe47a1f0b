"""The one error type the CLI turns into a one-line message, a hint and an exit code."""

from __future__ import annotations

# Exit codes, documented in `goldenpath --help`.
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_CONFLICTS = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command Ctrl-C stopped


class GoldenpathError(Exception):
    """A failure the user can act on: ``message`` says what, ``hint`` says what to do."""

    def __init__(self, message: str, hint: str = "", exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code


class BadInputError(GoldenpathError):
    """A wrong answer or argument, refused before anything is written."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint, EXIT_BAD_INPUT)


def one_line(error: BaseException, limit: int = 300) -> str:
    """An exception as one line: its non-decorative lines joined, cut at ``limit``."""
    lines = [line.strip() for line in str(error).splitlines()]
    text = " ".join(line for line in lines if line and set(line) - set("-=~^ "))
    text = text or type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
