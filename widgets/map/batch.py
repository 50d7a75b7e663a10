"""Coalescing of live map updates into one compact JSON batch per tick (pure Python, no Qt).

Positions dominate the traffic (thousands of units at 1 Hz), so they travel apart from the
other fields: for each kind, the ids of the moved entities as a JSON list and their
``lat, lon, heading, speed, last_fix`` as one base64 string of little-endian float64 values
(five per entity; NaN means "unchanged" for heading, speed and last_fix). Building that costs a
few C-level calls per batch instead of formatting 50 000 floats as text, and the page decodes it
straight into a ``Float64Array``. Everything else (status, names, grades, …) goes as
``[id, {field: value}]`` pairs, merged per entity.

Message (one JSON object)::

    {"op": "batch", "seq": 7, "kinds": {"unit": {"rm": [...], "up": [[id, {...}], ...],
                                                 "ids": [...], "pos": "<base64>"}}}

Removals apply first, then field updates, then positions, so ``remove`` followed by ``update``
within one tick re-creates the entity, and ``update`` followed by ``remove`` drops it.
"""

from __future__ import annotations

import base64
import enum
import json
import logging
import math
import struct
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from typing import Any

log = logging.getLogger("widgets.map")
_NAN = math.nan
POSITION_FIELDS = ("lat", "lon", "heading", "speed", "last_fix")
_POS_KEYS = frozenset(POSITION_FIELDS)
PosMap = dict[str, dict[str, tuple[float, float, float, float, float]]]
FieldMap = dict[str, dict[str, dict[str, Any]]]
RemovedMap = dict[str, set[str]]

class EntityKind(enum.StrEnum):
    """Kinds of point entity on the map; one layer each."""

    VENUE = "venue"
    UNIT = "unit"
    VEHICLE = "vehicle"
    OFFICER = "officer"
    CAMERA = "camera"
    INCIDENT = "incident"


KINDS = frozenset(k.value for k in EntityKind)


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown entity kind {kind!r} (expected one of {sorted(KINDS)})")
    return str(kind)


