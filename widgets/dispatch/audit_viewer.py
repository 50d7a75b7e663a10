"""The audit log viewer: who did what, when, from which console; filter and export to CSV."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QDateTime, Qt, QTimeZone, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.dispatch.audit import AuditFilter, AuditRow
from app.dispatch.audit_texts import action_label, detail_text
from app.labels import local_time
from models.clock import utcnow
from widgets.dispatch.common import MessageLine
from widgets.row_model import Column, RowTableModel

_SHANGHAI = QTimeZone(b"Asia/Shanghai")


class AuditLogViewer(QWidget):
    """Filters on top, the events below (newest first), export at the bottom.

    Enter in any filter field searches.

    Signals:
        query_requested(object): an AuditFilter; answer with :meth:`set_rows`.
        export_requested(str): a file path to write the shown rows to as CSV.
    """

    query_requested = Signal(object)
    export_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditLogViewer")
        now = QDateTime.fromSecsSinceEpoch(int(utcnow().timestamp()), _SHANGHAI)
        self.since_check = QCheckBox(self)
        self.since_check.setChecked(True)
        self.since_edit = QDateTimeEdit(now.addDays(-1), self)
        self.until_check = QCheckBox(self)
        self.until_edit = QDateTimeEdit(now, self)
        for edit in (self.since_edit, self.until_edit):
            edit.setTimeZone(_SHANGHAI)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.actor_edit = QLineEdit(self)
        self.action_combo = QComboBox(self)
        self.action_combo.setEditable(True)
        self.text_edit = QLineEdit(self)
        self.text_edit.setClearButtonEnabled(True)
        self.search_button = QPushButton(self)
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        for line in (self.actor_edit, self.text_edit):
            line.returnPressed.connect(self.search)
        line_edit = self.action_combo.lineEdit()
        assert line_edit is not None
        line_edit.returnPressed.connect(self.search)

        self.model = RowTableModel(self._columns(), self)
        self.table = QTableView(self)
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.export_button = QPushButton(self)
        self.export_button.clicked.connect(self._choose_export_file)
        self.message = MessageLine(self)

        self.filters = QFormLayout()
        since_row = QHBoxLayout()
        since_row.addWidget(self.since_check)
        since_row.addWidget(self.since_edit, 1)
        since_row.addWidget(self.until_check)
        since_row.addWidget(self.until_edit, 1)
        self.filters.addRow(since_row)
        self._filter_labels = [QLabel(self) for _ in range(3)]
        for lbl, field in zip(self._filter_labels,
                              (self.actor_edit, self.action_combo, self.text_edit), strict=True):
            lbl.setBuddy(field)
            self.filters.addRow(lbl, field)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.filters)
        layout.addWidget(self.search_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.retranslate()

    def _columns(self) -> list[Column]:
        return [
            Column(lambda: self.tr("Time"), lambda r: local_time(r.at, "%Y-%m-%d %H:%M:%S"),
                   sort_key=lambda r: r.at.timestamp()),
            Column(lambda: self.tr("Who"), lambda r: r.actor),
            Column(lambda: self.tr("Console"), lambda r: r.console_id),
            Column(lambda: self.tr("Action"), self.action_text, tooltip=lambda r: r.action),
            Column(lambda: self.tr("Target"), lambda r: r.target_id),
            Column(lambda: self.tr("Details"), self.detail_text, tooltip=self.detail_text),
        ]

    def action_text(self, row: AuditRow) -> str:
        """The action in words (its code if it has no name)."""
        return action_label(row.action)

    def detail_text(self, row: AuditRow) -> str:
        """The details in words ("outcome: Corrected on site", in Chinese "结果：当场责令改正")."""
        return detail_text(row.action, row.detail)

    def retranslate(self) -> None:
        """Set every visible text (also after a language change)."""
        self.since_check.setText(self.tr("&From"))
        self.until_check.setText(self.tr("&To"))
        for lbl, text in zip(self._filter_labels,
                             (self.tr("&Who"), self.tr("&Action"), self.tr("Te&xt")), strict=True):
            lbl.setText(text)
        self.actor_edit.setPlaceholderText(self.tr("Operator name, exactly"))
        line_edit = self.action_combo.lineEdit()
        if line_edit is not None:
            line_edit.setPlaceholderText(self.tr("e.g. incident. (all incident actions)"))
        self.text_edit.setPlaceholderText(self.tr("Words in the target, console or details"))
        self.search_button.setText(self.tr("&Search"))
        self.export_button.setText(self.tr("&Export CSV…"))
        self.model.retranslate()

    # ------------------------------------------------------------------ query
    def filter(self) -> AuditFilter:
        """The filter as set."""
        def utc(edit: QDateTimeEdit) -> dt.datetime:
            return dt.datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), dt.UTC)

        return AuditFilter(
            since=utc(self.since_edit) if self.since_check.isChecked() else None,
            until=utc(self.until_edit) if self.until_check.isChecked() else None,
            actor=self.actor_edit.text().strip(),
            action=self.action_code(),
            text=self.text_edit.text().strip(),
        )

    def action_code(self) -> str:
        """The action filter: the code of the action chosen by name, or the text typed (a
        code or a prefix such as ``incident.``)."""
        text = self.action_combo.currentText().strip()
        index = self.action_combo.findText(text)
        code = self.action_combo.itemData(index) if index >= 0 else None
        return code if isinstance(code, str) else text

    @Slot()
    def search(self) -> None:
        """Ask for the events matching the filter."""
        self.message.show_message(self.tr("Searching…"))
        self.query_requested.emit(self.filter())

    @Slot(object)
    def set_rows(self, rows: Sequence[AuditRow]) -> None:
        """Show the events found."""
        self.model.set_rows([])
        self.model.set_rows(list(rows))
        self.table.resizeColumnsToContents()
        self.export_button.setEnabled(bool(rows))
        self.message.show_message(self.tr("%1 event(s)").replace("%1", str(len(rows))))

    def rows(self) -> list[AuditRow]:
        """The events shown."""
        return self.model.rows

    @Slot(object)
    def set_actions(self, actions: Sequence[str]) -> None:
        """Offer these action codes in the action filter."""
        current = self.action_combo.currentText()
        self.action_combo.clear()
        self.action_combo.addItem("")
        for code in actions:  # shown by name; the filter uses the code
            self.action_combo.addItem(action_label(code), code)
            self.action_combo.setItemData(self.action_combo.count() - 1, code,
                                          Qt.ItemDataRole.ToolTipRole)
        self.action_combo.setCurrentText(current)

    # ------------------------------------------------------------------ export
    @Slot()
    def _choose_export_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export audit log"),
                                              "audit.csv", self.tr("CSV files (*.csv)"))
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        """Ask for the shown events to be written to ``path``."""
        self.message.show_message(self.tr("Exporting…"))
        self.export_requested.emit(path)

    @Slot(int)
    def show_exported(self, count: int) -> None:
        """The export finished."""
        self.message.show_message(self.tr("%1 event(s) exported.").replace("%1", str(count)),
                                  "ok")

    @Slot(str)
    def show_error(self, text: str) -> None:
        """Searching or exporting failed."""
        self.message.show_message(text, "error")
