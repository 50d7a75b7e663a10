"""`--diagnostics`: the UI probe measures how long the UI thread keeps events waiting."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from app.diagnostics import UiProbe

pytestmark = pytest.mark.gui


def test_a_blocked_ui_thread_shows_as_input_latency(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "diag.jsonl"
    probe = UiProbe(path, lambda: [3, 4], interval_s=0.02)
    probe.start()
    probe.mark("window")
    qtbot.wait(1200)  # an idle UI: events are handled at once

    def block() -> None:  # a UI thread busy for 300 ms, as a blocking call would make it
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            pass

    QTimer.singleShot(0, block)
    qtbot.wait(1500)
    probe.stop()
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert records[0]["event"] == "probe_started" and records[1]["event"] == "window"
    ticks = [r for r in records if r["event"] == "tick"]
    assert len(ticks) >= 2
    lags = [x for t in ticks for x in t["lag_ms"]]
    assert len(lags) >= 40
    assert max(lags) >= 200  # the blocked stretch is seen
    assert sorted(lags)[len(lags) // 2] < 50  # and the idle rest is not
    assert ticks[-1]["painted"] == [3, 4] and ticks[-1]["rss_mb"] > 10
