"""What the map page is showing, kept on the Python side so a new page can be given it back
(pure Python, no Qt).

The page's state lives in a Chromium renderer process that can die (out of memory, a GPU driver
fault, someone killing it). :class:`PageState` follows every message :class:`~widgets.map.view.
MapView` sends — and the few things the operator changes in the page itself (selection, follow,
layer switches, the view) — and :meth:`PageState.restore_messages` turns it back into the
messages that rebuild the page: districts, tiles, layer switches, every entity with its latest
fields and position, geofences, a replay in progress, the selection, follow mode with its trail,
and the view.

Entities are updated when :class:`~widgets.map.batch.UpdateQueue` hands a batch to the page
(:meth:`PageState.apply`), with the page's own rules: removals first, then fields, then
positions; a position whose lat/lon is not finite is ignored; NaN heading, speed or last_fix
leave the earlier value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from widgets.map.batch import KINDS, POSITION_FIELDS, _dumps

_POS_KEYS = frozenset(POSITION_FIELDS)
PosRow = tuple[float, float, float, float, float]


class PageState:
    """The map page's state as last sent (see the module docstring).

    Args:
        trail_points: the longest follow-mode trail kept (the page's ``trailPoints``).
    """

    def __init__(self, trail_points: int = 600) -> None:
        self.trail_points = max(1, int(trail_points))
        #: the last ``districts`` message, verbatim
        self.districts: str | None = None
        #: ``tileinfo`` / ``tiles_failed`` messages, in the order sent
        self.tiles: list[dict[str, Any]] = []
        #: layer name → visible, for every layer switched since the page started
        self.layers: dict[str, bool] = {}
        #: kind → id → fields (positions given as fields by ``replace`` included)
        self.fields: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in KINDS}
        #: kind → id → (lat, lon, heading, speed, last_fix) from live batches
        self.positions: dict[str, dict[str, PosRow]] = {k: {} for k in KINDS}
        #: the last ``fences`` message's GeoJSON
        self.fences: Any = None
        #: the last ``replay_load`` message while a replay is on
        self.replay: dict[str, Any] | None = None
        self.selection: tuple[str, str] | None = None
        self.follow: tuple[str, str] | None = None
        #: the followed entity's (lat, lon) history, WGS-84
        self.trail: list[tuple[float, float]] = []
        #: (lat, lon, zoom) of the map's centre, WGS-84, as the page last reported it
        self.view: tuple[float, float, float] | None = None

    # ------------------------------------------------------------------ recording
    def replace(self, kind: str, items: Iterable[Sequence[Any]]) -> None:
        """Every entity of ``kind`` replaced by ``[id, fields]`` items."""
        self.fields[kind] = {str(eid): dict(f) for eid, f in items}
        self.positions[kind] = {}
        if self.selection is not None and self.selection[0] == kind \
                and self.selection[1] not in self.fields[kind]:
            self.selection = None

    def apply(self, pos: Mapping[str, Mapping[str, PosRow]],
              fields: Mapping[str, Mapping[str, Mapping[str, Any]]],
              removed: Mapping[str, Iterable[str]]) -> None:
        """One live batch, as :class:`~widgets.map.batch.UpdateQueue` holds it before packing
        (called from :meth:`UpdateQueue.take`)."""
        for kind, ids in removed.items():
            known_f, known_p = self.fields[kind], self.positions[kind]
            for eid in ids:
                known_f.pop(eid, None)
                known_p.pop(eid, None)
                if self.selection == (kind, eid):
                    self.selection = None
        for kind, updates in fields.items():
            known_f, known_p = self.fields[kind], self.positions[kind]
            for eid, upd in updates.items():
                current = known_f.get(eid)
                if current is None:
                    current = known_f[eid] = {}
                if not _POS_KEYS.isdisjoint(upd):  # rare: heading/speed/last_fix without a fix
                    row = known_p.pop(eid, None)
                    if row is not None:
                        current.update(_row_fields(row))
                current.update(upd)
        follow = self.follow
        for kind, rows in pos.items():
            if not rows:
                continue
            known_f, known_p = self.fields[kind], self.positions[kind]
            # Most rows are complete fixes: copy those in one go (this runs every tick, for
            # thousands of units) and look at the others one by one. x - x is 0.0 (false) for a
            # finite x and NaN (true) for NaN or infinity.
            odd = [eid for eid, r in rows.items()
                   if r[0] - r[0] or r[1] - r[1] or r[2] != r[2] or r[3] != r[3] or r[4] != r[4]]
            plain: Mapping[str, PosRow] = rows
            if odd:
                plain = dict(rows)
                for eid in odd:
                    lat, lon, hdg, spd, t = plain.pop(eid)
                    if lat - lat or lon - lon:  # NaN or infinite: the page keeps the last
                        continue
                    before = known_p.get(eid)
                    if before is None:
                        known_p[eid] = (lat, lon, hdg, spd, t)
                    else:
                        known_p[eid] = (lat, lon, before[2] if hdg != hdg else hdg,
                                        before[3] if spd != spd else spd,
                                        before[4] if t != t else t)
                    if eid not in known_f:
                        known_f[eid] = {}
            known_p.update(plain)
            for eid in plain.keys() - known_f.keys():
                known_f[eid] = {}
            if follow is not None and follow[0] == kind and follow[1] in rows:
                row = known_p.get(follow[1])
                if row is not None:
                    self._push_trail(row[0], row[1])

    def set_follow(self, kind: str, entity_id: str,
                   trail: Iterable[Sequence[float]] = ()) -> None:
        """Follow mode on (empty ``kind``: off), with the trail it starts from."""
        if not kind:
            self.follow = None
            self.trail = []
            return
        self.follow = (kind, str(entity_id))
        self.trail = []
        for p in trail:
            self._push_trail(float(p[0]), float(p[1]))
        at = self.position_of(kind, str(entity_id))
        if at is not None:
            self._push_trail(*at)

    def set_selection(self, kind: str, entity_id: str) -> None:
        """The highlighted entity (empty ``kind``: none)."""
        self.selection = (kind, str(entity_id)) if kind else None

    # ------------------------------------------------------------------ reading
    def entity(self, kind: str, entity_id: str) -> dict[str, Any] | None:
        """The fields the page should hold for an entity (positions merged in), or None."""
        fields = self.fields.get(kind, {}).get(entity_id)
        if fields is None:
            return None
        row = self.positions[kind].get(entity_id)
        if row is None:
            return dict(fields)
        merged = dict(fields)
        merged.update(_row_fields(row))
        return merged

    def position_of(self, kind: str, entity_id: str) -> tuple[float, float] | None:
        """An entity's last known (lat, lon), or None."""
        row = self.positions.get(kind, {}).get(entity_id)
        if row is not None:
            return row[0], row[1]
        fields = self.fields.get(kind, {}).get(entity_id)
        if fields is None:
            return None
        lat, lon = fields.get("lat"), fields.get("lon")
        if isinstance(lat, int | float) and isinstance(lon, int | float) \
                and lat - lat == 0 and lon - lon == 0:
            return float(lat), float(lon)
        return None

    def counts(self) -> dict[str, int]:
        """Number of entities per kind."""
        return {k: len(v) for k, v in self.fields.items()}

    def restore_messages(self, replay_time: float | None = None) -> list[str]:
        """The messages that give a freshly loaded page this state, in the order to send them.

        Args:
            replay_time: where the replay stands now (when a replay is on).
        """
        out: list[str] = [_dumps(m) for m in self.tiles]
        if self.districts is not None:
            out.append(self.districts)
        out.extend(_dumps({"op": "layer", "name": name, "visible": visible})
                   for name, visible in self.layers.items())
        for kind in sorted(KINDS):
            known = self.fields[kind]
            if not known:
                continue
            items = [[eid, self.entity(kind, eid)] for eid in known]
            out.append(_dumps({"op": "replace", "kind": kind, "items": items}))
        if self.fences is not None:
            out.append(_dumps({"op": "fences", "geojson": self.fences}))
        if self.replay is not None:
            out.append(_dumps(self.replay))
            if replay_time is not None:
                out.append(_dumps({"op": "replay_time", "t": replay_time}))
        if self.selection is not None:
            out.append(_dumps({"op": "select", "kind": self.selection[0],
                               "id": self.selection[1]}))
        if self.follow is not None:
            out.append(_dumps({"op": "follow", "kind": self.follow[0], "id": self.follow[1],
                               "trail": [list(p) for p in self.trail]}))
        if self.view is not None:
            lat, lon, zoom = self.view
            out.append(_dumps({"op": "view", "lat": lat, "lon": lon, "zoom": zoom}))
        return out

    # ------------------------------------------------------------------ internals
    def _push_trail(self, lat: float, lon: float) -> None:
        trail = self.trail
        if trail and trail[-1] == (lat, lon):
            return
        trail.append((lat, lon))
        if len(trail) > self.trail_points:
            del trail[: len(trail) - self.trail_points]


def _row_fields(row: PosRow) -> dict[str, float]:
    """A position row as fields; NaN (not reported) values left out."""
    out = {"lat": row[0], "lon": row[1]}
    for name, value in zip(POSITION_FIELDS[2:], row[2:], strict=True):
        if value == value:
            out[name] = value
    return out


__all__ = ["PageState"]