class UpdateQueue:
    """Collects upserts and removals between ticks; :meth:`take` returns one batch message.

    Not thread-safe: use it on the UI thread (the tracking service hands batches over through
    queued signals).
    """

    def __init__(self, sink: Callable[[PosMap, FieldMap, RemovedMap], None] | None = None,
                 ) -> None:
        """Args:
            sink: called by :meth:`take` with everything pending (positions, fields, removals
                by kind) just before the batch is built, e.g. to keep a copy of the page's
                state (:class:`~widgets.map.state.PageState`); it must not keep the dicts.
        """
        self._pos: PosMap = {}
        self._fields: FieldMap = {}
        self._removed: RemovedMap = {}
        self._seq = 0
        self._sink = sink

    def __bool__(self) -> bool:
        return any(self._pos.values()) or any(self._fields.values()) or any(
            self._removed.values())

    def update(self, kind: str, entity_id: str, fields: Mapping[str, Any]) -> None:
        """Upsert some fields of an entity; later values of the same field win.

        ``lat``/``lon`` must come together. Other values must be JSON-serialisable.
        """
        if type(entity_id) is not str:
            entity_id = str(entity_id)
        if kind not in self._fields:
            _check_kind(kind)
            self._fields[kind] = {}
            self._pos[kind] = {}
        lat = fields.get("lat")
        if lat is not None:
            lon = fields.get("lon")
            if lon is None:
                raise ValueError(f"{kind} {entity_id}: 'lat' without 'lon'")
            row = (float(lat), float(lon), _float_or_nan(fields.get("heading")),
                   _float_or_nan(fields.get("speed")), _float_or_nan(fields.get("last_fix")))
            pos = self._pos[kind]
            before = pos.get(entity_id)
            if before is not None:  # NaN: not given in this fix; keep this tick's earlier value
                hdg, spd, t = row[2], row[3], row[4]
                row = (row[0], row[1], before[2] if hdg != hdg else hdg,
                       before[3] if spd != spd else spd, before[4] if t != t else t)
            pos[entity_id] = row
            if fields.keys() <= _POS_KEYS:
                return
            other = {k: v for k, v in fields.items() if k not in _POS_KEYS}
        else:
            other = dict(fields)
        if other:
            current = self._fields[kind].get(entity_id)
            if current is None:
                self._fields[kind][entity_id] = other
            else:
                current.update(other)

    def update_positions(
        self, kind: str, rows: Iterable[tuple[str, float, float, float, float, float]]
    ) -> None:
        """Bulk form for fixes: rows of (id, lat, lon, heading, speed, last_fix); NaN keeps
        heading/speed/last_fix unchanged."""
        if kind not in self._pos:
            _check_kind(kind)
            self._fields[kind] = {}
            self._pos[kind] = {}
        pos = self._pos[kind]
        for eid, lat, lon, hdg, spd, t in rows:
            pos[eid] = (lat, lon, hdg, spd, t)

    def remove(self, kind: str, entity_id: str) -> None:
        """Remove an entity; pending updates of it in this tick are dropped."""
        _check_kind(kind)
        entity_id = str(entity_id)
        self._pos.get(kind, {}).pop(entity_id, None)
        self._fields.get(kind, {}).pop(entity_id, None)
        self._removed.setdefault(kind, set()).add(entity_id)

    def discard_kind(self, kind: str) -> None:
        """Forget everything pending for ``kind`` (it is about to be replaced wholesale)."""
        self._pos.pop(kind, None)
        self._fields.pop(kind, None)
        self._removed.pop(kind, None)

    def pending(self) -> int:
        """Number of pending entity changes (positions, field sets and removals)."""
        return (sum(len(v) for v in self._pos.values())
                + sum(len(v) for v in self._fields.values())
                + sum(len(v) for v in self._removed.values()))

    def take(self) -> str | None:
        """The batch message for everything pending (then empty), or None if nothing is."""
        if self._sink is not None and self:
            self._sink(self._pos, self._fields, self._removed)
        parts: list[str] = []
        for kind in sorted(KINDS):
            pos = self._pos.get(kind)
            fields = self._fields.get(kind)
            removed = self._removed.get(kind)
            if not (pos or fields or removed):
                continue
            items: list[str] = []
            if removed:
                items.append('"rm":' + _dumps(sorted(removed)))
            if fields:
                items.append('"up":' + _dumps(list(fields.items())))
            if pos:
                # base64 needs no escaping: splice it in rather than have json scan 500 kB
                items.append('"ids":' + _dumps(list(pos)) + ',"pos":"'
                             + pack_positions(pos.values()) + '"')
            parts.append(_dumps(kind) + ":{" + ",".join(items) + "}")
        self._pos.clear()
        self._fields.clear()
        self._removed.clear()
        if not parts:
            return None
        self._seq += 1
        return f'{{"op":"batch","seq":{self._seq},"kinds":{{{",".join(parts)}}}}}'


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        # a NaN/infinity in some field: JSON has no such number; send it as null
        log.warning("non-finite field values in a map batch were sent as null")
        return json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"))


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _float_or_nan(value: Any) -> float:
    return _NAN if value is None else float(value)


def pack_positions(rows: Iterable[tuple[float, float, float, float, float]]) -> str:
    """Base64 of the rows' values as little-endian float64, five per row."""
    values = list(chain.from_iterable(rows))
    return base64.b64encode(struct.pack(f"<{len(values)}d", *values)).decode("ascii")


def unpack_positions(text: str) -> list[tuple[float, ...]]:
    """Inverse of :func:`pack_positions` (for tests and tools)."""
    raw = base64.b64decode(text)
    values = struct.unpack(f"<{len(raw) // 8}d", raw)
    return [tuple(values[i:i + 5]) for i in range(0, len(values), 5)]
