"""An overloaded database writer shows in the status bar's database state, and clears."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from app.bridge import LinkState, Subsystem, UiBridge
from app.core import ConsoleCore, DatabaseTarget
from app.settings import Settings

pytestmark = pytest.mark.gui


def test_a_flooded_writer_shows_as_a_degraded_database_until_it_catches_up(
        qtbot: QtBot, empty_db_url: str) -> None:
    bridge = UiBridge()
    core = ConsoleCore(Settings(), DatabaseTarget(empty_db_url), bridge)
    core._start_database()
    core._start_writer()
    writer = core.writer
    assert writer is not None
    try:
        assert bridge.link_state(Subsystem.DATABASE)[0] is LinkState.UP
        gate = threading.Event()
        writer.submit(lambda _s: gate.wait(20), label="slow disk")
        qtbot.waitUntil(lambda: writer.stats.pending == 0, timeout=5000)
        for _ in range(10_000):  # the console's queue bound
            writer.submit(lambda _s: None)
        qtbot.waitUntil(
            lambda: bridge.link_state(Subsystem.DATABASE)[0] is LinkState.DEGRADED,
            timeout=5000)
        assert "10000 jobs queued" in bridge.link_state(Subsystem.DATABASE)[1]
        gate.set()
        writer.flush(20)
        qtbot.waitUntil(lambda: bridge.link_state(Subsystem.DATABASE)[0] is LinkState.UP,
                        timeout=5000)
    finally:
        core._stop_writer()
        core._stop_database()
