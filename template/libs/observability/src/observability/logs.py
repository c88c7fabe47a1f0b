"""structlog configured for one JSON object per line, with trace and request ids.

Both structlog loggers and the standard library's `logging` (uvicorn, SQLAlchemy, httpx)
go through the same processors, so every line a service prints has the same shape.

Exceptions are logged as structured tracebacks without the frames' local variables (they
hold request headers, tokens and query parameters), and no line is longer than
`MAX_LOG_LINE_BYTES`: a client that can trigger an error must not be able to fill the disk
or the log pipeline, nor read its own secrets back out of the logs.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from opentelemetry import trace
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, Processor, WrappedLogger

# Longest line a log record renders to. The JSON is ASCII (non-ASCII is escaped), so this
# is a byte count too. Lines over it are shrunk: long strings and lists are cut first,
# then everything but the essential fields is dropped; `truncated` gives the full length.
MAX_LOG_LINE_BYTES = 16 * 1024
# Innermost and outermost frames kept per exception; the middle of a deep stack is
# rarely what explains an error.
MAX_TRACEBACK_FRAMES = 20
# Fields a shrunk line keeps when nothing else fits: what happened, where and when.
_ESSENTIAL_FIELDS = (
    "event",
    "level",
    "timestamp",
    "logger",
    "service",
    "version",
    "request_id",
    "trace_id",
    "span_id",
)
# (longest string, most list items or dict members) for each shrinking step.
_SHRINK_STEPS = ((1024, 20), (128, 6))


def add_trace_context(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Add the current OpenTelemetry `trace_id` and `span_id`, so logs join traces."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


def _shrink(value: Any, max_string: int, max_items: int) -> Any:
    """A copy of `value` with strings, lists and mappings cut to the given sizes."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        members = list(value.items())
        shrunk = {
            _shrink_string(str(key), max_string): _shrink(item, max_string, max_items)
            for key, item in members[:max_items]
        }
        if len(members) > max_items:
            shrunk["..."] = f"{len(members) - max_items} more members"
        return shrunk
    if isinstance(value, list | tuple):
        return [_shrink(item, max_string, max_items) for item in _ends(list(value), max_items)]
    return _shrink_string(value if isinstance(value, str) else repr(value), max_string)


def _shrink_string(value: str, max_string: int) -> str:
    if len(value) <= max_string:
        return value
    return f"{value[:max_string]}...[{len(value) - max_string} more characters]"


def _ends(items: list[Any], max_items: int) -> list[Any]:
    """At most `max_items` items plus a marker. Both ends are kept: the outermost frames
    say how the code got there, the innermost where it failed."""
    if len(items) <= max_items:
        return items
    head = max_items // 2
    tail = max_items - head
    omitted = f"...[{len(items) - max_items} more items]"
    return [*items[:head], omitted, *items[len(items) - tail :]] if tail else [omitted]


class BoundedJSONRenderer:
    """`structlog.processors.JSONRenderer` whose lines never exceed `max_bytes`."""

    def __init__(self, max_bytes: int = MAX_LOG_LINE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._render = structlog.processors.JSONRenderer()

    def __call__(self, logger: WrappedLogger, method: str, event_dict: EventDict) -> str:
        line = str(self._render(logger, method, event_dict))
        if len(line) <= self.max_bytes:
            return line
        original_length = len(line)
        for max_string, max_items in _SHRINK_STEPS:
            shrunk = _shrink(event_dict, max_string, max_items)
            shrunk["truncated"] = original_length
            line = str(self._render(logger, method, shrunk))
            if len(line) <= self.max_bytes:
                return line
        essential = {
            name: _shrink(event_dict[name], 128, 0)
            for name in _ESSENTIAL_FIELDS
            if name in event_dict
        }
        essential["truncated"] = original_length
        return str(self._render(logger, method, essential))


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stdout` is at the time of the call (pytest swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


def configure_logging(*, service_name: str, version: str, level: str = "INFO") -> None:
    """Configure structlog and the root logger. Safe to call again (tests build many apps):
    it replaces its own handler and leaves handlers others installed alone."""

    def add_service(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service_name)
        event_dict.setdefault("version", version)
        return event_dict

    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_service,
        add_trace_context,
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Loggers made at import time must pick up this configuration when it changes.
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.ExceptionRenderer(
                ExceptionDictTransformer(
                    show_locals=False, max_frames=MAX_TRACEBACK_FRAMES, use_rich=False
                )
            ),
            BoundedJSONRenderer(),
        ],
    )
    handler = _StdoutHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for existing in [h for h in root.handlers if isinstance(h, _StdoutHandler)]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Uvicorn installs its own plain-text handlers; send its lines through ours instead.
    # Its access log is replaced by the request log of `RequestContextMiddleware`, which
    # knows the route, request id and trace id.
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # httpx logs every request at INFO; the client spans already record them.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def get_logger(name: str | None = None, **initial_values: Any) -> structlog.stdlib.BoundLogger:
    """A structlog logger; `initial_values` are bound to every line it writes."""
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name, **initial_values)
    return logger
