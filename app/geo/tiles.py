"""Local tile files for the base map: MBTiles (SQLite) and PMTiles v3 (single-file archive).

Pure Python, no Qt: the map's tile worker (``widgets.map.scheme.TileWorker``) calls these on its
own thread, never on the UI thread. Only raster tiles (PNG, JPEG, WebP) are served; a vector-tile
archive is refused with a clear message, because the map has no vector-tile renderer.

* MBTiles 1.3: ``tiles(zoom_level, tile_column, tile_row, tile_data)`` with TMS rows (row 0 at
  the south), ``metadata(name, value)`` with ``format``, ``minzoom``, ``maxzoom``, ``bounds``.
* PMTiles v3: a 127-byte header, a root directory, optional leaf directories and tile data;
  directories are varint-coded and usually gzip-compressed; tile ids follow a Hilbert curve per
  zoom level. Implemented here from the published specification
  (github.com/protomaps/PMTiles, ``spec/v3/spec.md``); brotli/zstd-compressed directories are
  refused (they need extra packages).
"""

from __future__ import annotations

import gzip
import math
import sqlite3
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

MIME_BY_FORMAT = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
                  "webp": "image/webp"}


class TileFileError(Exception):
    """The tile file cannot be used; the message says why, for the log and the operator."""


@dataclass(frozen=True, slots=True)
class TileInfo:
    """What the page needs to know about a tile file."""

    format: str
    mime: str
    min_zoom: int
    max_zoom: int
    #: (west, south, east, north) in degrees, or None when the file does not say.
    bounds: tuple[float, float, float, float] | None


class TileSource(Protocol):
    """A readable tile file (used from one thread)."""

    info: TileInfo

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile's bytes (XYZ addressing, y = 0 at the north), or None when absent."""

    def close(self) -> None:
        """Release the file."""


def open_tile_file(path: str | Path) -> TileSource:
    """Open an MBTiles or PMTiles file, chosen by its content (not its name).

    Raises:
        TileFileError: missing, unreadable, unknown or unsupported file.
    """
    p = Path(path)
    if not p.is_file():
        raise TileFileError(f"tile file not found: {p}")
    try:
        with p.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise TileFileError(f"cannot read tile file {p}: {exc}") from exc
    if head.startswith(b"PMTiles"):
        return PMTilesSource(p)
    if head.startswith(b"SQLite format 3"):
        return MBTilesSource(p)
    raise TileFileError(f"{p} is neither an MBTiles (SQLite) nor a PMTiles file")


def _raster(fmt: str, where: Path) -> tuple[str, str]:
    fmt = fmt.lower().strip()
    mime = MIME_BY_FORMAT.get(fmt)
    if mime is None:
        raise TileFileError(
            f"{where}: tiles of format {fmt or 'unknown'!r} cannot be shown; the map draws "
            f"raster tiles only (png, jpg, webp)")
    return fmt, mime


class MBTilesSource:
    """An MBTiles file, opened read-only."""

    def __init__(self, path: Path) -> None:
        self._path = path
        try:
            self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise TileFileError(f"{path}: cannot open ({exc})") from exc
        try:
            meta = dict(self._db.execute("SELECT name, value FROM metadata").fetchall())
            zooms = self._db.execute(
                "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
            fmt, mime = _raster(str(meta.get("format", "png")), path)
        except sqlite3.Error as exc:
            self._db.close()
            raise TileFileError(f"{path}: not a readable MBTiles file ({exc})") from exc
        except TileFileError:
            self._db.close()
            raise
        min_z = _int(meta.get("minzoom"), zooms[0], 0)
        max_z = _int(meta.get("maxzoom"), zooms[1], 18)
        self.info = TileInfo(fmt, mime, min_z, max_z, _bounds(meta.get("bounds")))

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """See :class:`TileSource`; MBTiles rows are TMS (flipped)."""
        row = (1 << z) - 1 - y
        found = self._db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
            (z, x, row)).fetchone()
        return bytes(found[0]) if found else None

    def close(self) -> None:
        """See :class:`TileSource`."""
        self._db.close()


def _int(*candidates: object) -> int:
    for c in candidates:
        try:
            return int(str(c))
        except ValueError:
            continue
    return 0


def _bounds(text: object) -> tuple[float, float, float, float] | None:
    try:
        w, s, e, n = (float(v) for v in str(text).split(","))
    except ValueError:
        return None
    return (w, s, e, n) if all(math.isfinite(v) for v in (w, s, e, n)) else None


# --------------------------------------------------------------------------- PMTiles v3
_PM_HEADER = struct.Struct("<7sB QQ QQ QQ QQ QQQ BBBB BB iiii B ii")
_PM_COMPRESSION = {1: "none", 2: "gzip", 3: "brotli", 4: "zstd"}
_PM_TYPES = {1: "mvt", 2: "png", 3: "jpg", 4: "webp", 5: "avif"}
_PM_MAX_DEPTH = 4


