from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from pytestqt.qtbot import QtBot

from app.geo.geofence import Severity
from app.services.directory import UnitRow
from models.enums import UnitStatus
from widgets.map_dialogs import GeofenceDialog, ReplayDialog

pytestmark = pytest.mark.gui

NOW = dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC)
ROW = UnitRow(id=1, call_sign="朝阳01", district_adcode="110105", district_name="朝阳区",
              status=UnitStatus.AVAILABLE, status_changed_at=NOW, members=(), vehicle_plate="",
              radio_issis=(), camera_count=0, last_fix_at=None, lat=None, lon=None,
              active_incident="")


def test_replay_dialog_gives_the_ticked_units_and_the_last_hour_in_utc(qtbot: QtBot) -> None:
    rows = [ROW, dataclasses.replace(ROW, id=2, call_sign="东城01")]
    dialog = ReplayDialog(rows, NOW)
    qtbot.addWidget(dialog)
    assert dialog.unit_ids() == []
    dialog.check_units([2])
    assert dialog.unit_ids() == [2]
    t0, t1 = dialog.time_range()
    assert t1 == NOW.replace(second=0) or t1 == NOW  # minute display, exact value kept
    assert t1 - t0 == dt.timedelta(hours=1)
    assert dialog.end_edit.text() == "2026-11-27 10:30"  # shown in Beijing time


def test_geofence_dialog_defaults_to_warning(qtbot: QtBot) -> None:
    dialog = GeofenceDialog("围栏 3")
    qtbot.addWidget(dialog)
    assert (dialog.fence_name, dialog.severity) == ("围栏 3", Severity.WARNING)
    dialog.severity_combo.setCurrentIndex(0)
    assert dialog.severity is Severity.CRITICAL
