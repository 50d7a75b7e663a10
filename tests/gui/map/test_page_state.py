"""PageState: the Python-side copy of what the map page shows, restored into a reloaded page
after the renderer died (no page here; tests/gui/map/test_renderer_crash.py kills a real one)."""

from __future__ import annotations

import json
import math
from typing import Any

from widgets.map.batch import UpdateQueue, unpack_positions
from widgets.map.state import PageState

NAN = math.nan
T0 = 1_700_000_000.0  # a fixed epoch second (no wall clock in tests)


def ops(state: PageState, replay_time: float | None = None) -> list[dict[str, Any]]:
    return [json.loads(m) for m in state.restore_messages(replay_time)]


def fed() -> tuple[PageState, UpdateQueue]:
    state = PageState(trail_points=4)
    return state, UpdateQueue(state.apply)


def test_batches_taken_for_the_page_are_kept_with_the_pages_rules() -> None:
    state, queue = fed()
    state.replace("unit", [["u1", {"call_sign": "朝文执01", "lat": 39.9, "lon": 116.4,
                                   "heading": 90.0}],
                           ["u2", {"call_sign": "朝文执02", "lat": 39.8, "lon": 116.3}]])
    queue.update("unit", "u1", {"lat": 39.91, "lon": 116.41, "speed": 30.0, "last_fix": T0})
    queue.update("unit", "u2", {"status": "emergency"})
    queue.update("unit", "u3", {"call_sign": "朝文执03", "lat": 39.7, "lon": 116.2})
    assert queue.take() is not None
    # heading not in the fix: the one from replace stays, as on the page
    assert state.entity("unit", "u1") == {"call_sign": "朝文执01", "lat": 39.91, "lon": 116.41,
                                          "heading": 90.0, "speed": 30.0, "last_fix": T0}
    assert state.entity("unit", "u2")["status"] == "emergency"  # type: ignore[index]
    assert state.entity("unit", "u3") == {"call_sign": "朝文执03", "lat": 39.7, "lon": 116.2}
    # a fix without heading keeps the previous tick's; a broken fix is ignored
    queue.update_positions("unit", [("u1", 39.92, 116.42, 45.0, NAN, T0 + 1)])
    queue.take()
    queue.update_positions("unit", [("u1", 39.93, 116.43, NAN, NAN, T0 + 2),
                                    ("u3", NAN, math.inf, 10.0, 1.0, T0 + 2)])
    queue.take()
    u1 = state.entity("unit", "u1")
    assert u1 is not None
    assert (u1["lat"], u1["lon"], u1["heading"], u1["speed"], u1["last_fix"]) == (
        39.93, 116.43, 45.0, 30.0, T0 + 2)
    assert state.position_of("unit", "u3") == (39.7, 116.2)
    # heading given as a field after fixes: the field wins, as on the page
    queue.update("unit", "u1", {"heading": 180.0})
    queue.take()
    assert state.entity("unit", "u1")["heading"] == 180.0  # type: ignore[index]
    assert state.entity("unit", "u1")["lat"] == 39.93  # type: ignore[index]
    queue.remove("unit", "u2")
    queue.take()
    assert state.entity("unit", "u2") is None
    assert state.counts()["unit"] == 2


def test_nothing_is_kept_until_the_batch_goes_to_the_page() -> None:
    state, queue = fed()
    queue.update("incident", "i1", {"title": "无证演出", "lat": 39.9, "lon": 116.4})
    assert state.entity("incident", "i1") is None  # still queued: the queue will send it
    message = queue.take()
    assert message is not None
    assert state.entity("incident", "i1") == {"title": "无证演出", "lat": 39.9, "lon": 116.4}
    assert unpack_positions(json.loads(message)["kinds"]["incident"]["pos"])[0][:2] == (
        39.9, 116.4)


def test_removing_the_selected_entity_clears_the_selection_like_the_page() -> None:
    state, queue = fed()
    state.replace("venue", [["v1", {"lat": 39.9, "lon": 116.4}], ["v2", {}]])
    state.set_selection("venue", "v1")
    state.replace("venue", [["v1", {"lat": 39.9, "lon": 116.4}]])
    assert state.selection == ("venue", "v1")
    queue.remove("venue", "v1")
    queue.take()
    assert state.selection is None


def test_follow_trail_grows_with_fixes_and_is_capped() -> None:
    state, queue = fed()
    state.replace("unit", [["u1", {"lat": 39.90, "lon": 116.40}]])
    state.set_follow("unit", "u1", [(39.88, 116.38), (39.89, 116.39)])
    assert state.trail == [(39.88, 116.38), (39.89, 116.39), (39.90, 116.40)]
    for i in range(1, 4):
        queue.update_positions("unit", [("u1", 39.90 + i / 100, 116.40, NAN, NAN, T0)])
        queue.take()
    queue.update_positions("unit", [("u2", 39.0, 116.0, NAN, NAN, T0)])  # another unit
    queue.take()
    assert state.trail == [(39.90, 116.40), (39.91, 116.40), (39.92, 116.40), (39.93, 116.40)]
    state.set_follow("", "")
    assert state.follow is None and state.trail == []


def test_restore_messages_rebuild_everything_in_order() -> None:
    state, queue = fed()
    state.tiles.append({"op": "tileinfo", "minZoom": 8, "maxZoom": 16, "bounds": None})
    state.districts = '{"op":"districts","jurisdiction":"110105","geojson":{}}'
    state.layers["officer"] = False
    state.replace("venue", [["v1", {"name": "星光网吧", "lat": 39.93, "lon": 116.45}]])
    state.replace("unit", [["u1", {"call_sign": "朝文执01", "lat": 39.9, "lon": 116.4}]])
    queue.update("unit", "u1", {"lat": 39.95, "lon": 116.46, "heading": 10.0})
    queue.take()
    state.fences = {"type": "FeatureCollection", "features": []}
    state.replay = {"op": "replay_load", "tracks": {}, "labels": {}, "t0": 0.0, "t1": 60.0}
    state.set_selection("unit", "u1")
    state.set_follow("unit", "u1", [(39.9, 116.4)])
    state.view = (39.95, 116.46, 15.0)
    got = ops(state, replay_time=30.0)
    assert [m["op"] for m in got] == ["tileinfo", "districts", "layer", "replace", "replace",
                                      "fences", "replay_load", "replay_time", "select",
                                      "follow", "view"]
    assert got[2] == {"op": "layer", "name": "officer", "visible": False}
    replaced = {m["kind"]: dict(m["items"]) for m in got if m["op"] == "replace"}
    assert replaced["unit"]["u1"] == {"call_sign": "朝文执01", "lat": 39.95, "lon": 116.46,
                                      "heading": 10.0}
    assert replaced["venue"]["v1"]["name"] == "星光网吧"
    assert got[7] == {"op": "replay_time", "t": 30.0}
    assert got[9] == {"op": "follow", "kind": "unit", "id": "u1",
                      "trail": [[39.9, 116.4], [39.95, 116.46]]}
    assert got[10] == {"op": "view", "lat": 39.95, "lon": 116.46, "zoom": 15.0}


def test_an_empty_state_restores_nothing_and_nan_fields_go_as_null() -> None:
    assert PageState().restore_messages() == []
    state = PageState()
    state.replace("camera", [["c1", {"name": "记录仪1", "battery": NAN}]])
    (message,) = ops(state)
    assert message["items"] == [["c1", {"name": "记录仪1", "battery": None}]]
