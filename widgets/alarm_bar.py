"""The alarm bar: pending alarms flash at the top of the window until acknowledged.

The bar shows the most severe pending alarm (oldest first within a severity, see
:data:`app.alarms.SEVERITY_BY_KIND`): an officer's emergency pre-empts whatever is shown and
sounds the emergency tone; other alarms beep once.
"""

from __future__ import annotations

import logging
import math
import struct
import wave
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QPushButton, QWidget

from app.alarms import Alarm, AlarmCenter, AlarmSeverity
from app.labels import local_time
from widgets.elided_label import ElidedLabel

log = logging.getLogger("widgets.alarm_bar")

_ON = "QFrame#alarmBar { background: #d92b2b; } QLabel { color: white; font-weight: bold; }"
_OFF = "QFrame#alarmBar { background: #7a1010; } QLabel { color: white; font-weight: bold; }"
_EMERGENCY_OFF = ("QFrame#alarmBar { background: #ffd400; } "
                  "QLabel { color: #7a0000; font-weight: bold; }")


def write_emergency_tone(path: Path, rate: int = 16000) -> Path:
    """A short two-tone alarm (0.6 s, 16-bit mono WAV) at ``path``; returns ``path``."""
    frames = bytearray()
    for i in range(int(rate * 0.6)):
        freq = 1400.0 if (i * 5 // rate) % 2 == 0 else 950.0  # alternate every 0.2 s
        frames += struct.pack("<h", int(12000 * math.sin(2 * math.pi * freq * i / rate)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return path


class AlarmSound(QObject):
    """Sounds for new alarms: a beep, or for an emergency the alarm tone (three times).

    The tone plays through QtMultimedia's ``QSoundEffect`` when that module and an audio output
    exist; otherwise (headless, no sound card, no QtMultimedia) it falls back to the system
    beep, so an alarm never fails for want of a speaker.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._effect: QObject | None = None
        self._tried = False

    def play(self, severity: AlarmSeverity) -> None:
        """Sound an alarm of ``severity``."""
        if severity >= AlarmSeverity.EMERGENCY and self._emergency_effect() is not None:
            effect = self._effect
            effect.play()  # type: ignore[union-attr]
            return
        QApplication.beep()

    def _emergency_effect(self) -> QObject | None:
        if self._tried:
            return self._effect
        self._tried = True
        if QGuiApplication.platformName() in ("offscreen", "minimal"):
            return None  # no one hears a headless console: do not probe the audio stack
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

            if not QMediaDevices.audioOutputs():
                return None
            from app.paths import AppPaths

            tone = AppPaths.default().cache_dir / "alarm-emergency.wav"
            if not tone.is_file():
                write_emergency_tone(tone)
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(tone)))
            effect.setLoopCount(3)
            self._effect = effect
        except Exception:  # no QtMultimedia, no device, unwritable cache: beep instead
            log.warning("emergency tone unavailable; using the system beep", exc_info=True)
            self._effect = None
        return self._effect


class AlarmBar(QFrame):
    """Shows the most severe pending alarm and how many there are; hidden when none is pending.

    Args:
        sound: called with the severity of each new alarm (default: :class:`AlarmSound`).

    Signals:
        alarm_selected(object): the dispatcher clicked "Show" on an alarm (map, incident).
    """

    alarm_selected = Signal(object)

    def __init__(self, center: AlarmCenter, operator: str,
                 parent: QWidget | None = None, *,
                 sound: Callable[[AlarmSeverity], None] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmBar")
        self._center = center
        self._operator = operator
        self._sound = sound if sound is not None else AlarmSound(self).play
        self._shown: Alarm | None = None
        # elided, never wider than the window: the whole text is in the tooltip
        self.text_label = ElidedLabel(self)
        self.text_label.setObjectName("alarmText")
        self.show_button = QPushButton(self)
        self.show_button.clicked.connect(self._show_current)
        self.ack_button = QPushButton(self)
        self.ack_button.setObjectName("alarmAcknowledge")
        self.ack_button.clicked.connect(self.acknowledge_current)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.show_button)
        layout.addWidget(self.ack_button)
        self._flash = QTimer(self)
        self._flash.setInterval(500)
        self._flash.timeout.connect(self._toggle)
        self._lit = True
        center.changed.connect(self.refresh)
        center.raised.connect(self._new_alarm)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        """Button texts in the current language."""
        self.ack_button.setText(self.tr("Acknowledge"))
        self.show_button.setText(self.tr("Show"))
        self.refresh()

    def current(self) -> Alarm | None:
        """The alarm shown: the most severe pending one, the oldest of those."""
        pending = self._center.pending
        return pending[0] if pending else None

    @Slot()
    def refresh(self) -> None:
        """Show the most severe pending alarm, or hide."""
        pending = self._center.pending
        if not pending:
            self._shown = None
            self._flash.stop()
            self.hide()
            return
        alarm = pending[0]
        self._shown = alarm
        text = self.tr("ALARM (%1 pending): %2 — %3").replace("%1", str(len(pending))) \
            .replace("%2", alarm.text).replace("%3", local_time(alarm.raised_at))
        if alarm.severity >= AlarmSeverity.EMERGENCY:
            text = self.tr("EMERGENCY") + " · " + text
        if alarm.incident_number:
            text += " — " + self.tr("incident %1").replace("%1", alarm.incident_number)
        self.text_label.setText(text)
        self.text_label.setToolTip(text)
        self.setStyleSheet(_ON)
        self._lit = True
        self.show()
        if not self._flash.isActive():
            self._flash.start()

    @Slot()
    def acknowledge_current(self) -> None:
        """Acknowledge the alarm shown (the one the dispatcher reads)."""
        alarm = self._shown if self._shown is not None else self.current()
        if alarm is not None:
            self._center.acknowledge(alarm.id, self._operator)

    @Slot(object)
    def _new_alarm(self, alarm: Alarm) -> None:
        try:
            self._sound(alarm.severity)
        except Exception:  # a sound problem must never lose an alarm
            log.exception("alarm sound failed")

    @Slot()
    def _show_current(self) -> None:
        alarm = self._shown if self._shown is not None else self.current()
        if alarm is not None:
            self.alarm_selected.emit(alarm)

    @Slot()
    def _toggle(self) -> None:
        self._lit = not self._lit
        emergency = self._shown is not None and self._shown.severity >= AlarmSeverity.EMERGENCY
        self.setStyleSheet(_ON if self._lit else _EMERGENCY_OFF if emergency else _OFF)
