"""Feeds the one map from the console core: layers, live positions and selection sync."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Slot

from app.core import ConsoleCore
from app.services.directory import IncidentRow, UnitRow
from app.services.map_data import MapStatic
from app.services.positions import LocatedFix
from models.enums import PositionSource
from widgets.map import MapView

log = logging.getLogger("widgets.map_feed")


class MapFeed(QObject):
    """Keeps a :class:`MapView` in step with the database and the live position stream.

    Static layers (districts, venues) are replaced when they change; units, officers and
    incidents are queued as updates and reach the page once per tick, coalesced.
    """

    def __init__(self, core: ConsoleCore, view: MapView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self._view = view
        self._officers: dict[int, dict[str, Any]] = {}
        self._incidents: set[int] = set()
        self._districts_shown = False
        if core.map_static is not None:
            core.map_static.loaded.connect(self._static_loaded)
            if core.map_static.rows:
                self._static_loaded(core.map_static.rows)
        if core.units is not None:
            core.units.loaded.connect(self.show_units)
            self.show_units(core.units.rows)
        if core.incidents is not None:
            core.incidents.loaded.connect(self.show_incidents)
            self.show_incidents(core.incidents.rows)
        core.bridge.positions.connect(self.show_positions)

    @Slot(object)
    def _static_loaded(self, rows: list[MapStatic]) -> None:
        if not rows:
            return
        static = rows[0]
        self._view.set_districts(static.districts_geojson, static.jurisdiction_adcode)
        if not self._districts_shown:
            self._districts_shown = True
            self._view.fit_jurisdiction()
        self._view.set_entities("venue", static.venues)
        self._officers = static.officers

    @Slot(object)
    def show_units(self, rows: list[UnitRow]) -> None:
        """Queue every unit with a known position."""
        for row in rows:
            if row.lat is None or row.lon is None:
                continue
            self._view.queue_update("unit", str(row.id), {
                "call_sign": row.call_sign, "status": row.status.value, "lat": row.lat,
                "lon": row.lon, "members": "、".join(row.members), "plate": row.vehicle_plate,
                "last_fix": row.last_fix_at.timestamp() if row.last_fix_at else None,
            })

    @Slot(object)
    def show_incidents(self, rows: list[IncidentRow]) -> None:
        """Show open incidents with a location; remove those closed since."""
        shown: set[int] = set()
        for row in rows:
            if not row.status.is_open or row.lat is None or row.lon is None:
                continue
            shown.add(row.id)
            self._view.queue_update("incident", str(row.id), {
                "number": row.number, "title": row.title, "priority": row.priority,
                "status": row.status.value, "lat": row.lat, "lon": row.lon,
            })
        for gone in self._incidents - shown:
            self._view.queue_remove("incident", str(gone))
        self._incidents = shown

    @Slot(object)
    def show_positions(self, fixes: list[LocatedFix]) -> None:
        """Move units (vehicle terminals) and officers (radios) from the newest fixes.

        The core hands over only fixes of this console's jurisdiction; every entity goes with
        its name (a unit's call sign, an officer's name and call sign), so one first seen
        through a fix is never shown by its id.
        """
        for item in fixes:
            fix, owner = item.fix, item.owner
            fields: dict[str, Any] = {
                "lat": fix.lat, "lon": fix.lon, "heading": fix.heading_deg,
                "speed": fix.speed_kmh, "last_fix": fix.ts.timestamp(),
            }
            if fix.source is PositionSource.LIP and owner.officer_id is not None:
                known = self._officers.get(owner.officer_id) or {"label": owner.label}
                self._view.queue_update("officer", str(owner.officer_id), {**known, **fields})
            elif fix.source is PositionSource.JT808 and owner.unit_id is not None:
                if owner.label:
                    fields["call_sign"] = owner.label
                self._view.queue_update("unit", str(owner.unit_id), fields)
            elif fix.source is PositionSource.JT808:
                # a terminal no unit has: its vehicle's plate, or the terminal's SIM number
                self._view.queue_update("vehicle", fix.device_id,
                                        {"call_sign": owner.label or fix.device_id,
                                         "status": "available", **fields})
