"""Dialogs around the map: naming a drawn geofence, choosing units and a range to replay."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDateTime, Qt, QTimeZone
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.geo.geofence import Severity
from app.services.directory import UnitRow

_BEIJING = QTimeZone(b"Asia/Shanghai")


class GeofenceDialog(QDialog):
    """Name and severity of a fence the dispatcher just drew."""

    def __init__(self, default_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Save geofence"))
        self.name_edit = QLineEdit(default_name, self)
        self.severity_combo = QComboBox(self)
        for severity, text in ((Severity.CRITICAL, self.tr("Critical: alarm and incident")),
                               (Severity.WARNING, self.tr("Warning: alarm")),
                               (Severity.NOTICE, self.tr("Notice: log only")),
                               (Severity.INFO, self.tr("Information: log only"))):
            self.severity_combo.addItem(text, int(severity))
        self.severity_combo.setCurrentIndex(1)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("When a unit enters or leaves"), self.severity_combo)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @property
    def fence_name(self) -> str:
        """The name entered (trimmed)."""
        return self.name_edit.text().strip()

    @property
    def severity(self) -> Severity:
        """The severity chosen."""
        return Severity(int(self.severity_combo.currentData()))


class ReplayDialog(QDialog):
    """Choose several units and a time range (Beijing time) to replay together."""

    def __init__(self, units: list[UnitRow], now: dt.datetime,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Track replay"))
        self.units_list = QListWidget(self)
        self.units_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for row in sorted(units, key=lambda r: r.call_sign):
            item = QListWidgetItem(f"{row.call_sign}  {row.district_name}", self.units_list)
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        end = QDateTime.fromSecsSinceEpoch(int(now.timestamp()), _BEIJING)
        self.start_edit = QDateTimeEdit(end.addSecs(-3600), self)
        self.end_edit = QDateTimeEdit(end, self)
        for edit in (self.start_edit, self.end_edit):
            edit.setTimeZone(_BEIJING)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
        form = QFormLayout()
        form.addRow(self.tr("From"), self.start_edit)
        form.addRow(self.tr("To"), self.end_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.units_list, 1)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(360, 480)

    def check_units(self, unit_ids: list[int]) -> None:
        """Tick these units."""
        for i in range(self.units_list.count()):
            item = self.units_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) in unit_ids:
                item.setCheckState(Qt.CheckState.Checked)

    def unit_ids(self) -> list[int]:
        """The ticked units."""
        return [int(self.units_list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.units_list.count())
                if self.units_list.item(i).checkState() == Qt.CheckState.Checked]

    def time_range(self) -> tuple[dt.datetime, dt.datetime]:
        """The range as aware UTC datetimes."""
        def utc(edit: QDateTimeEdit) -> dt.datetime:
            return dt.datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), dt.UTC)

        return utc(self.start_edit), utc(self.end_edit)
