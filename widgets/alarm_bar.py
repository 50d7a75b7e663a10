"""The alarm bar: pending alarms flash at the top of the window until acknowledged."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.alarms import Alarm, AlarmCenter
from app.labels import local_time

_ON = "QFrame#alarmBar { background: #d92b2b; } QLabel { color: white; font-weight: bold; }"
_OFF = "QFrame#alarmBar { background: #7a1010; } QLabel { color: white; font-weight: bold; }"


class AlarmBar(QFrame):
    """Shows the oldest pending alarm and how many there are; hidden when none is pending.

    Signals:
        alarm_selected(object): the dispatcher clicked "Show" on an alarm (map, incident).
    """

    alarm_selected = Signal(object)

    def __init__(self, center: AlarmCenter, operator: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmBar")
        self._center = center
        self._operator = operator
        self.text_label = QLabel(self)
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
        """The oldest pending alarm."""
        pending = self._center.pending
        return pending[0] if pending else None

    @Slot()
    def refresh(self) -> None:
        """Show the oldest pending alarm, or hide."""
        pending = self._center.pending
        if not pending:
            self._flash.stop()
            self.hide()
            return
        alarm = pending[0]
        text = self.tr("ALARM (%1 pending): %2 — %3").replace("%1", str(len(pending))) \
            .replace("%2", alarm.text).replace("%3", local_time(alarm.raised_at))
        if alarm.incident_number:
            text += " — " + self.tr("incident %1").replace("%1", alarm.incident_number)
        self.text_label.setText(text)
        self.setStyleSheet(_ON)
        self.show()
        if not self._flash.isActive():
            self._flash.start()

    @Slot()
    def acknowledge_current(self) -> None:
        """Acknowledge the oldest pending alarm."""
        alarm = self.current()
        if alarm is not None:
            self._center.acknowledge(alarm.id, self._operator)

    @Slot(object)
    def _new_alarm(self, _alarm: Alarm) -> None:
        QApplication.beep()

    @Slot()
    def _show_current(self) -> None:
        alarm = self.current()
        if alarm is not None:
            self.alarm_selected.emit(alarm)

    @Slot()
    def _toggle(self) -> None:
        self._lit = not self._lit
        self.setStyleSheet(_ON if self._lit else _OFF)
