"""The transcript pane shows venues the service announced before the pane connected.

At start-up the demo watches its live venue before the main window (and its pane) exists;
the pane used to stay empty while the status bar said one venue was being transcribed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

import app.speech.service as service_module
from app.speech.live import PauseReason, VenueState
from app.speech.service import LiveTranscriptionService
from app.speech.settings import SpeechSettings
from app.speech.testing import ZH_PLANTED
from app.speech.transcript import TranscriptLine
from widgets.transcript_pane import TranscriptPane, attach_service

pytestmark = pytest.mark.gui


class _QuietStream:
    """A venue stream that opens nothing (the test plays the worker threads' part)."""

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        pass

    def start(self) -> None:
        pass

    def stop(self, timeout: float = 5.0) -> None:
        pass

    def set_recording(self, on: bool) -> None:
        pass


def test_a_venue_watched_before_the_pane_connected_is_shown_with_its_lines_and_findings(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "VenueStream", _QuietStream)
    service = LiveTranscriptionService(SpeechSettings(language="zh"), tmp_path)
    # start-up: the venue is watched and transcribed before any pane exists
    service.watch(42, "demo.wav", name="天桥剧场")
    service._committed(42, TranscriptLine(1.0, 4.0, "大家好，今天给大家说段相声"), 0.2)
    service._committed(42, TranscriptLine(4.0, 8.0, ZH_PLANTED), 0.2)
    service._partial(42, "我这个人")
    service._state(42, VenueState.PAUSED, PauseReason.OVERLOAD)
    assert service.snapshot()[0].findings  # the planted passage was found

    pane = TranscriptPane()
    qtbot.addWidget(pane)
    attach_service(pane, service)

    assert pane.current_venue() == 42
    assert [text for _t, text in pane.shown_lines()] == ["大家好，今天给大家说段相声",
                                                        ZH_PLANTED]
    assert pane.findings_list.count() >= 1 and pane.highlighted_rows() == [1]
    assert pane.partial_label.text() == "我这个人"
    assert "paused" in pane.venue_combo.currentText()
    # a line that was in the replay and also arrives as a (queued) signal is shown once;
    # later lines arrive live
    line = TranscriptLine(8.0, 10.0, "谢谢大家")
    service._committed(42, line, 0.2)
    service.segment_committed.emit(42, line)
    qtbot.waitUntil(lambda: len(pane.shown_lines()) == 3, timeout=2000)
    qtbot.wait(50)
    assert [text for _t, text in pane.shown_lines()][-1] == "谢谢大家"
    assert len(pane.shown_lines()) == 3
    service.stop()
