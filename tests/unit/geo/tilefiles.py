"""Writers of small tile files for tests: a one-colour PNG, MBTiles and PMTiles v3 archives.

Used by the tests of app.geo.tiles and by the map's GUI tests (through their ``tile_kit``
fixtures). The PMTiles writer follows the v3 specification; files it writes were checked once
against the reference reader (npm ``pmtiles`` 3.2.1: every tile found, leaf directories too).
"""

from __future__ import annotations

import gzip
import sqlite3
import struct
import zlib
from pathlib import Path

from app.geo.tiles import zxy_to_tile_id


def solid_png(rgba: tuple[int, int, int, int], size: int = 256) -> bytes:
    """A one-colour PNG (pure Python)."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    row = b"\x00" + bytes(rgba) * size
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * size, 9)) + chunk(b"IEND", b""))


def write_mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes], fmt: str = "png",
                  bounds: str | None = "115.4,39.4,117.5,41.1") -> Path:
    """An MBTiles file with XYZ-addressed ``tiles`` (stored with TMS rows, as the spec says)."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
               " tile_data BLOB)")
    zooms = [z for z, _, _ in tiles]
    meta = {"name": "test", "format": fmt, "minzoom": str(min(zooms)),
            "maxzoom": str(max(zooms))}
    if bounds:
        meta["bounds"] = bounds
    db.executemany("INSERT INTO metadata VALUES (?, ?)", meta.items())
    db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                   [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in tiles.items()])
    db.commit()
    db.close()
    return path


def write_pmtiles(path: Path, tiles: dict[tuple[int, int, int], bytes], tile_type: int = 2,
                  leaf_every: int = 0) -> Path:
    """A PMTiles v3 archive (gzip directories), written from the specification.

    ``leaf_every`` > 0 puts the entries in leaf directories of that size (to test leaves).
    """
    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            b = n & 0x7F
            n >>= 7
            if n:
                out.append(b | 0x80)
            else:
                out.append(b)
                return bytes(out)

    def directory(entries: list[tuple[int, int, int, int]]) -> bytes:
        # entries: (tile_id, offset, length, run_length)
        out = bytearray(varint(len(entries)))
        last = 0
        for tid, _, _, _ in entries:
            out += varint(tid - last)
            last = tid
        for _, _, _, run in entries:
            out += varint(run)
        for _, _, length, _ in entries:
            out += varint(length)
        for i, (_, off, _, _) in enumerate(entries):
            prev = entries[i - 1] if i else None
            out += varint(0 if prev and off == prev[1] + prev[2] else off + 1)
        return gzip.compress(bytes(out))

    items = sorted((zxy_to_tile_id(z, x, y), data) for (z, x, y), data in tiles.items())
    data_blob = bytearray()
    entries = []
    for tid, data in items:
        entries.append((tid, len(data_blob), len(data), 1))
        data_blob += data
    leaves = b""
    if leaf_every:
        root_entries = []
        for i in range(0, len(entries), leaf_every):
            chunk = directory(entries[i:i + leaf_every])
            root_entries.append((entries[i][0], len(leaves), len(chunk), 0))
            leaves += chunk
        root = directory(root_entries)
    else:
        root = directory(entries)
    zooms = [z for z, _, _ in tiles]
    header_size = 127
    root_off = header_size
    meta = gzip.compress(b"{}")
    meta_off = root_off + len(root)
    leaf_off = meta_off + len(meta)
    data_off = leaf_off + len(leaves)
    header = struct.pack(
        "<7sB QQ QQ QQ QQ QQQ BBBB BB iiii B ii",
        b"PMTiles", 3, root_off, len(root), meta_off, len(meta), leaf_off, len(leaves),
        data_off, len(data_blob), len(items), len(items), len(items),
        1, 2, 1, tile_type, min(zooms), max(zooms),
        int(115.4e7), int(39.4e7), int(117.5e7), int(41.1e7), max(zooms), int(116.4e7),
        int(39.9e7))
    path.write_bytes(header + root + meta + leaves + bytes(data_blob))
    return path
