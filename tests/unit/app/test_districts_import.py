from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.districts import BoundaryFileError, read_boundaries

_json = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=6)
    | st.sampled_from(["Feature", "FeatureCollection", "Polygon", "110101", "adcode"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "features", "properties", "geometry", "coordinates",
                         "adcode", "name"]), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200)
@given(_json)
def test_any_json_is_read_or_refused_with_a_boundary_file_error(tmp_path_factory, value) -> None:  # type: ignore[no-untyped-def]
    path: Path = tmp_path_factory.mktemp("b") / "f.geojson"
    path.write_text(json.dumps(value), encoding="utf-8")
    try:
        rows = read_boundaries(path)
    except BoundaryFileError as exc:
        assert str(exc)
    else:
        assert rows


def test_garbage_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.geojson"
    path.write_bytes(b"\xff\xfe\x00garbage")
    try:
        read_boundaries(path)
    except BoundaryFileError as exc:
        assert "not a readable GeoJSON file" in str(exc)
    else:
        raise AssertionError("garbage accepted")
