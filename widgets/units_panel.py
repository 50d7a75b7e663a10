"""The units panel: every unit this console may see, live, sortable and filterable."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QWidget

from app.labels import label, local_time
from models.enums import UnitStatus
from widgets.row_model import Column
from widgets.style import UNIT_STATUS_COLOURS
from widgets.table_panel import RowTablePanel


def _ts(value: dt.datetime | None) -> float:
    return value.timestamp() if value else 0.0


class UnitsPanel(RowTablePanel):
    """Table of units with a text filter and a status filter.

    Signals:
        unit_selected(int): the id of the unit the dispatcher selected.
    """

    unit_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("units", self._columns(), parent)
        self.row_selected.connect(self.unit_selected)
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("unitsStatusFilter")
        self.status_combo.currentIndexChanged.connect(self._status_filter_changed)
        self.toolbar.addWidget(self.status_combo)
        self.finish_toolbar()
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.retranslate()

    def _columns(self) -> list[Column]:
        return [
            Column(lambda: self.tr("Call sign"), lambda r: r.call_sign),
            Column(lambda: self.tr("Status"), lambda r: label(r.status),
                   sort_key=lambda r: list(UnitStatus).index(r.status),
                   background=lambda r: UNIT_STATUS_COLOURS.get(r.status)),
            Column(lambda: self.tr("District"),
                   lambda r: r.district_name or self.tr("City corps")),
            Column(lambda: self.tr("Crew"), lambda r: "、".join(r.members),
                   tooltip=lambda r: "\n".join(r.members)),
            Column(lambda: self.tr("Vehicle"), lambda r: r.vehicle_plate),
            Column(lambda: self.tr("Radio ISSI"), lambda r: ", ".join(map(str, r.radio_issis))),
            Column(lambda: self.tr("Cameras"), lambda r: str(r.camera_count),
                   sort_key=lambda r: r.camera_count, align_center=True),
            Column(lambda: self.tr("Incident"), lambda r: r.active_incident),
            Column(lambda: self.tr("Status since"), lambda r: local_time(r.status_changed_at),
                   sort_key=lambda r: _ts(r.status_changed_at)),
            Column(lambda: self.tr("Last fix"), lambda r: local_time(r.last_fix_at),
                   sort_key=lambda r: _ts(r.last_fix_at)),
        ]

    def retranslate(self) -> None:
        """Set every visible text (also after a language change)."""
        current = self.status_combo.currentData()
        self.status_combo.blockSignals(True)
        self.status_combo.clear()
        self.status_combo.addItem(self.tr("All statuses"), None)
        for status in UnitStatus:
            self.status_combo.addItem(label(status), status.value)
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(current), 0))
        self.status_combo.blockSignals(False)
        self.retranslate_table(self.tr("Filter: call sign, crew, plate, ISSI, district…"))

    def select_unit(self, unit_id: int) -> bool:
        """Select and reveal a unit (e.g. clicked on the map). False if not shown."""
        return self.select_id(unit_id)

    def selected_unit_id(self) -> int | None:
        """Id of the selected unit, if any."""
        value = self.selected_id()
        return None if value is None else int(value)

    @Slot(int)
    def _status_filter_changed(self, _index: int) -> None:
        value = self.status_combo.currentData()
        if value is None:
            self.proxy.set_predicate(None)
        else:
            wanted = UnitStatus(value)
            self.proxy.set_predicate(lambda row: row.status is wanted)
        self._update_count()
