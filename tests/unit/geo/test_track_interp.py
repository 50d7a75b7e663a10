"""Replay track interpolation."""

from __future__ import annotations

import math

import pytest

from app.geo.track import next_fix_time, normalise_track, position_at, previous_fix_time


def test_normalise_sorts_drops_bad_and_keeps_last_duplicate() -> None:
    track = normalise_track([(20, 1, 1), (10, 0, 0), (20, 2, 2), (15, math.nan, 0)])
    assert track == [(10.0, 0.0, 0.0), (20.0, 2.0, 2.0)]


def test_position_interpolates_linearly_and_holds_after_end() -> None:
    track = normalise_track([(100, 39.9, 116.3), (200, 40.0, 116.5)])
    assert position_at(track, 99.9) is None
    assert position_at(track, 100) == (39.9, 116.3)
    lat, lon = position_at(track, 150) or (0.0, 0.0)
    assert lat == pytest.approx(39.95) and lon == pytest.approx(116.4)
    assert position_at(track, 1e12) == (40.0, 116.5)
    assert position_at([], 0) is None


def test_next_and_previous_fix_across_tracks() -> None:
    tracks = {"a": normalise_track([(10, 0, 0), (30, 0, 0)]),
              "b": normalise_track([(20, 0, 0), (40, 0, 0)])}
    assert next_fix_time(tracks, 10) == 20
    assert next_fix_time(tracks, 5) == 10
    assert next_fix_time(tracks, 40) is None
    assert previous_fix_time(tracks, 30) == 20
    assert previous_fix_time(tracks, 10) is None
