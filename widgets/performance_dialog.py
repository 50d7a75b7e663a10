"""Entering one approved performance by hand (批准文号, venue, time window, troupe, script)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QDateTime, QTimeZone, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.speech.schedule import MAX_SHOW, PerformanceDraft

_BEIJING = QTimeZone(b"Asia/Shanghai")


class PerformanceDialog(QDialog):
    """A form for one approved performance; emits the checked draft.

    Signals:
        submitted(object): a PerformanceDraft whose fields passed the checks.
    """

    submitted = Signal(object)

    def __init__(self, venues: Sequence[tuple[int, str]], now: dt.datetime,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("performanceDialog")
        self.setWindowTitle(self.tr("Approved performance"))
        self.approval_edit = QLineEdit(self)
        self.venue_combo = QComboBox(self)
        for venue_id, name in venues:
            self.venue_combo.addItem(name, venue_id)
        self.title_edit = QLineEdit(self)
        self.troupe_edit = QLineEdit(self)
        self.performers_edit = QLineEdit(self)
        start = QDateTime.fromSecsSinceEpoch(int(now.timestamp()), _BEIJING)
        self.start_edit = QDateTimeEdit(start, self)
        self.end_edit = QDateTimeEdit(start.addSecs(2 * 3600), self)
        for edit in (self.start_edit, self.end_edit):
            edit.setTimeZone(_BEIJING)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
        self.programme_edit = QLineEdit(self)
        self.script_edit = QPlainTextEdit(self)
        self.message = QLabel(self)
        self.message.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        self._labels = [
            (form, self.approval_edit), (form, self.venue_combo), (form, self.title_edit),
            (form, self.troupe_edit), (form, self.performers_edit), (form, self.start_edit),
            (form, self.end_edit), (form, self.programme_edit), (form, self.script_edit),
        ]
        texts = [self.tr("Approval number"), self.tr("Venue"), self.tr("Title"),
                 self.tr("Troupe"), self.tr("Performers"), self.tr("Starts"), self.tr("Ends"),
                 self.tr("Programme"), self.tr("Approved script")]
        for text, (_form, widget) in zip(texts, self._labels, strict=True):
            form.addRow(text, widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(520, 560)

    def _utc(self, edit: QDateTimeEdit) -> dt.datetime:
        return dt.datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), dt.UTC)

    def draft(self) -> PerformanceDraft | str:
        """The draft, or the reason it cannot be saved."""
        approval = self.approval_edit.text().strip()
        title = self.title_edit.text().strip()
        venue = self.venue_combo.currentData()
        start, end = self._utc(self.start_edit), self._utc(self.end_edit)
        if not approval:
            return self.tr("Enter the approval number.")
        if venue is None:
            return self.tr("Choose the venue.")
        if not title:
            return self.tr("Enter the title of the performance.")
        if end <= start or end - start > MAX_SHOW:
            return self.tr("The performance must end after it starts, within 12 hours.")
        return PerformanceDraft(
            row=1, approval_no=approval, venue=str(venue), starts_at=start, ends_at=end,
            title=title, troupe=self.troupe_edit.text().strip(),
            performers=self.performers_edit.text().strip(),
            programme=self.programme_edit.text().strip(),
            script=self.script_edit.toPlainText().strip())

    @Slot()
    def _submit(self) -> None:
        result = self.draft()
        if isinstance(result, str):
            self.message.setText(result)
            return
        self.message.clear()
        self.submitted.emit(result)

    def show_error(self, text: str) -> None:
        """Saving failed: say why and keep the form open."""
        self.message.setText(text)
