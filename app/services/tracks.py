"""Recorded tracks for replay."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import PositionFix
from models.enums import PositionSource

#: Most fixes per unit handed to the replay (thinned evenly beyond that).
MAX_POINTS = 20_000


def load_tracks(session: Session, unit_ids: list[int], t0: dt.datetime,
                t1: dt.datetime) -> dict[str, list[tuple[float, float, float]]]:
    """Vehicle fixes of the units between ``t0`` and ``t1``: {unit id: [(epoch s, lat, lon)]}."""
    tracks: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    rows = session.execute(
        select(PositionFix.unit_id, PositionFix.ts, PositionFix.lat, PositionFix.lon)
        .where(PositionFix.unit_id.in_(unit_ids), PositionFix.ts >= t0, PositionFix.ts <= t1,
               PositionFix.source == PositionSource.JT808)
        .order_by(PositionFix.unit_id, PositionFix.ts)
    ).all()
    for unit_id, ts, lat, lon in rows:
        tracks[str(unit_id)].append((ts.timestamp(), lat, lon))
    for key, points in tracks.items():
        if len(points) > MAX_POINTS:
            step = len(points) / MAX_POINTS
            tracks[key] = [points[int(i * step)] for i in range(MAX_POINTS)]
    return dict(tracks)
