"""JSON log lines with dotted event names; secrets never reach the log."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

__all__ = ["configure_logging", "redact"]

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_SECRET = re.compile(r"(gw_[0-9a-f]{16}_)[A-Za-z0-9_\-]+|(Bearer\s+)[^\s\"',;]+", re.IGNORECASE)


def redact(text: str) -> str:
    """Blank out API keys and bearer tokens wherever they appear."""
    return _SECRET.sub(lambda m: (m.group(1) or m.group(2)) + "***", text)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        # A secret inside a nested value is caught by this last pass over the whole line.
        return redact(json.dumps(line, default=str, ensure_ascii=False))


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(level: str = "INFO", *, json_lines: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _JsonFormatter()
        if json_lines
        else _TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Warnings (Celery's about running as root, deprecations) become log lines too.
    logging.captureWarnings(True)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "celery"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # The app writes one structured access line per request (gateway.web.access: route
    # template, organisation); uvicorn's own would repeat it with concrete paths and queries.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
