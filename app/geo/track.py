"""Tracks for replay: clean a unit's recorded fixes and interpolate its position at any time."""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence

#: One recorded fix: (t epoch seconds, lat, lon), WGS-84.
TrackPoint = tuple[float, float, float]


def normalise_track(points: Iterable[Sequence[float]]) -> list[TrackPoint]:
    """Sort fixes by time, drop non-finite ones and keep the last of equal timestamps."""
    by_t: dict[float, TrackPoint] = {}
    for p in points:
        t, lat, lon = float(p[0]), float(p[1]), float(p[2])
        if math.isfinite(t) and math.isfinite(lat) and math.isfinite(lon):
            by_t[t] = (t, lat, lon)
    return [by_t[t] for t in sorted(by_t)]


def position_at(track: Sequence[TrackPoint], t: float) -> tuple[float, float] | None:
    """Position at time ``t`` on a normalised track: linear between fixes, held after the last
    fix, None before the first (the unit had not reported yet)."""
    if not track or t < track[0][0]:
        return None
    i = bisect.bisect_right(track, t, key=lambda p: p[0])
    if i >= len(track):
        return track[-1][1], track[-1][2]
    t0, lat0, lon0 = track[i - 1]
    t1, lat1, lon1 = track[i]
    u = (t - t0) / (t1 - t0)
    return lat0 + (lat1 - lat0) * u, lon0 + (lon1 - lon0) * u


def next_fix_time(tracks: Mapping[str, Sequence[TrackPoint]], t: float) -> float | None:
    """The earliest fix time of any track strictly after ``t``, or None."""
    best: float | None = None
    for track in tracks.values():
        i = bisect.bisect_right(track, t, key=lambda p: p[0])
        if i < len(track) and (best is None or track[i][0] < best):
            best = track[i][0]
    return best


def previous_fix_time(tracks: Mapping[str, Sequence[TrackPoint]], t: float) -> float | None:
    """The latest fix time of any track strictly before ``t``, or None."""
    best: float | None = None
    for track in tracks.values():
        i = bisect.bisect_left(track, t, key=lambda p: p[0])
        if i > 0 and (best is None or track[i - 1][0] > best):
            best = track[i - 1][0]
    return best
