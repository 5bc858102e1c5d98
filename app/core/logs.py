"""Logging, configured once per process: one JSON object per line (production) or plain text.

Every line carries the request id of the request it belongs to (a context variable the HTTP layer
sets), so the lines of one request can be found together. What may appear in a line is decided by
its caller: no bodies, no query strings, no usernames or phone numbers; requests are logged by
route template (`/api/v1/households/{household_id}`), never by raw path.
"""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Fields a record may carry through `extra=` and that the formatters write out.
FIELDS = ("method", "route", "status", "duration_ms", "client")
_OURS = "_cnscd_handler"


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
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = [f"{name}={value}" for name in FIELDS if (value := getattr(record, name, None)) is not None]
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            extra.insert(0, f"request_id={rid}")
        return f"{line} [{' '.join(extra)}]" if extra else line


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