def zxy_to_tile_id(z: int, x: int, y: int) -> int:
    """PMTiles tile id: tiles of all lower zooms first, then the Hilbert index of (x, y)."""
    if z > 31 or x >= (1 << z) or y >= (1 << z) or x < 0 or y < 0:
        raise ValueError(f"tile {z}/{x}/{y} does not exist")
    base = ((1 << (2 * z)) - 1) // 3
    n = 1 << z
    d = 0
    s = n >> 1
    while s > 0:
        rx = 1 if x & s else 0
        ry = 1 if y & s else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x = n - 1 - x
                y = n - 1 - y
            x, y = y, x
        s >>= 1
    return base + d


@dataclass(frozen=True, slots=True)
class _Entry:
    tile_id: int
    offset: int
    length: int
    run_length: int


def _varints(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    shift = 0
    while True:
        if pos >= len(data):
            raise TileFileError("truncated PMTiles directory")
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def decode_directory(data: bytes) -> list[_Entry]:
    """Decode an uncompressed PMTiles v3 directory."""
    n, pos = _varints(data, 0)
    ids: list[int] = []
    last = 0
    for _ in range(n):
        delta, pos = _varints(data, pos)
        last += delta
        ids.append(last)
    runs: list[int] = []
    for _ in range(n):
        v, pos = _varints(data, pos)
        runs.append(v)
    lengths: list[int] = []
    for _ in range(n):
        v, pos = _varints(data, pos)
        lengths.append(v)
    entries: list[_Entry] = []
    for i in range(n):
        v, pos = _varints(data, pos)
        offset = entries[i - 1].offset + entries[i - 1].length if v == 0 and i > 0 else v - 1
        entries.append(_Entry(ids[i], offset, lengths[i], runs[i]))
    return entries


class PMTilesSource:
    """A PMTiles v3 archive with gzip- or un-compressed directories and raster tiles."""

    def __init__(self, path: Path) -> None:
        self._path = path
        try:
            self._fh: BinaryIO = path.open("rb")
        except OSError as exc:
            raise TileFileError(f"cannot read {path}: {exc}") from exc
        try:
            self._open()
        except (TileFileError, OSError) as exc:
            self._fh.close()
            if isinstance(exc, TileFileError):
                raise
            raise TileFileError(f"cannot read {path}: {exc}") from exc

    def _open(self) -> None:
        path = self._path
        raw = self._fh.read(_PM_HEADER.size)
        if len(raw) < _PM_HEADER.size:
            raise TileFileError(f"{path}: truncated PMTiles header")
        h = _PM_HEADER.unpack(raw)
        if h[1] != 3:
            raise TileFileError(f"{path}: PMTiles version {h[1]} is not supported (only v3)")
        (self._root_off, self._root_len, _, _, self._leaf_off, _, self._data_off, _) = h[2:10]
        self._compression = _PM_COMPRESSION.get(h[14], "unknown")
        if self._compression not in ("none", "gzip"):
            raise TileFileError(f"{path}: {self._compression} directory compression is not "
                                "supported (re-pack the archive with gzip)")
        tile_compression = _PM_COMPRESSION.get(h[15], "unknown")
        fmt, mime = _raster(_PM_TYPES.get(h[16], "unknown"), path)
        if tile_compression not in ("none", "unknown"):
            raise TileFileError(f"{path}: {tile_compression}-compressed raster tiles")
        w, s, e, n = (v / 1e7 for v in h[19:23])
        self.info = TileInfo(fmt, mime, h[17], h[18], (w, s, e, n))
        self._root = self._directory(self._root_off, self._root_len)
        self._leaves: dict[int, list[_Entry]] = {}

    def _read(self, offset: int, length: int) -> bytes:
        self._fh.seek(offset)
        data = self._fh.read(length)
        if len(data) != length:
            raise TileFileError(f"{self._path}: truncated at byte {offset}")
        return data

    def _directory(self, offset: int, length: int) -> list[_Entry]:
        data = self._read(offset, length)
        if self._compression == "gzip":
            try:
                data = gzip.decompress(data)
            except (OSError, zlib.error, EOFError) as exc:
                raise TileFileError(f"{self._path}: corrupt directory ({exc})") from exc
        return decode_directory(data)

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """See :class:`TileSource`."""
        try:
            tid = zxy_to_tile_id(z, x, y)
        except ValueError:
            return None
        entries = self._root
        for _ in range(_PM_MAX_DEPTH):
            entry = _find(entries, tid)
            if entry is None:
                return None
            if entry.run_length > 0:
                return self._read(self._data_off + entry.offset, entry.length)
            key = self._leaf_off + entry.offset
            leaf = self._leaves.get(key)
            if leaf is None:
                leaf = self._directory(key, entry.length)
                if len(self._leaves) > 64:
                    self._leaves.clear()
                self._leaves[key] = leaf
            entries = leaf
        return None

    def close(self) -> None:
        """See :class:`TileSource`."""
        self._fh.close()


def _find(entries: list[_Entry], tid: int) -> _Entry | None:
    lo, hi = 0, len(entries) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        c = entries[mid].tile_id
        if c < tid:
            lo = mid + 1
        elif c > tid:
            hi = mid - 1
        else:
            return entries[mid]
    if hi >= 0:
        e = entries[hi]
        if e.run_length == 0 or tid - e.tile_id < e.run_length:
            return e
    return None
