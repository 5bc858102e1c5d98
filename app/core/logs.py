"""Logging, configured once per process: one JSON object per line (production) or plain text.

Every line carries the request id of the request it belongs to (a context variable the HTTP layer
sets), so the lines of one request can be found together. What may appear in a line is decided by
its caller: no bodies, no query strings, no usernames or phone numbers; requests are logged by
route template (`/api/v1/households/{household_id}`), never by raw path.

An exception is written as its type, its chain and its frames (`file:line in function`), never its
message: messages quote values (openpyxl's IllegalCharacterError quotes the whole cell, a driver
error the parameter), and whoever logs one (uvicorn's "Exception in ASGI application", a library)
goes through these formatters.
"""

import json
import logging
import sys
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Fields a record may carry through `extra=` and that the formatters write out.
FIELDS = ("method", "route", "status", "duration_ms", "client")
_OURS = "_cnscd_handler"
ROOT = Path(__file__).resolve().parents[2]
MAX_CHAIN = 5


def _place(frame: traceback.FrameSummary) -> str:
    """`app/kpi/export.py:87`: relative to the project, or to site-packages for a library."""
    path = Path(frame.filename)
    if path.is_relative_to(ROOT) and ".venv" not in path.parts:
        name = path.relative_to(ROOT).as_posix()
    elif "site-packages" in path.parts:
        name = "/".join(path.parts[path.parts.index("site-packages") + 1 :])
    else:
        name = path.name
    return f"{name}:{frame.lineno}"


def where(exc: BaseException) -> str:
    """Where `exc` was raised: the innermost frame of our own code, and the innermost frame of all
    when that is a library's (`app/kpi/export.py:87 > openpyxl/cell/cell.py:218`)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown"
    innermost = _place(frames[-1])
    ours = [
        f for f in frames if Path(f.filename).is_relative_to(ROOT) and ".venv" not in Path(f.filename).parts
    ]
    if ours and ours[-1] is not frames[-1]:
        return f"{_place(ours[-1])} > {innermost}"
    return innermost


def describe(exc: BaseException) -> str:
    """The type and the frames of `exc` and of the exceptions it chains, newest last; no message."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < MAX_CHAIN and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
    parts = []
    for item in reversed(chain):
        frames = "".join(f"\n  {_place(f)} in {f.name}" for f in traceback.extract_tb(item.__traceback__))
        parts.append(f"{type(item).__module__}.{type(item).__qualname__} (message withheld){frames}")
    return "\n".join(parts)


def _exc_text(exc_info) -> str:
    exc = exc_info[1] if isinstance(exc_info, tuple) else exc_info
    return describe(exc) if isinstance(exc, BaseException) else ""


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            entry["request_id"] = rid
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and record.exc_info[1] is not None:
            entry["exc_type"] = type(record.exc_info[1]).__name__
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return _exc_text(ei)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        # Not logging.Formatter.format: it would reuse an `exc_text` another handler cached, message and all.
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        extra = [f"{name}={value}" for name in FIELDS if (value := getattr(record, name, None)) is not None]
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            extra.insert(0, f"request_id={rid}")
        if extra:
            line += f" [{' '.join(extra)}]"
        if record.exc_info and (text := self.formatException(record.exc_info)):
            line += "\n" + text
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return _exc_text(ei)


_base_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args, **kwargs) -> logging.LogRecord:
    """Every record made during a request carries its id, even when formatted later (a queue)."""
    record = _base_factory(*args, **kwargs)
    record.request_id = request_id.get()
    return record


def configure_logging(json_lines: bool, level: str = "INFO") -> None:
    """Our handler on the root logger (replacing the one a previous call installed), uvicorn's
    loggers routed through it, and uvicorn's access log off: it prints raw paths with their query
    strings (`?q=<a phone number>`); the HTTP layer logs each request by route template instead."""
    logging.setLogRecordFactory(_record_with_request_id)
    # What no line prints: skipping it halves the cost of a log call (the access log is per request).
    logging._srcfile = None  # no caller lookup (file and line)  # noqa: SLF001
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    setattr(handler, _OURS, True)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers = []
        uvicorn_logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
