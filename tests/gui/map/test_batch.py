"""Coalescing live updates into one compact batch per tick — pure Python, no page."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from widgets.map.batch import UpdateQueue, pack_positions, unpack_positions


def test_nothing_pending_gives_no_message() -> None:
    q = UpdateQueue()
    assert not q
    assert q.take() is None


def test_updates_of_one_entity_coalesce_and_positions_travel_packed() -> None:
    q = UpdateQueue()
    q.update("unit", "u1", {"lat": 39.9, "lon": 116.4, "heading": 10.0, "last_fix": 100.0})
    q.update("unit", "u1", {"lat": 39.91, "lon": 116.41, "last_fix": 101.0})
    q.update("unit", "u1", {"status": "en_route"})
    q.update("unit", "u1", {"status": "on_scene", "call_sign": "朝文执01"})
    assert q.pending() == 2  # one position, one field set
    msg = json.loads(q.take() or "")
    assert msg["op"] == "batch" and msg["seq"] == 1
    part = msg["kinds"]["unit"]
    assert part["up"] == [["u1", {"status": "on_scene", "call_sign": "朝文执01"}]]
    assert part["ids"] == ["u1"]
    # the later fix wins; its missing heading keeps the earlier one of the same tick
    assert unpack_positions(part["pos"]) == [(39.91, 116.41, 10.0, pytest.approx(math.nan,
                                                                              nan_ok=True),
                                              101.0)]
    assert q.take() is None


def test_remove_then_update_recreates_and_update_then_remove_drops() -> None:
    q = UpdateQueue()
    q.update("incident", "i1", {"title": "旧"})
    q.remove("incident", "i1")
    q.remove("venue", "v1")
    q.update("venue", "v1", {"name": "新场所", "lat": 39.9, "lon": 116.4})
    msg = json.loads(q.take() or "")
    assert msg["kinds"]["incident"] == {"rm": ["i1"]}
    assert msg["kinds"]["venue"]["rm"] == ["v1"]
    assert msg["kinds"]["venue"]["up"] == [["v1", {"name": "新场所"}]]
    assert msg["kinds"]["venue"]["ids"] == ["v1"]


def test_bulk_positions_and_discard() -> None:
    q = UpdateQueue()
    q.update_positions("vehicle", [("c1", 39.9, 116.4, 90.0, 40.0, 5.0),
                                   ("c2", 40.0, 116.5, math.nan, math.nan, 6.0)])
    q.update("officer", "o1", {"status": "available"})
    q.discard_kind("officer")
    msg = json.loads(q.take() or "")
    assert set(msg["kinds"]) == {"vehicle"}
    rows = unpack_positions(msg["kinds"]["vehicle"]["pos"])
    assert rows[0] == (39.9, 116.4, 90.0, 40.0, 5.0)
    assert math.isnan(rows[1][2])


def test_bad_input_is_refused() -> None:
    q = UpdateQueue()
    with pytest.raises(ValueError, match="kind"):
        q.update("tank", "t1", {"lat": 1, "lon": 2})
    with pytest.raises(ValueError, match="lon"):
        q.update("unit", "u1", {"lat": 39.9})
    with pytest.raises(ValueError, match="kind"):
        q.remove("tank", "t1")


def test_ids_are_strings_on_the_wire() -> None:
    q = UpdateQueue()
    q.update("unit", 7, {"status": "available"})  # type: ignore[arg-type]
    q.remove("unit", 8)  # type: ignore[arg-type]
    msg = json.loads(q.take() or "")
    assert msg["kinds"]["unit"]["up"][0][0] == "7"
    assert msg["kinds"]["unit"]["rm"] == ["8"]


@given(st.lists(st.tuples(st.floats(-90, 90), st.floats(-180, 180), st.floats(0, 360),
                          st.floats(0, 200), st.floats(0, 2e9)), max_size=50))
def test_pack_round_trip(rows: list[tuple[float, float, float, float, float]]) -> None:
    assert unpack_positions(pack_positions(rows)) == rows


def test_a_non_finite_field_travels_as_null_and_the_rest_arrives() -> None:
    q = UpdateQueue()
    q.update("unit", "u1", {"battery": math.nan, "status": "available"})
    q.update("unit", "u2", {"lat": 39.9, "lon": 116.4})
    msg = json.loads(q.take() or "")
    assert msg["kinds"]["unit"]["up"] == [["u1", {"battery": None, "status": "available"}]]
    assert msg["kinds"]["unit"]["ids"] == ["u2"]
