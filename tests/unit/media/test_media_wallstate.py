"""Dropped entities and saved wall layouts: strict parsing of outside input."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.media.wallstate import (
    GRIDS,
    EntityRef,
    WallLayout,
    WallLayoutStore,
    encode_entity,
    parse_entity,
    parse_wall_layout,
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=20,
)


def test_entity_round_trip_and_refusals() -> None:
    ref = EntityRef("venue", 42)
    assert parse_entity(encode_entity(ref)) == ref
    for bad, why in [(b"\xff", "UTF-8"), (b"[1]", "object"), (b'{"kind":"car","id":1}', "kind"),
                     (b'{"kind":"unit","id":true}', "positive"),
                     (b'{"kind":"unit","id":-3}', "positive"), (b"{" * 5000, "too large")]:
        with pytest.raises(ValueError, match=why):
            parse_entity(bad)


@given(st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()))
def test_any_payload_parses_or_is_refused_cleanly(data: bytes) -> None:
    try:
        ref = parse_entity(data)
    except ValueError:
        return
    assert ref.kind in ("camera", "venue", "unit", "source") and ref.id > 0


@given(JSON | st.fixed_dictionaries({
    "version": st.just(1), "grid": st.sampled_from([*GRIDS, "5x5"]),
    "tiles": st.lists(st.none() | st.integers(-5, 50) | st.text(max_size=2), max_size=20),
    "maximised": st.none() | st.integers(-2, 20) | st.booleans()}))
def test_any_layout_parses_to_a_consistent_layout_or_is_refused(obj: Any) -> None:
    try:
        layout = parse_wall_layout(obj)
    except ValueError:
        return
    cells = len(GRIDS[layout.grid])
    assert len(layout.tiles) == cells
    assert layout.maximised is None or 0 <= layout.maximised < cells
    assert parse_wall_layout(layout.to_json()) == layout


def test_store_keeps_current_and_presets(tmp_path: Path) -> None:
    path = tmp_path / "wall.json"
    store = WallLayoutStore(path)
    assert store.current is None and store.presets == {}
    store.current = WallLayout("1+5", (3, None, 4, None, None, 9), 0)
    store.save()
    store.set_preset("夜班 重点场所", WallLayout("3x3", (1,) + (None,) * 8))
    again = WallLayoutStore(path)
    assert again.current == store.current
    assert list(again.presets) == ["夜班 重点场所"]
    again.remove_preset("夜班 重点场所")
    assert WallLayoutStore(path).presets == {}
    with pytest.raises(ValueError, match="name"):
        store.set_preset("  ", WallLayout())


def test_damaged_store_is_ignored_with_a_warning(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "wall.json"
    path.write_text('{"current": {"version": 1, "grid": "9x9"}, "presets": {"a": 5}}')
    with caplog.at_level(logging.WARNING, logger="app.media.wallstate"):
        store = WallLayoutStore(path)
    assert store.current is None and store.presets == {}
    assert "9x9" in caplog.text and "preset 'a'" in caplog.text
    path.write_text("not json")
    assert WallLayoutStore(path).current is None
