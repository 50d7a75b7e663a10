from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from app.bridge import LinkState, Subsystem, UiBridge

pytestmark = pytest.mark.gui


def test_a_widget_created_later_sees_the_latest_link_state(qtbot: QtBot) -> None:
    """A state reported by a worker before a panel exists must not be lost in the queue."""
    bridge = UiBridge()
    worker = threading.Thread(
        target=lambda: bridge.set_link_state(Subsystem.RADIO, LinkState.UP, "radio ready"))
    worker.start()
    worker.join()
    # no event processing yet: the queued signal has not been delivered anywhere
    assert bridge.link_state(Subsystem.RADIO) == (LinkState.UP, "radio ready")
    assert bridge.link_state(Subsystem.VIDEO) == (LinkState.NOT_CONFIGURED, "")
    seen: list[tuple[str, str, str]] = []
    bridge.link_state_changed.connect(lambda *a: seen.append(a))
    with qtbot.waitSignal(bridge.link_state_changed):
        threading.Thread(target=lambda: bridge.set_link_state(
            Subsystem.RADIO, LinkState.DOWN, "cable")).start()
    assert seen[-1] == ("radio", "down", "cable")


def test_call_soon_runs_on_the_ui_thread(qtbot: QtBot) -> None:
    bridge = UiBridge()
    ran_on: list[threading.Thread] = []
    threading.Thread(target=lambda: bridge.call_soon(
        lambda: ran_on.append(threading.current_thread()))).start()
    qtbot.waitUntil(lambda: bool(ran_on), timeout=2000)
    assert ran_on == [threading.main_thread()]
