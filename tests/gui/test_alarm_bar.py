from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.alarms import SEVERITY_BY_KIND, AlarmCenter, AlarmSeverity, severity_of
from widgets.alarm_bar import AlarmBar, write_emergency_tone

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
    # it flashes (an emergency between red and yellow)
    qtbot.waitUntil(lambda: "ffd400" in bar.styleSheet(), timeout=2000)
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


def test_an_officers_emergency_preempts_older_lesser_alarms_with_sound(qtbot: QtBot) -> None:
    center = AlarmCenter()
    window = QWidget()
    sounds: list[AlarmSeverity] = []
    bar = AlarmBar(center, "值班员甲", window, sound=sounds.append)
    qtbot.addWidget(window)
    window.show()
    center.raise_alarm("recorder_not_live", "执法记录仪未在线 东城03")
    center.raise_alarm("geofence", "东城05 离开电子围栏「王府井」")
    assert "王府井" in bar.text_label.text()  # a geofence alarm outranks a camera alarm
    emergency = center.raise_alarm("radio_emergency", "电台紧急求助 西城02 王伟", unit_id=7)
    # the emergency is on the bar at once, marked, with the emergency sound
    assert "西城02" in bar.text_label.text() and "EMERGENCY" in bar.text_label.text()
    assert "3 pending" in bar.text_label.text()
    assert sounds == [AlarmSeverity.LOW, AlarmSeverity.NORMAL, AlarmSeverity.EMERGENCY]
    with qtbot.waitSignal(bar.alarm_selected) as shown:
        bar.show_button.click()  # 查看 acts on the alarm the dispatcher reads
    assert shown.args == [emergency]
    center.raise_alarm("vehicle_sos", "车辆紧急报警 朝阳01")  # a later emergency waits its turn
    assert "西城02" in bar.text_label.text()
    bar.ack_button.click()
    assert emergency.acknowledged_by == "值班员甲"
    assert "朝阳01" in bar.text_label.text()
    bar.ack_button.click()
    assert "王府井" in bar.text_label.text()
    assert [a.kind for a in center.pending] == ["geofence", "recorder_not_live"]


def test_the_default_alarm_sound_beeps_headless_without_failing(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    beeps: list[int] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(1)))
    center = AlarmCenter()
    window = QWidget()
    bar = AlarmBar(center, "值班员甲", window)
    qtbot.addWidget(window)
    center.raise_alarm("radio_emergency", "电台紧急求助 西城02 王伟")
    center.raise_alarm("recorder_not_live", "执法记录仪未在线 东城03")
    assert beeps == [1, 1]  # no speaker offscreen: the emergency tone falls back to a beep
    assert "西城02" in bar.text_label.text()


def test_severity_is_defined_once_per_kind() -> None:
    assert severity_of("radio_emergency") == severity_of("vehicle_sos") == \
        AlarmSeverity.EMERGENCY
    assert severity_of("recorder_not_live") < severity_of("geofence") < \
        severity_of("transcript_finding") < AlarmSeverity.EMERGENCY
    assert severity_of("something_new") == AlarmSeverity.NORMAL
    assert set(SEVERITY_BY_KIND) >= {"radio_emergency", "vehicle_sos", "escalation",
                                     "transcript_finding", "geofence", "recorder_not_live"}


def test_the_emergency_tone_is_a_short_valid_wav(tmp_path: Path) -> None:
    import wave

    path = write_emergency_tone(tmp_path / "tone.wav")
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16000)
        assert 0.5 <= w.getnframes() / w.getframerate() <= 1.0
