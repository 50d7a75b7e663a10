"""The transcript pane: lines with Beijing times, partial caption, findings, pause, load."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from app.analysis.engine import ContentFinding
from app.speech.live import LoadReport
from app.speech.monitor import OutputDevice
from app.speech.transcript import TranscriptLine
from widgets.transcript_pane import TranscriptPane

pytestmark = pytest.mark.gui

START = dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC)  # 19:30 in Beijing


def _pane(qtbot: object) -> TranscriptPane:
    pane = TranscriptPane()
    qtbot.addWidget(pane)  # type: ignore[attr-defined]
    pane.add_venue(1, "德云小剧场", START)
    pane.add_venue(2, "笑果工厂", START)
    return pane


def test_lines_show_beijing_time_and_the_partial_caption(qtbot: object) -> None:
    pane = _pane(qtbot)
    assert pane.current_venue() == 1
    pane.add_line(1, TranscriptLine(65.0, 70.0, "大家好，今天我给大家说一段相声"))
    pane.add_line(2, TranscriptLine(5.0, 8.0, "另一个场所"))
    pane.set_partial(1, "我这个人啊")
    assert pane.shown_lines() == [("19:31:05", "大家好，今天我给大家说一段相声")]
    assert pane.partial_label.text() == "我这个人啊"
    pane.venue_combo.setCurrentIndex(1)
    assert pane.shown_lines() == [("19:30:05", "另一个场所")]
    assert pane.partial_label.text() == ""


def test_findings_are_listed_and_their_lines_highlighted(qtbot: object) -> None:
    pane = _pane(qtbot)
    pane.add_line(1, TranscriptLine(0.0, 4.0, "开场白"))
    pane.add_line(1, TranscriptLine(60.0, 66.0, "他们在后台赌博"))
    pane.add_finding(1, ContentFinding(10, "赌博", "c10-gambling", 63.0, 64.0, "赌博", "赌博",
                                       "exact", 0.8, "他们在后台赌博"))
    assert pane.highlighted_rows() == [1]
    assert pane.findings_list.count() == 1
    text = pane.findings_list.item(0).text()
    assert "Item 10: Other circumstances" in text  # English without a translator (--lang en)
    assert "〔赌博〕" in text and "19:31:03" in text
    # a line that arrives later inside the finding's range is highlighted too
    pane.add_line(1, TranscriptLine(63.5, 65.0, "押大小"))
    assert pane.highlighted_rows() == [1, 2]


def test_paused_venues_are_shown_as_paused_and_can_be_resumed(qtbot: object) -> None:
    pane = _pane(qtbot)
    pane.set_venue_state(1, "paused", "overload")
    assert "德云小剧场 — " in pane.venue_combo.itemText(0)
    assert pane.venue_combo.itemText(0) != "德云小剧场"
    with qtbot.waitSignal(pane.pause_requested) as blocker:  # type: ignore[attr-defined]
        qtbot.mouseClick(pane.pause_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert blocker.args == [1, False]  # resume
    pane.set_venue_state(1, "active", "")
    assert pane.venue_combo.itemText(0) == "德云小剧场"
    with qtbot.waitSignal(pane.pause_requested) as blocker:  # type: ignore[attr-defined]
        qtbot.mouseClick(pane.pause_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert blocker.args == [1, True]


def test_load_capacity_and_latency_are_stated(qtbot: object) -> None:
    pane = _pane(qtbot)
    pane.set_load(LoadReport(2, (1,), (2,), 0.45, 0.5, 3, 1.6, 2.4))
    text = pane.load_label.text()
    assert "1" in text and "45" in text and "3" in text and "1.6" in text
    pane.set_model_state("missing", "no speech model: set speech.model_dir")
    assert pane.model_label.isVisibleTo(pane)
    assert "speech.model_dir" in pane.model_label.text()


def test_headset_needs_an_output_device(qtbot: object) -> None:
    pane = _pane(qtbot)
    assert not pane.monitor_button.isEnabled()  # no device on this workstation
    pane.set_output_devices([OutputDevice(3, "USB Headset", "ALSA", True)])
    assert pane.monitor_button.isEnabled()
    with qtbot.waitSignal(pane.monitor_requested) as blocker:  # type: ignore[attr-defined]
        pane.monitor_button.setChecked(True)
    assert blocker.args == [1, 3]
    with qtbot.waitSignal(pane.monitor_requested) as blocker:  # type: ignore[attr-defined]
        pane.monitor_button.setChecked(False)
    assert blocker.args == [-1, -1]
