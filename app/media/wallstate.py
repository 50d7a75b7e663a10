"""Video wall state that crosses a boundary: dropped entities and saved layouts.

Both are outside input (a drag from another widget or program, a file on disk) and are
parsed strictly: anything malformed is refused with a :class:`ValueError` naming the problem,
and a damaged layout file is logged and replaced by the default, never trusted.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.media.directory import ENTITY_KINDS

log = logging.getLogger("app.media.wallstate")

#: MIME type of a dragged unit, camera, venue or source: UTF-8 JSON {"kind": …, "id": …}.
ENTITY_MIME = "application/x-cedc-entity"

#: Wall grids: name → cells as (row, column, row span, column span) on a square grid.
GRIDS: dict[str, tuple[tuple[int, int, int, int], ...]] = {
    "1": ((0, 0, 1, 1),),
    "2x2": tuple((r, c, 1, 1) for r in range(2) for c in range(2)),
    "3x3": tuple((r, c, 1, 1) for r in range(3) for c in range(3)),
    "4x4": tuple((r, c, 1, 1) for r in range(4) for c in range(4)),
    "1+5": ((0, 0, 2, 2), (0, 2, 1, 1), (1, 2, 1, 1), (2, 0, 1, 1), (2, 1, 1, 1),
            (2, 2, 1, 1)),
}
DEFAULT_GRID = "2x2"
LAYOUT_VERSION = 1
_MAX_NAME = 60
_MAX_PRESETS = 50


@dataclass(frozen=True, slots=True)
class EntityRef:
    """Something that has video: a body camera, a venue, a unit (its cameras) or a source."""

    kind: str
    id: int


def encode_entity(ref: EntityRef) -> bytes:
    """MIME payload for a drag of ``ref``."""
    return json.dumps({"kind": ref.kind, "id": ref.id}).encode()


def parse_entity(data: bytes) -> EntityRef:
    """Parse a dropped payload; ValueError says what is wrong."""
    if len(data) > 4096:
        raise ValueError("entity payload too large")
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"entity payload is not UTF-8 JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise ValueError("entity payload must be a JSON object")
    kind, ident = obj.get("kind"), obj.get("id")
    if kind not in ENTITY_KINDS:
        raise ValueError(f"entity kind must be one of {', '.join(ENTITY_KINDS)}, got {kind!r}")
    if isinstance(ident, bool) or not isinstance(ident, int) or not 0 < ident < 2**63:
        raise ValueError(f"entity id must be a positive integer, got {ident!r}")
    return EntityRef(kind, ident)


@dataclass(frozen=True, slots=True)
class WallLayout:
    """Grid, the source shown in each tile (None: empty), and the maximised tile."""

    grid: str = DEFAULT_GRID
    tiles: tuple[int | None, ...] = ()
    maximised: int | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (see :func:`parse_wall_layout`)."""
        return {"version": LAYOUT_VERSION, "grid": self.grid, "tiles": list(self.tiles),
                "maximised": self.maximised}


def parse_wall_layout(obj: Any) -> WallLayout:
    """Validate a layout dict; ValueError names the first problem.

    Tiles beyond the grid's cells are dropped; missing ones are empty.
    """
    if not isinstance(obj, Mapping):
        raise ValueError("layout must be an object")
    version = obj.get("version")
    if version != LAYOUT_VERSION:
        raise ValueError(f"layout version {version!r} is not {LAYOUT_VERSION}")
    grid = obj.get("grid")
    if grid not in GRIDS:
        raise ValueError(f"grid must be one of {', '.join(GRIDS)}, got {grid!r}")
    tiles = obj.get("tiles", [])
    if not isinstance(tiles, list):
        raise ValueError("tiles must be a list")
    cells = len(GRIDS[grid])
    parsed: list[int | None] = []
    for t in tiles[:cells]:
        if t is None:
            parsed.append(None)
        elif isinstance(t, int) and not isinstance(t, bool) and 0 < t < 2**63:
            parsed.append(t)
        else:
            raise ValueError(f"a tile must be a source id or null, got {t!r}")
    parsed += [None] * (cells - len(parsed))
    maximised = obj.get("maximised")
    if maximised is not None and (isinstance(maximised, bool) or not isinstance(maximised, int)
                                  or not 0 <= maximised < cells):
        raise ValueError(f"maximised must be a tile index below {cells} or null")
    return WallLayout(grid, tuple(parsed), maximised)


class WallLayoutStore:
    """This workstation's wall layouts in one JSON file: the current one and named presets.

    Args:
        path: the file (e.g. ``AppPaths.config_dir / "video_wall.json"``).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.current: WallLayout | None = None
        self.presets: dict[str, WallLayout] = {}
        self.load()

    def load(self) -> None:
        """Read the file; a missing file is empty, a damaged one is logged and ignored."""
        self.current, self.presets = None, {}
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning("cannot read wall layouts %s: %s", self.path, exc)
            return
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            log.warning("wall layouts %s are damaged (%s); using the default", self.path, exc)
            return
        if data.get("current") is not None:
            try:
                self.current = parse_wall_layout(data["current"])
            except ValueError as exc:
                log.warning("current wall layout in %s ignored: %s", self.path, exc)
        presets = data.get("presets", {})
        if isinstance(presets, dict):
            for name, value in list(presets.items())[:_MAX_PRESETS]:
                try:
                    self.presets[_valid_name(name)] = parse_wall_layout(value)
                except ValueError as exc:
                    log.warning("wall layout preset %r in %s ignored: %s", name, self.path, exc)

    def save(self) -> None:
        """Write the file atomically."""
        data = {"version": LAYOUT_VERSION,
                "current": self.current.to_json() if self.current else None,
                "presets": {k: v.to_json() for k, v in sorted(self.presets.items())}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".wall-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=1)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def set_preset(self, name: str, layout: WallLayout) -> None:
        """Add or replace a named preset (and save)."""
        name = _valid_name(name)
        if name not in self.presets and len(self.presets) >= _MAX_PRESETS:
            raise ValueError(f"at most {_MAX_PRESETS} saved layouts")
        self.presets[name] = layout
        self.save()

    def remove_preset(self, name: str) -> None:
        """Forget a preset (and save)."""
        if self.presets.pop(name, None) is not None:
            self.save()


def _valid_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > _MAX_NAME:
        raise ValueError(f"a layout name must be 1–{_MAX_NAME} characters")
    return name.strip()
