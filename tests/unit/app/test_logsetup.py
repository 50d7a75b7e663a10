from __future__ import annotations

import json
import logging
from pathlib import Path

from app.logsetup import setup_logging


def test_json_lines_carry_event_fields(tmp_path: Path) -> None:
    log_file = tmp_path / "c.log"
    setup_logging(file=log_file, json_lines=True, stderr=False)
    try:
        logging.getLogger("app.test").info("ready", extra={"event": "ready", "parts": ["db"]})
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("app.test").warning("handled", exc_info=True)
    finally:
        setup_logging(stderr=False)  # removes our file handler
    lines = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["event"] == "ready" and lines[0]["parts"] == ["db"]
    assert lines[0]["logger"] == "app.test" and lines[0]["ts"].endswith("+00:00")
    assert "ValueError: boom" in lines[1]["exc"]
