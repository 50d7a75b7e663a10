from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.alarms import AlarmCenter
from widgets.alarm_bar import AlarmBar

pytestmark = pytest.mark.gui


def test_alarms_stay_until_acknowledged_oldest_first(qtbot: QtBot) -> None:
    center = AlarmCenter()
    window = QWidget()
    bar = AlarmBar(center, "值班员甲", window)
    qtbot.addWidget(window)
    window.show()
    assert bar.isHidden()  # nothing pending: no bar
    acked: list[str] = []
    center.raise_alarm("vehicle_sos", "车辆紧急报警 东城01", incident_number="20261127-0015",
                       on_ack=acked.append)
    center.raise_alarm("radio_emergency", "电台紧急求助 西城02 王伟")
    assert bar.isVisible()
    assert "2 pending" in bar.text_label.text() and "东城01" in bar.text_label.text()
    assert "20261127-0015" in bar.text_label.text()
    qtbot.waitUntil(lambda: "7a1010" in bar.styleSheet(), timeout=2000)  # it flashes
    bar.ack_button.click()
    assert acked == ["值班员甲"]  # the JT/T 808 side is told who acknowledged
    assert "1 pending" in bar.text_label.text() and "西城02" in bar.text_label.text()
    bar.ack_button.click()
    assert bar.isHidden()
    assert center.pending == []
    assert center.acknowledge(1, "x") is False  # already acknowledged


def test_a_repeated_report_of_one_situation_is_one_alarm_until_acknowledged(
        qtbot: QtBot) -> None:
    center = AlarmCenter()
    first = center.raise_alarm("transcript_finding", "疑似违规", incident_number="20261127-0015",
                               key="20261127-0015")
    again = center.raise_alarm("transcript_finding", "疑似违规", incident_number="20261127-0015",
                               key="20261127-0015")
    other = center.raise_alarm("escalation", "上报待签收", key="20261127-0015")  # other kind
    assert again is first and other is not first
    assert len(center.pending) == 2
    center.acknowledge(first.id, "值班员甲")
    later = center.raise_alarm("transcript_finding", "疑似违规", key="20261127-0015")
    assert later is not first and len(center.pending) == 2  # a new episode raises again
