"""Closing an incident with its outcome, and cancelling one."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.dispatch.texts import outcome_label
from models.dispatch import IncidentOutcome
from widgets.dispatch.common import MessageLine, add_submit_shortcuts

MAX_NOTE = 1000


class CloseIncidentDialog(QDialog):
    """Pick the outcome (required) and add a note; units still assigned are named.

    Keyboard: arrows choose the outcome, Tab to the note, Enter or Ctrl+Enter closes the
    incident, Esc cancels.

    Signals:
        close_requested(int, str, str): incident id, IncidentOutcome value, note.
    """

    close_requested = Signal(int, str, str)

    def __init__(self, incident_id: int, number: str, title: str,
                 active_units: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("closeIncidentDialog")
        self.setMinimumWidth(480)
        self.incident_id = incident_id
        self._number = number
        self._title = title
        self._units = list(active_units)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.outcome_label = QLabel(self)
        self.outcomes = QListWidget(self)
        self.outcomes.setObjectName("closeOutcomes")
        # the first row asks for a choice, so focusing the list never picks an outcome
        self._placeholder = QListWidgetItem("", self.outcomes)
        for outcome in IncidentOutcome:
            item = QListWidgetItem(outcome_label(outcome), self.outcomes)
            item.setData(Qt.ItemDataRole.UserRole, outcome.value)
        self.outcomes.setCurrentRow(0)
        self.note_label = QLabel(self)
        self.note = QPlainTextEdit(self)
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(80)
        self.units_warning = QLabel(self)
        self.units_warning.setWordWrap(True)
        self.units_warning.setStyleSheet("color: #8a5a00;")
        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.outcomes.currentRowChanged.connect(self._outcome_changed)
        self.outcomes.itemActivated.connect(lambda _item: self.submit())
        self.outcome_label.setBuddy(self.outcomes)
        self.note_label.setBuddy(self.note)

        layout = QVBoxLayout(self)
        for w in (self.heading, self.outcome_label, self.outcomes, self.note_label, self.note,
                  self.units_warning, self.message, self.buttons):
            layout.addWidget(w)
        add_submit_shortcuts(self, self.submit)
        self._outcome_changed(0)
        self.retranslate()
        self.outcomes.setFocus()

    def retranslate(self) -> None:
        """Set every visible text (also after a language change)."""
        self.setWindowTitle(self.tr("Close incident %1").replace("%1", self._number))
        self.heading.setText(f"<b>{self._number}</b>　{self._title}")
        self.outcome_label.setText(self.tr("&Outcome"))
        self.note_label.setText(self.tr("&Note (what was found, what was done)"))
        self.ok_button.setText(self.tr("Close incident"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self._placeholder.setText(self.tr("— choose the outcome (arrow keys) —"))
        for row in range(1, self.outcomes.count()):
            item = self.outcomes.item(row)
            item.setText(outcome_label(item.data(Qt.ItemDataRole.UserRole)))
        self.units_warning.setText(
            self.tr("Still assigned: %1. They will be released; units still on their way are "
                    "told by radio.").replace("%1", "、".join(self._units))
            if self._units else "")
        self.units_warning.setVisible(bool(self._units))

    def outcome(self) -> IncidentOutcome | None:
        """The chosen outcome (None while the prompt row is current)."""
        item = self.outcomes.currentItem()
        value = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        return None if value is None else IncidentOutcome(value)

    def note_text(self) -> str:
        """The note, trimmed."""
        return self.note.toPlainText().strip()

    @Slot(int)
    def _outcome_changed(self, _row: int) -> None:
        self.ok_button.setEnabled(self.outcome() is not None)

    @Slot()
    def submit(self) -> None:
        """Request the close (needs an outcome); the dialog closes when it is done."""
        outcome = self.outcome()
        if outcome is None:
            self.message.show_message(self.tr("Choose the outcome first."), "error")
            self.outcomes.setFocus()
            return
        if len(self.note_text()) > MAX_NOTE:
            self.message.show_message(self.tr("The note is too long (at most %1 characters).")
                                      .replace("%1", str(MAX_NOTE)), "error")
            return
        self.ok_button.setEnabled(False)
        self.message.show_message(self.tr("Closing…"))
        self.close_requested.emit(self.incident_id, outcome.value, self.note_text())

    @Slot(str)
    def show_refusal(self, text: str) -> None:
        """The close was refused: say why."""
        self.ok_button.setEnabled(self.outcome() is not None)
        self.message.show_message(text, "error")
