"""Reading local tile files (MBTiles, PMTiles v3) — pure Python, no page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.geo.tiles import (
    MBTilesSource,
    PMTilesSource,
    TileFileError,
    open_tile_file,
    zxy_to_tile_id,
)


@pytest.fixture
def pyramid(tile_kit: Any) -> dict[tuple[int, int, int], bytes]:
    """Distinct tiles for zoom 0–4 (341 tiles)."""
    return {(z, x, y): tile_kit.solid_png((z * 40, x * 15, y * 15, 255), 2)
            for z in range(5) for x in range(1 << z) for y in range(1 << z)}


def test_mbtiles_rows_are_flipped_to_xyz(tmp_path: Path, tile_kit: Any,
                                         pyramid: dict[tuple[int, int, int], bytes]) -> None:
    source = open_tile_file(tile_kit.write_mbtiles(tmp_path / "t.mbtiles", pyramid))
    assert isinstance(source, MBTilesSource)
    assert all(source.tile(z, x, y) == data for (z, x, y), data in pyramid.items())
    assert source.tile(5, 0, 0) is None
    assert (source.info.format, source.info.mime) == ("png", "image/png")
    assert (source.info.min_zoom, source.info.max_zoom) == (0, 4)
    assert source.info.bounds == (115.4, 39.4, 117.5, 41.1)
    source.close()


@pytest.mark.parametrize("leaf_every", [0, 40])
def test_pmtiles_root_and_leaf_directories(tmp_path: Path, tile_kit: Any, leaf_every: int,
                                           pyramid: dict[tuple[int, int, int], bytes]) -> None:
    path = tile_kit.write_pmtiles(tmp_path / "t.pmtiles", pyramid, leaf_every=leaf_every)
    source = open_tile_file(path)
    assert isinstance(source, PMTilesSource)
    assert all(source.tile(z, x, y) == data for (z, x, y), data in pyramid.items())
    assert source.tile(5, 3, 3) is None
    assert source.tile(2, 9, 9) is None  # not a tile at all
    assert source.info.bounds == pytest.approx((115.4, 39.4, 117.5, 41.1))
    source.close()


def test_hilbert_tile_ids_match_the_reference_implementation() -> None:
    # values printed by zxyToTileId of the npm package pmtiles 3.2.1
    known = [((0, 0, 0), 0), ((1, 0, 0), 1), ((1, 0, 1), 2), ((1, 1, 1), 3), ((1, 1, 0), 4),
             ((2, 1, 3), 11), ((5, 17, 9), 1213), ((10, 843, 388), 1189322),
             ((14, 13490, 6208), 304466683), ((18, 215880, 99300), 77940636111)]
    for zxy, tid in known:
        assert zxy_to_tile_id(*zxy) == tid


def test_unusable_files_are_refused_with_a_reason(tmp_path: Path, tile_kit: Any) -> None:
    with pytest.raises(TileFileError, match="not found"):
        open_tile_file(tmp_path / "missing.mbtiles")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello world, not tiles")
    with pytest.raises(TileFileError, match="neither"):
        open_tile_file(junk)
    vector = tile_kit.write_mbtiles(tmp_path / "v.mbtiles", {(0, 0, 0): b"x"}, fmt="pbf")
    with pytest.raises(TileFileError, match="raster tiles only"):
        open_tile_file(vector)
    mvt = tile_kit.write_pmtiles(tmp_path / "v.pmtiles", {(0, 0, 0): b"x"}, tile_type=1)
    with pytest.raises(TileFileError, match="raster tiles only"):
        open_tile_file(mvt)
    broken = tmp_path / "broken.mbtiles"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(TileFileError, match="MBTiles"):
        open_tile_file(broken)
