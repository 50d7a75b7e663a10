"""The video wall: 1, 2×2, 3×3, 4×4 or 1+5 tiles of body cameras and venue devices.

Drop a unit, camera, venue or source (``application/x-cedc-entity``) on a tile, or
double-click one in the source list; double-click a tile to maximise it; drag a tile onto
another to swap them. Pictures are decoded, converted and scaled on each source's worker
thread; the UI thread only blits them. Snapshots and clips of the selected tile are saved as
evidence (linked to the incident the wall was opened for, if any).

Its layout (grid, sources per tile, maximised tile) is a
:class:`~app.media.wallstate.WallLayout`: :meth:`VideoWall.wall_layout` and
:meth:`VideoWall.restore_layout` save and restore it; with a
:class:`~app.media.wallstate.WallLayoutStore` the wall keeps it per workstation itself and
offers named layouts.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QColor, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.media.service import MediaService
from app.media.types import Capture, MediaError, SourceStats
from app.media.wallstate import GRIDS, EntityRef, WallLayout, WallLayoutStore
from models.enums import EvidenceKind
from widgets.elided_label import ElidedLabel
from widgets.video.source_list import SourceList
from widgets.video.tile import PaintStats, VideoTile

log = logging.getLogger("widgets.video_wall")

MAX_TILES = 16
#: Grids in the order offered, and the order the wall grows through to fit more feeds.
GRID_ORDER = ("1", "2x2", "1+5", "3x3", "4x4")
_GROW_ORDER = ("1", "2x2", "3x3", "4x4")
_GRID_LABELS = {"1": "1", "2x2": "2×2", "3x3": "3×3", "4x4": "4×4", "1+5": "1+5"}


#: The wall paints at most this often, whatever the screen could do (sources send ≤ 30 fps).
MAX_PAINT_HZ = 50.0


def paint_interval_ms(refresh_hz: float) -> int:
    """The wall's paint clock period: the screen's refresh, at most :data:`MAX_PAINT_HZ`."""
    hz = min(refresh_hz if refresh_hz > 1 else 60.0, MAX_PAINT_HZ)
    return max(1, round(1000.0 / hz))


class WallCanvas(QWidget):
    """The wall's tile area: paints all its tiles in one pass.

    Tiles are see-through child widgets (they take the mouse, drops and menus); a tile's
    ``update()`` repaints its part of the canvas, and Qt gathers every tile updated since the
    last repaint into one :meth:`paintEvent` here — one Python call for the whole wall.
    """

    BACKGROUND = QColor("#05070a")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.paints = 0

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paints += 1
        region = event.region()
        p = QPainter(self)
        p.setClipRegion(region)
        p.fillRect(self.rect(), self.BACKGROUND)
        for child in self.children():
            if isinstance(child, VideoTile) and child.isVisible() \
                    and region.intersects(child.geometry()):
                p.save()
                p.translate(child.pos())
                p.setClipRect(child.rect(), Qt.ClipOperation.IntersectClip)
                child.paint_content(p)
                p.restore()
        p.end()


class VideoWall(QWidget):
    """Tiles of live video with a layout toolbar and an optional source list.

    Args:
        media: the media service (opens sources, captures evidence).
        store: where this workstation's layouts are kept (None: the caller saves
            :meth:`wall_layout` itself, e.g. on ``layout_changed``).

    Signals:
        layout_changed(object): the WallLayout after any change.
        message(str): a short status text (captures, look-ups) also shown in the toolbar.
    """

    layout_changed = Signal(object)
    message = Signal(str)

    def __init__(self, media: MediaService, *, store: WallLayoutStore | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoWall")
        self.media = media
        self.store = store
        self.grid = "2x2"
        self.maximised: int | None = None
        self.selected = 0
        self.incident_id: int | None = None
        self.incident_label = ""
        self._pending_incident: int | None = None
        self.paint_stats = PaintStats()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        # toolbar
        self.sources_button = QToolButton(self)
        self.sources_button.setCheckable(True)
        self.sources_button.toggled.connect(self._toggle_sources)
        self.grid_buttons: dict[str, QToolButton] = {}
        self._grid_group = QActionGroup(self)
        # a tool bar: what does not fit in a narrow dock goes into its » overflow menu
        bar = QToolBar(self)
        bar.setObjectName("wallToolbar")
        bar.setContentsMargins(2, 2, 2, 2)
        self.toolbar = bar
        bar.addWidget(self.sources_button)
        for name in GRID_ORDER:
            action = QAction(_GRID_LABELS[name], self)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, n=name: self.set_grid(n))
            self._grid_group.addAction(action)
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setObjectName(f"grid_{name}")
            self.grid_buttons[name] = button
            bar.addWidget(button)
        self.incident_label_widget = QLabel(self)
        self.incident_label_widget.setObjectName("wallIncident")
        self.incident_label_widget.setStyleSheet(
            "QLabel#wallIncident { background: #fde68a; color: #3d2c00; border-radius: 3px;"
            " padding: 1px 6px; margin: 0 6px; }")
        # in a tool bar a widget is shown and hidden through its action
        self._incident_action = bar.addWidget(self.incident_label_widget)
        self._incident_action.setVisible(False)
        self.message_label = ElidedLabel(self)
        self.message_label.setObjectName("wallMessage")
        self.message_label.setSizePolicy(QSizePolicy.Policy.Expanding,
                                         QSizePolicy.Policy.Preferred)
        bar.addWidget(self.message_label)
        self.snapshot_button = QToolButton(self)
        self.snapshot_button.clicked.connect(lambda: self.snapshot(self.selected))
        self.clip_button = QToolButton(self)
        self.clip_button.clicked.connect(lambda: self.clip(self.selected))
        self.close_button = QToolButton(self)
        self.close_button.clicked.connect(lambda: self.close_tile(self.selected))
        self.presets_button = QToolButton(self)
        self.presets_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.presets_menu = QMenu(self)
        self.presets_menu.aboutToShow.connect(self._fill_presets)
        self.presets_button.setMenu(self.presets_menu)
        for b in (self.snapshot_button, self.clip_button, self.close_button):
            bar.addWidget(b)
        bar.addWidget(self.presets_button).setVisible(store is not None)

        # tiles
        self.grid_widget = WallCanvas(self)
        self.grid_widget.setObjectName("wallGrid")
        self.grid_layout = QGridLayout(self.grid_widget)
        self.grid_layout.setContentsMargins(2, 2, 2, 2)
        self.grid_layout.setSpacing(2)
        self.tiles: list[VideoTile] = []
        for i in range(MAX_TILES):
            tile = VideoTile(i, self.grid_widget)
            tile.paint_stats = self.paint_stats
            tile.paced = True
            tile.entity_dropped.connect(self._entity_dropped)
            tile.tile_moved.connect(self.swap_tiles)
            tile.maximise_toggled.connect(self.toggle_maximise)
            tile.selected.connect(self.select_tile)
            tile.snapshot_requested.connect(self.snapshot)
            tile.clip_requested.connect(self.clip)
            tile.close_requested.connect(self.close_tile)
            tile.hide()
            self.tiles.append(tile)

        self.source_list = SourceList(self)
        self.source_list.entity_activated.connect(self.open_entity_ref)
        self.source_list.hide()
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.source_list)
        self.splitter.addWidget(self.grid_widget)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.splitter, 1)

        # One paint clock for the whole wall: each tick, every visible tile with a new picture
        # takes it and repaints (at most one picture per tile per tick). Nothing is queued per
        # decoded frame, hidden tiles cost nothing, and when the UI thread is busy with input
        # the ticks come later: the wall's frame rate drops before input latency rises.
        self._paint_clock = QTimer(self)
        self._paint_clock.setTimerType(Qt.TimerType.PreciseTimer)
        self._paint_clock.setInterval(paint_interval_ms(self.screen().refreshRate()
                                                        if self.screen() else 60.0))
        self._paint_clock.timeout.connect(self._pull_frames)
        self._paint_clock.start()

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(1000)
        self._save_timer.timeout.connect(self._save_current)

        media.stats_updated.connect(self._stats_updated)
        media.capture_done.connect(self._capture_done)
        media.capture_failed.connect(self._capture_failed)
        media.incident_sources.connect(self._incident_sources)
        media.directory_changed.connect(self._directory_changed)
        self.source_list.set_directory(media.directory)
        self.retranslate()
        self._apply_grid()
        self.select_tile(0)
        if store is not None and store.current is not None:
            self.restore_layout(store.current)

    # ------------------------------------------------------------------ texts
    def retranslate(self) -> None:
        """Set every visible text (also after a language change)."""
        self.sources_button.setText(self.tr("Sources"))
        self.snapshot_button.setText(self.tr("Snapshot"))
        self.snapshot_button.setToolTip(self.tr("Save the selected tile's picture as evidence"))
        self.clip_button.setText(self.tr("Clip"))
        self.clip_button.setToolTip(
            self.tr("Save the last %1 s and the next %2 s of the selected tile as evidence")
            .replace("%1", str(self.tiles[0].clip_seconds[0]))
            .replace("%2", str(self.tiles[0].clip_seconds[1])))
        self.close_button.setText(self.tr("Close tile"))
        self.presets_button.setText(self.tr("Saved layouts"))
        for name, button in self.grid_buttons.items():
            button.setToolTip(self.tr("Layout %1").replace("%1", _GRID_LABELS[name]))
        self.source_list.retranslate()
        self._show_incident()
        for tile in self.tiles:
            tile.update_overlay()
            tile.update()

    def _say(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setToolTip(text)
        self.message.emit(text)

    # ------------------------------------------------------------------ grid
    def visible_tiles(self) -> list[VideoTile]:
        """Tiles of the current grid, in order."""
        return self.tiles[:len(GRIDS[self.grid])]

    def set_grid(self, name: str) -> None:
        """Switch to grid ``name`` (tiles beyond it are closed)."""
        if name not in GRIDS:
            raise ValueError(f"unknown grid {name!r}")
        self.grid = name
        for tile in self.tiles[len(GRIDS[name]):]:
            self._clear(tile)
        if self.maximised is not None and self.maximised >= len(GRIDS[name]):
            self.maximised = None
        if self.selected >= len(GRIDS[name]):
            self.select_tile(0)
        self._apply_grid()
        self._changed()

    def _apply_grid(self) -> None:
        for tile in self.tiles:
            self.grid_layout.removeWidget(tile)
        cells = GRIDS[self.grid]
        for i in range(4):
            self.grid_layout.setRowStretch(i, 0)
            self.grid_layout.setColumnStretch(i, 0)
        if self.maximised is not None:
            tile = self.tiles[self.maximised]
            self.grid_layout.addWidget(tile, 0, 0, 1, 1)
            self.grid_layout.setRowStretch(0, 1)
            self.grid_layout.setColumnStretch(0, 1)
            for other in self.tiles:
                other.maximised = other is tile
                other.setVisible(other is tile)
        else:
            size = max(r + rs for r, _, rs, _ in cells)
            for i in range(size):
                self.grid_layout.setRowStretch(i, 1)
                self.grid_layout.setColumnStretch(i, 1)
            for tile, (r, c, rs, cs) in zip(self.tiles, cells, strict=False):
                self.grid_layout.addWidget(tile, r, c, rs, cs)
                tile.maximised = False
                tile.show()
            for tile in self.tiles[len(cells):]:
                tile.hide()
        for name, button in self.grid_buttons.items():
            action = button.defaultAction()
            action.setChecked(name == self.grid)

    @Slot(int)
    def toggle_maximise(self, index: int) -> None:
        """Maximise tile ``index``, or restore the grid if it is maximised."""
        self.maximised = None if self.maximised == index else index
        self.select_tile(index)
        self._apply_grid()
        self._changed()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.maximised is not None:
            self.toggle_maximise(self.maximised)
            return
        super().keyPressEvent(event)

    @Slot(int)
    def select_tile(self, index: int) -> None:
        """Make tile ``index`` the one toolbar actions apply to."""
        self.selected = index
        for tile in self.tiles:
            tile.set_selected(tile.index == index)

    # ------------------------------------------------------------------ opening
    def _clear(self, tile: VideoTile) -> None:
        sink = tile.clear_source()
        if sink is not None:
            self.media.detach(sink)

    def open_source(self, source_id: int, index: int | None = None) -> bool:
        """Show ``source_id`` in tile ``index`` (default: the first empty tile, else the
        selected one). False if the source is unknown or cannot be opened."""
        spec = self.media.spec(source_id)
        if spec is None:
            self._say(self.tr("Unknown video source %1").replace("%1", str(source_id)))
            return False
        if index is None:
            index = self._free_tiles()[0] if self._free_tiles() else self.selected
        tile = self.tiles[index]
        if tile.source_id == source_id:
            return True
        self._clear(tile)
        size = tile.sink_size()
        try:
            sink = self.media.attach(source_id, size.width(), size.height())
        except MediaError as exc:
            self._say(self.tr("Cannot open %1: %2").replace("%1", spec.name)
                      .replace("%2", str(exc)))
            return False
        tile.show_sink(source_id, spec.name, sink)
        tile.set_stats(self.media.stats(source_id))
        self._changed()
        return True

    def _free_tiles(self) -> list[int]:
        return [t.index for t in self.visible_tiles() if t.source_id is None]

    def shown_sources(self) -> list[int | None]:
        """The source of each tile of the current grid (None: empty)."""
        return [t.source_id for t in self.visible_tiles()]

    def open_sources(self, source_ids: list[int], first_index: int | None = None) -> int:
        """Show several sources at once, growing the grid if needed; returns how many shown.

        Sources already on the wall are not opened twice.
        """
        shown = {t.source_id for t in self.visible_tiles() if t.source_id is not None}
        todo: list[int] = []
        for s in source_ids:
            if s not in shown and s not in todo and self.media.spec(s) is not None:
                todo.append(s)
        if not todo:
            return 0
        if first_index is not None:
            self.open_source(todo.pop(0), first_index)
        in_use = sum(1 for t in self.visible_tiles() if t.source_id is not None)
        if len(self._free_tiles()) < len(todo):
            need = in_use + len(todo)
            bigger = [g for g in _GROW_ORDER if len(GRIDS[g]) >= need
                      and len(GRIDS[g]) > len(GRIDS[self.grid])]
            self.set_grid(bigger[0] if bigger else "4x4")
        if self.maximised is not None:
            self.maximised = None
            self._apply_grid()
        count = 1 if first_index is not None else 0
        for s, index in zip(todo, self._free_tiles(), strict=False):
            count += self.open_source(s, index)
        return count

    @Slot(object)
    def open_entity_ref(self, ref: EntityRef) -> int:
        """Open what a map click or a list double-click refers to."""
        return self.open_entity(ref.kind, ref.id)

    def open_entity(self, kind: str, entity_id: int) -> int:
        """Open the feeds of a camera, venue, unit or source; returns how many were opened.

        Feeds already on the wall are not opened again; the first one's tile is selected.
        """
        ids = self.media.sources_for(kind, entity_id)
        if not ids:
            self._say(self.tr("No video for the selection"))
            return 0
        opened = self.open_sources(ids)
        if not opened:  # already on the wall: point at it
            shown = self.shown_sources()
            if ids[0] in shown:
                self.select_tile(shown.index(ids[0]))
        return opened

    def open_incident(self, incident_id: int, label: str = "") -> None:
        """Open the cameras of the incident's assigned units and its venue in one action.

        Captures made afterwards are linked to the incident (see :meth:`set_incident`).
        """
        self._pending_incident = incident_id
        self.set_incident(incident_id, label)
        self.media.request_incident_sources(incident_id)

    def set_incident(self, incident_id: int | None, label: str = "") -> None:
        """Link later captures to ``incident_id`` (None: to no incident)."""
        self.incident_id = incident_id
        self.incident_label = label
        self._show_incident()

    def _show_incident(self) -> None:
        self._incident_action.setVisible(self.incident_id is not None)
        if self.incident_id is None:
            self.incident_label_widget.clear()
        else:
            self.incident_label_widget.setText(
                self.tr("Incident %1").replace("%1",
                                               self.incident_label or str(self.incident_id)))

    @Slot(int, object)
    def _incident_sources(self, incident_id: int, ids: list[int]) -> None:
        if incident_id != self._pending_incident:
            return
        self._pending_incident = None
        name = self.incident_label or str(incident_id)
        if not ids:
            self._say(self.tr("Incident %1 has no video").replace("%1", name))
            return
        self.open_sources(ids)
        self._say(self.tr("Opened the cameras and venue of incident %1").replace("%1", name))

    @Slot(int, object)
    def _entity_dropped(self, index: int, ref: EntityRef) -> None:
        ids = self.media.sources_for(ref.kind, ref.id)
        if not ids:
            self._say(self.tr("No video for the selection"))
            return
        self.select_tile(index)
        self.open_sources(ids, first_index=index)

    @Slot(int, int)
    def swap_tiles(self, a: int, b: int) -> None:
        """Exchange the feeds of two tiles (a tile dragged onto another)."""
        ta, tb = self.tiles[a], self.tiles[b]
        sa, na, sta = ta.source_id, ta.name, ta.stats
        sb, nb, stb = tb.source_id, tb.name, tb.stats
        sink_a, sink_b = ta.clear_source(), tb.clear_source()
        for tile, sid, name, sink, stats in ((tb, sa, na, sink_a, sta), (ta, sb, nb, sink_b, stb)):
            if sid is not None and sink is not None:
                tile.show_sink(sid, name, sink)
                size = tile.sink_size()
                sink.set_size(size.width(), size.height())
                if stats is not None:
                    tile.set_stats(stats)
        self.select_tile(b)
        self._changed()

    @Slot(int)
    def close_tile(self, index: int) -> None:
        """Stop showing tile ``index``'s feed."""
        tile = self.tiles[index]
        if tile.source_id is not None:
            self._clear(tile)
            self._changed()

    def set_caption(self, source_id: int, text: str) -> None:
        """Show a live transcript caption under every tile showing ``source_id``."""
        for tile in self.tiles:
            if tile.source_id == source_id:
                tile.set_caption(text)

    def clear(self) -> None:
        """Close every tile (before the media service stops)."""
        for tile in self.tiles:
            self._clear(tile)

    # ------------------------------------------------------------------ updates
    @Slot(object)
    @Slot()
    def _pull_frames(self) -> None:
        if not self.isVisible():
            return
        for tile in self.tiles:
            if tile.sink is not None and tile.isVisible():
                tile.pull_frame()

    def _stats_updated(self, stats: dict[int, SourceStats]) -> None:
        for tile in self.visible_tiles():
            if tile.source_id is not None:
                st = stats.get(tile.source_id)
                if st is not None:
                    tile.set_stats(st)
                else:
                    tile.update_overlay()

    @Slot()
    def _directory_changed(self) -> None:
        self.source_list.set_directory(self.media.directory)

    @Slot(bool)
    def _toggle_sources(self, on: bool) -> None:
        self.source_list.setVisible(on)

    # ------------------------------------------------------------------ capture
    def _selected_source(self, index: int) -> int | None:
        if not 0 <= index < len(self.tiles):
            return None
        sid = self.tiles[index].source_id
        if sid is None:
            self._say(self.tr("Select a tile with video first"))
        return sid

    @Slot(int)
    def snapshot(self, index: int) -> None:
        """Save tile ``index``'s current picture as evidence."""
        sid = self._selected_source(index)
        if sid is not None:
            self.media.snapshot(sid, incident_id=self.incident_id)

    @Slot(int)
    def clip(self, index: int) -> None:
        """Save a clip around now from tile ``index``'s source as evidence."""
        sid = self._selected_source(index)
        if sid is not None:
            before, after = self.tiles[index].clip_seconds
            self.media.clip(sid, before, after, incident_id=self.incident_id)
            self._say(self.tr("Recording clip: %1 s more").replace("%1", str(after)))

    @Slot(object)
    def _capture_done(self, capture: Capture) -> None:
        text = self.tr("Snapshot saved") if capture.kind is EvidenceKind.SNAPSHOT \
            else self.tr("Clip saved")
        self._say(f"{text} (SHA-256 {capture.sha256[:12]}…)")

    @Slot(int, str)
    def _capture_failed(self, source_id: int, reason: str) -> None:
        self._say(self.tr("Capture failed: %1").replace("%1", reason))

    # ------------------------------------------------------------------ layouts
    def wall_layout(self) -> WallLayout:
        """Grid, sources and maximised tile now."""
        return WallLayout(self.grid, tuple(self.shown_sources()), self.maximised)

    def restore_layout(self, layout: WallLayout) -> None:
        """Show ``layout`` (sources this console does not know stay empty)."""
        self.maximised = None
        self.set_grid(layout.grid)
        for tile, sid in zip(self.visible_tiles(), layout.tiles, strict=False):
            if sid is None:
                self._clear(tile)
            elif self.media.spec(sid) is not None:
                self.open_source(sid, tile.index)
        if layout.maximised is not None and layout.maximised < len(GRIDS[self.grid]):
            self.toggle_maximise(layout.maximised)
        self._changed()

    def _changed(self) -> None:
        self.layout_changed.emit(self.wall_layout())
        if self.store is not None:
            self._save_timer.start()

    @Slot()
    def _save_current(self) -> None:
        if self.store is None:
            return
        self.store.current = self.wall_layout()
        try:
            self.store.save()
        except OSError as exc:
            log.warning("cannot save the wall layout: %s", exc)

    def _fill_presets(self) -> None:
        menu = self.presets_menu
        menu.clear()
        store = self.store
        if store is None:
            return
        for name in sorted(store.presets):
            action = menu.addAction(name)
            action.triggered.connect(lambda _=False, n=name: self.load_preset(n))
        if store.presets:
            menu.addSeparator()
        save = menu.addAction(self.tr("Save layout as…"))
        save.triggered.connect(self._ask_preset_name)
        if store.presets:
            remove = menu.addMenu(self.tr("Delete saved layout"))
            for name in sorted(store.presets):
                action = remove.addAction(name)
                action.triggered.connect(lambda _=False, n=name: store.remove_preset(n))

    def load_preset(self, name: str) -> bool:
        """Show a saved layout; False if there is none of that name."""
        if self.store is None or name not in self.store.presets:
            return False
        self.restore_layout(self.store.presets[name])
        return True

    def save_preset(self, name: str) -> None:
        """Save the current layout under ``name``."""
        if self.store is None:
            return
        try:
            self.store.set_preset(name, self.wall_layout())
        except (ValueError, OSError) as exc:
            self._say(str(exc))

    @Slot()
    def _ask_preset_name(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Save layout"), self.tr("Layout name:"))
        if ok and name.strip():
            self.save_preset(name)
