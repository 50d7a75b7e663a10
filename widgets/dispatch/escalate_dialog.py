"""Escalating an incident to the city centre, or handing it to another district."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from widgets.dispatch.common import MessageLine, add_submit_shortcuts


class EscalateDialog(QDialog):
    """Escalate (district consoles only) or hand over, with a reason (required).

    Signals:
        escalate_requested(int, str): incident id, reason.
        handover_requested(int, str, str): incident id, district adcode, reason.
    """

    escalate_requested = Signal(int, str)
    handover_requested = Signal(int, str, str)

    def __init__(self, incident_id: int, number: str, districts: Mapping[str, str], *,
                 current_district: str | None, can_escalate: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("escalateDialog")
        self.setMinimumWidth(440)
        self.incident_id = incident_id
        self._number = number
        self.escalate_radio = QRadioButton(self)
        self.handover_radio = QRadioButton(self)
        self.district_combo = QComboBox(self)
        for adcode, name in districts.items():
            if adcode != current_district:
                self.district_combo.addItem(name, adcode)
        self.reason_label = QLabel(self)
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(80)
        self.reason_label.setBuddy(self.reason)
        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.escalate_radio.setEnabled(can_escalate)
        (self.escalate_radio if can_escalate else self.handover_radio).setChecked(True)
        self.handover_radio.toggled.connect(self._mode_changed)

        layout = QVBoxLayout(self)
        for w in (self.escalate_radio, self.handover_radio, self.district_combo,
                  self.reason_label, self.reason, self.message, self.buttons):
            layout.addWidget(w)
        add_submit_shortcuts(self, self.submit)
        self._mode_changed()
        self.retranslate()
        self.reason.setFocus()

    def retranslate(self) -> None:
        """Set every visible text (also after a language change)."""
        self.setWindowTitle(self.tr("Escalate or hand over %1").replace("%1", self._number))
        self.escalate_radio.setText(self.tr("&Escalate to the city centre"))
        self.handover_radio.setText(self.tr("&Hand over to the district:"))
        self.reason_label.setText(self.tr("&Reason (required)"))
        self.ok_button.setText(self.tr("Send"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))

    @Slot()
    def _mode_changed(self) -> None:
        self.district_combo.setEnabled(self.handover_radio.isChecked())

    @Slot()
    def submit(self) -> None:
        """Send the escalation or hand-over request."""
        reason = self.reason.toPlainText().strip()
        if not reason:
            self.message.show_message(self.tr("Give a reason: the receiving centre reads it."),
                                      "error")
            self.reason.setFocus()
            return
        self.ok_button.setEnabled(False)
        self.message.show_message(self.tr("Sending…"))
        if self.handover_radio.isChecked():
            self.handover_requested.emit(self.incident_id,
                                         str(self.district_combo.currentData()), reason)
        else:
            self.escalate_requested.emit(self.incident_id, reason)

    @Slot(str)
    def show_refusal(self, text: str) -> None:
        """The request was refused: say why."""
        self.ok_button.setEnabled(True)
        self.message.show_message(text, "error")
