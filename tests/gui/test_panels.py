from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from pytestqt.qtbot import QtBot

from app.services.directory import IncidentRow, UnitRow
from models.enums import IncidentStatus, UnitStatus
from widgets.incidents_panel import IncidentsPanel
from widgets.units_panel import UnitsPanel

pytestmark = pytest.mark.gui

NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


def _unit(uid: int, call_sign: str, status: UnitStatus, district: str = "朝阳区") -> UnitRow:
    return UnitRow(id=uid, call_sign=call_sign, district_adcode="110105", district_name=district,
                   status=status, status_changed_at=NOW, members=("王伟", "李娜"),
                   vehicle_plate=f"京A·F{uid:04d}", radio_issis=(2001000 + uid,),
                   camera_count=1, last_fix_at=NOW, lat=39.9, lon=116.4, active_incident="")


def _incident(iid: int, priority: int, minutes_ago: int,
              status: IncidentStatus = IncidentStatus.NEW) -> IncidentRow:
    return IncidentRow(id=iid, number=f"20261127-{iid:04d}",
                       reported_at=NOW - dt.timedelta(minutes=minutes_ago), priority=priority,
                       category="gambling", source="hotline_12318", title=f"举报{iid}",
                       venue_name=f"场所{iid}", district_adcode="110105", district_name="朝阳区",
                       status=status, escalated=False, units=(), lat=None, lon=None)


def _column_texts(table, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    model = table.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_units_filter_by_text_and_status(qtbot: QtBot) -> None:
    panel = UnitsPanel()
    qtbot.addWidget(panel)
    panel.set_rows([_unit(1, "朝阳01", UnitStatus.AVAILABLE),
                    _unit(2, "朝阳02", UnitStatus.EN_ROUTE),
                    _unit(3, "海淀01", UnitStatus.AVAILABLE, "海淀区")])
    assert _column_texts(panel.table, 0) == ["朝阳01", "朝阳02", "海淀01"]
    qtbot.keyClicks(panel.filter_edit, "f0003")  # plate, typed, case-insensitive
    assert _column_texts(panel.table, 0) == ["海淀01"]
    panel.filter_edit.setText("朝阳 en")  # every word must match some column
    assert _column_texts(panel.table, 0) == ["朝阳02"]
    panel.filter_edit.clear()
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("en_route"))
    assert _column_texts(panel.table, 0) == ["朝阳02"]
    assert panel.count_label.text() == "1 of 3"


def test_live_update_changes_cells_and_keeps_the_selection(qtbot: QtBot) -> None:
    panel = UnitsPanel()
    qtbot.addWidget(panel)
    rows = [_unit(1, "朝阳01", UnitStatus.AVAILABLE), _unit(2, "朝阳02", UnitStatus.AVAILABLE)]
    panel.set_rows(rows)
    with qtbot.waitSignal(panel.unit_selected) as sig:
        assert panel.select_unit(2)
    assert sig.args == [2]
    panel.set_rows([rows[0], dataclasses.replace(rows[1], status=UnitStatus.DISPATCHED),
                    _unit(3, "朝阳03", UnitStatus.AVAILABLE)])
    assert panel.selected_unit_id() == 2
    assert _column_texts(panel.table, 1) == ["Available", "Dispatched", "Available"]
    panel.set_rows([rows[0]])  # unit 2 and 3 gone
    assert _column_texts(panel.table, 0) == ["朝阳01"]
    assert panel.selected_unit_id() is None


def test_incidents_most_urgent_first_then_oldest_and_open_only(qtbot: QtBot) -> None:
    panel = IncidentsPanel()
    qtbot.addWidget(panel)
    panel.set_rows([
        _incident(1, 3, 10), _incident(2, 1, 5), _incident(3, 1, 50),
        _incident(4, 2, 1, IncidentStatus.CLOSED),
    ])
    assert _column_texts(panel.table, 0) == ["20261127-0003", "20261127-0002", "20261127-0001"]
    panel.open_only.setChecked(False)
    assert "20261127-0004" in _column_texts(panel.table, 0)
    assert panel.count_label.text() == "4 of 4"
