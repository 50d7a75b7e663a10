"""Logging: a rotating log file (plain text or JSON lines) and stderr.

Category loggers (``app.tracking``, ``radio_bridge.session`` …) are used throughout. A record
may carry ``extra={"event": "ready", …}``: in JSON mode every extra key becomes a field, so
tools and tests read the structured log instead of scraping text.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import sys
from pathlib import Path
from typing import Any

_STANDARD = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC ISO), level, logger, msg, event fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "thread": record.threadName,
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value if _jsonable(value) else repr(value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def _jsonable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | type(None) | list | dict)


class TextFormatter(logging.Formatter):
    """Plain lines with the event name in brackets when a record carries one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        event = getattr(record, "event", None)
        return f"{text} [{event}]" if event else text


def setup_logging(
    *, level: str = "INFO", file: Path | None = None, json_lines: bool = False,
    max_bytes: int = 10_000_000, backups: int = 5, stderr: bool = True,
) -> None:
    """Configure the root logger once (replacing earlier handlers of ours)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_cedc", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level.upper())
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        fh = logging.handlers.RotatingFileHandler(
            file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
        fh.setFormatter(JsonFormatter() if json_lines else TextFormatter())
        fh._cedc = True  # type: ignore[attr-defined]
        root.addHandler(fh)
    if stderr:
        sh = logging.StreamHandler(sys.stderr)
        sh.setFormatter(TextFormatter())
        sh._cedc = True  # type: ignore[attr-defined]
        root.addHandler(sh)
    logging.captureWarnings(True)
