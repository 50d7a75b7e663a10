"""One tile of the video wall: the picture, an overlay, and the "signal lost" state.

Pictures arrive already scaled to the tile on the source's worker thread (see
``app.media.frames``); painting one is a plain blit. The overlay (name, state, fps, Beijing
clock) is drawn into two small cached pixmaps when its text changes, not on every picture.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QMimeData,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDrag,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget

from app.i18n import QT_TRANSLATE_NOOP
from app.labels import SHANGHAI
from app.media.frames import FrameSink, TileFrame
from app.media.shared_frames import SharedFrameSink
from app.media.types import SourceState, SourceStats
from app.media.wallstate import ENTITY_MIME, EntityRef, encode_entity, parse_entity
from models.clock import utcnow

#: MIME type of a tile being dragged to another tile (its index, as text).
TILE_MIME = "application/x-cedc-tile"

_STATE_TEXT = {
    SourceState.CONNECTING: QT_TRANSLATE_NOOP("VideoTile", "Connecting"),
    SourceState.LIVE: QT_TRANSLATE_NOOP("VideoTile", "Live"),
    SourceState.STALLED: QT_TRANSLATE_NOOP("VideoTile", "Stalled"),
    SourceState.LOST: QT_TRANSLATE_NOOP("VideoTile", "Signal lost"),
    SourceState.CLOSED: QT_TRANSLATE_NOOP("VideoTile", "Closed"),
}
_STATE_COLOUR = {
    SourceState.CONNECTING: QColor("#f0a000"),
    SourceState.LIVE: QColor("#3ccf5a"),
    SourceState.STALLED: QColor("#f0a000"),
    SourceState.LOST: QColor("#ff4040"),
    SourceState.CLOSED: QColor("#9e9e9e"),
}
_BAR_BG = QColor(0, 0, 0, 150)


def state_text(state: SourceState) -> str:
    """Translated name of a source state."""
    return QCoreApplication.translate("VideoTile", _STATE_TEXT[state])


def wrap_tail(text: str, fm: QFontMetrics, width: int, max_lines: int) -> list[str]:
    """The end of ``text`` wrapped into at most ``max_lines`` lines of ``width`` pixels.

    Lines break between any two characters (Chinese has no spaces). When older text does not
    fit, the first line starts with "…".
    """
    lines: list[str] = []
    end = len(text)
    while end > 0 and len(lines) < max_lines:
        start = end
        while start > 0 and fm.horizontalAdvance(text[start - 1:end]) <= width:
            start -= 1
        if start == end:  # one glyph wider than the line
            start = end - 1
        lines.insert(0, text[start:end])
        end = start
    if end > 0 and lines:
        first = lines[0]
        while first and fm.horizontalAdvance("…" + first) > width:
            first = first[1:]
        lines[0] = "…" + first
    return lines


class PaintStats:
    """Decode-to-paint delays and painted pictures, for the benchmark and diagnostics."""

    def __init__(self, keep: int = 20_000) -> None:
        self.delays_ms: deque[float] = deque(maxlen=keep)
        self.painted = 0

    def add(self, delay_ms: float) -> None:
        """Record one painted picture."""
        self.painted += 1
        self.delays_ms.append(delay_ms)


class VideoTile(QWidget):
    """Shows one source (or an empty slot that accepts drops).

    A tile does not paint itself: its container paints every tile it holds in one pass
    (:meth:`paint_content`), so a wall of 16 tiles costs the UI thread one Python call per
    repaint, not sixteen (see ``widgets.video_wall.WallCanvas``). The tile is see-through to
    its container: ``update()`` on a tile repaints that tile's part of the container.
    :class:`SingleVideoTile` is a tile that paints itself, for use on its own.

    Args:
        index: position on the wall.

    Signals:
        entity_dropped(int, object): tile index and the dropped EntityRef.
        tile_moved(int, int): a tile was dragged from the first index onto the second.
        maximise_toggled(int): double-click on the tile.
        selected(int): the tile was clicked.
        snapshot_requested(int): tile index (context menu).
        clip_requested(int): tile index (context menu).
        close_requested(int): tile index (context menu).
    """

    entity_dropped = Signal(int, object)
    tile_moved = Signal(int, int)
    maximise_toggled = Signal(int)
    selected = Signal(int)
    snapshot_requested = Signal(int)
    clip_requested = Signal(int)
    close_requested = Signal(int)

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.setObjectName(f"videoTile{index}")
        self.setAcceptDrops(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(80, 45)
        self.source_id: int | None = None
        self.name = ""
        self.sink: FrameSink | SharedFrameSink | None = None
        self.frame: TileFrame | None = None
        self.stats: SourceStats | None = None
        self.is_selected = False
        self.maximised = False
        self.paint_stats: PaintStats | None = None
        #: paint events that drew a picture not painted before (the tile's real frame rate)
        self.frames_painted = 0
        #: pictures are pulled by the wall's paint clock (:meth:`pull_frame`), not pushed
        self.paced = False
        self._pushed = False
        self.clip_seconds = (30, 10)
        self._fresh = False
        self._press: QPoint | None = None
        self._top: QPixmap | None = None
        self._bottom: QPixmap | None = None
        self._overlay_key: tuple[object, ...] = ()
        self.caption = ""
        self._caption_key: tuple[object, ...] = ()
        self._caption_cache: list[str] = []
        self._clock_fn: Callable[[], dt.datetime] = utcnow

    # ------------------------------------------------------------------ content
    def sink_size(self) -> QSize:
        """The picture box in device pixels."""
        ratio = self.devicePixelRatioF()
        return QSize(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)))

    def show_sink(self, source_id: int, name: str,
                  sink: FrameSink | SharedFrameSink) -> None:
        """Show pictures from ``sink`` (the wall attached it)."""
        self.clear_source()
        self.source_id, self.name, self.sink = source_id, name, sink
        self._update_tooltip()
        if not self.paced:
            sink.frame_ready.connect(self._on_frame)
            self._pushed = True
        self.stats = SourceStats(SourceState.CONNECTING)
        self._overlay_key = ()
        self.update()

    def clear_source(self) -> FrameSink | SharedFrameSink | None:
        """Stop showing the source; returns the sink for the wall to detach."""
        self.caption = ""
        sink, self.sink = self.sink, None
        if sink is not None and self._pushed:
            sink.frame_ready.disconnect(self._on_frame)
        self._pushed = False
        self.source_id, self.name, self.frame, self.stats = None, "", None, None
        self._update_tooltip()
        self._overlay_key = ()
        self.update()
        return sink

    def set_caption(self, text: str) -> None:
        """Live transcript caption shown under the picture (empty: none)."""
        if text != self.caption:
            self.caption = text
            self._update_tooltip()
            self.update()

    def _update_tooltip(self) -> None:
        # the title and caption are elided on a small tile: the tooltip has them in full
        self.setToolTip("\n".join(t for t in (self.name, self.caption) if t))

    def set_stats(self, stats: SourceStats) -> None:
        """New state and measurements (the overlay is redrawn if its text changed)."""
        self.stats = stats
        self.update_overlay()

    def set_selected(self, selected: bool) -> None:
        """Highlight as the tile that toolbar actions apply to."""
        if selected != self.is_selected:
            self.is_selected = selected
            self.update()

    @Slot()
    def _on_frame(self) -> None:
        self.pull_frame()

    def pull_frame(self) -> bool:
        """Take the source's newest picture, if there is a new one, and repaint; True if so."""
        sink = self.sink
        if sink is None:
            return False
        frame = sink.take()
        if frame is None:
            return False
        self.frame = frame
        self._fresh = True
        self.update()
        return True

    # ------------------------------------------------------------------ overlay
    def update_overlay(self) -> None:
        """Redraw the overlay pixmaps if name, state, fps, clock or size changed."""
        stats = self.stats
        clock = self._clock_fn().astimezone(SHANGHAI).strftime("%H:%M:%S")
        key = (self.name, stats.state if stats else None, round(stats.fps) if stats else 0,
               clock, self.width(), self.height(), self.source_id)
        if key == self._overlay_key:
            return
        self._overlay_key = key
        self._top = self._bottom = None
        if self.source_id is not None:
            self._top = self._draw_top(stats)
            self._bottom = self._draw_bottom(clock)
        self.update()

    def _font(self, scale: float = 1.0) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(max(10, min(16, round(self.height() / 18 * scale))))
        return font

    def _draw_top(self, stats: SourceStats | None) -> QPixmap:
        font = self._font()
        h = font.pixelSize() + 8
        pm = QPixmap(max(self.width(), 1), h)
        pm.fill(_BAR_BG)
        p = QPainter(pm)
        p.setFont(font)
        state = stats.state if stats else SourceState.CONNECTING
        right = state_text(state)
        # a small tile (4×4 in a dock) gives the name the room; larger ones show the rate too
        if stats is not None and state in (SourceState.LIVE, SourceState.STALLED) \
                and self.width() >= 240:
            right += "  " + QCoreApplication.translate("VideoTile", "%1 fps").replace(
                "%1", f"{stats.fps:.0f}")
        fm = p.fontMetrics()
        right_w = fm.horizontalAdvance(right)
        dot = h // 2
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(_STATE_COLOUR[state])
        p.setPen(Qt.PenStyle.NoPen)
        x_dot = pm.width() - right_w - dot - 12
        p.drawEllipse(QRect(x_dot, (h - dot) // 2, dot, dot))
        p.setPen(QColor("white"))
        p.drawText(QRect(x_dot + dot + 4, 0, right_w + 4, h),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, right)
        name = fm.elidedText(self.name, Qt.TextElideMode.ElideRight, max(x_dot - 12, 10))
        p.drawText(QRect(6, 0, max(x_dot - 8, 10), h),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
        p.end()
        return pm

    def _draw_bottom(self, clock: str) -> QPixmap:
        font = self._font(0.9)
        h = font.pixelSize() + 6
        w = QFontMetrics(font).horizontalAdvance(clock) + 12
        pm = QPixmap(w, h)
        pm.fill(_BAR_BG)
        p = QPainter(pm)
        p.setFont(font)
        p.setPen(QColor("white"))
        p.drawText(QRect(0, 0, w, h), Qt.AlignmentFlag.AlignCenter, clock)
        p.end()
        return pm

    # ------------------------------------------------------------------ painting
    def paint_content(self, p: QPainter) -> None:
        """Paint the tile with ``p`` in the tile's own coordinates (the container calls this)."""
        rect = self.rect()
        p.fillRect(rect, QColor("#101418"))
        frame = self.frame
        state = self.stats.state if self.stats else None
        if frame is not None:
            img = frame.image
            ratio = self.devicePixelRatioF()
            w, h = img.width() / ratio, img.height() / ratio
            if abs(w - rect.width()) > 1 and abs(h - rect.height()) > 1:
                # the tile was resized and the next picture is not here yet: scale this one
                scale = min(rect.width() / max(w, 1), rect.height() / max(h, 1))
                w, h = w * scale, h * scale
            target = QRect(round((rect.width() - w) / 2), round((rect.height() - h) / 2),
                           round(w), round(h))
            p.drawImage(target, img)
            if self._fresh:
                self._fresh = False
                self.frames_painted += 1
                if self.paint_stats is not None:
                    self.paint_stats.add((time.perf_counter() - frame.meta.decoded_at) * 1000)
        if self.source_id is None:
            self._paint_hint(p, rect)
        else:
            if state in (SourceState.LOST, SourceState.STALLED) or (
                    frame is None and state in (SourceState.CONNECTING, SourceState.CLOSED)):
                self._paint_banner(p, rect, state)
            if self._top is not None:
                p.drawPixmap(0, 0, self._top)
            if self._bottom is not None:
                p.drawPixmap(rect.width() - self._bottom.width(),
                             rect.height() - self._bottom.height(), self._bottom)
            if self.caption:
                self._paint_caption(p, rect)
        if self.is_selected:
            p.setPen(QPen(QColor("#2f8fff"), 3))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect.adjusted(1, 1, -2, -2))

    def caption_lines(self) -> list[str]:
        """The caption as painted: the newest text, wrapped over the tile's whole width on up
        to two lines (three when maximised), "…" in front when older text is cut."""
        if not self.caption:
            return []
        font = self._font(1.05)
        width = max(self.width() - 8, 12)
        max_lines = 3 if self.maximised else 2
        key = (self.caption, width, font.pixelSize(), max_lines)
        if key != self._caption_key:
            self._caption_key = key
            self._caption_cache = wrap_tail(self.caption, QFontMetrics(font), width, max_lines)
        return list(self._caption_cache)

    def _paint_caption(self, p: QPainter, rect: QRect) -> None:
        lines = self.caption_lines()
        font = self._font(1.05)
        p.setFont(font)
        line_h = p.fontMetrics().height()
        h = line_h * len(lines) + 6
        # across the whole width, just above the clock: a narrow tile still shows a phrase
        bottom = rect.height() - (self._bottom.height() if self._bottom is not None else 0)
        band = QRect(0, bottom - h, rect.width(), h)
        p.fillRect(band, QColor(0, 0, 0, 170))
        p.setPen(QColor("#ffe066"))
        for i, line in enumerate(lines):
            p.drawText(QRect(4, band.top() + 3 + i * line_h, rect.width() - 8, line_h),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, line)

    def _paint_hint(self, p: QPainter, rect: QRect) -> None:
        p.setPen(QPen(QColor("#3a4450"), 1, Qt.PenStyle.DashLine))
        p.drawRect(rect.adjusted(4, 4, -5, -5))
        p.setPen(QColor("#8a97a6"))
        p.setFont(self._font())
        p.drawText(rect.adjusted(12, 12, -12, -12),
                   Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                   self.tr("Drop a camera, venue or unit here"))

    def _paint_banner(self, p: QPainter, rect: QRect, state: SourceState | None) -> None:
        if state is None:
            return
        lost = state is SourceState.LOST
        if self.frame is not None:
            p.fillRect(rect, QColor(0, 0, 0, 150 if lost else 90))
        if lost:
            p.setPen(QPen(QColor("#ff4040"), 4))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect.adjusted(2, 2, -3, -3))
        font = self._font(1.6)
        font.setBold(True)
        p.setFont(font)
        p.setPen(_STATE_COLOUR[state])
        title = state_text(state)
        if lost:
            detail = self.tr("Reconnecting automatically")
            text_rect = rect.adjusted(8, 0, -8, -font.pixelSize())
            p.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, title)
            small = self._font()
            p.setFont(small)
            p.setPen(QColor("#e0e0e0"))
            p.drawText(rect.adjusted(8, font.pixelSize() * 2, -8, 0),
                       Qt.AlignmentFlag.AlignCenter, detail)
        else:
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, title)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.sink is not None:
            size = self.sink_size()
            self.sink.set_size(size.width(), size.height())
        self.update_overlay()

    # ------------------------------------------------------------------ input
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            self.selected.emit(self.index)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or self.source_id is None or not (
                event.buttons() & Qt.MouseButton.LeftButton):
            return
        if (event.position().toPoint() - self._press).manhattanLength() < 12:
            return
        self._press = None
        mime = QMimeData()
        mime.setData(ENTITY_MIME, QByteArray(encode_entity(EntityRef("source",
                                                                     self.source_id))))
        mime.setData(TILE_MIME, QByteArray(str(self.index).encode()))
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.exec(Qt.DropAction.MoveAction | Qt.DropAction.CopyAction)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.maximise_toggled.emit(self.index)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(ENTITY_MIME):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        if event.mimeData().hasFormat(ENTITY_MIME):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        if mime.hasFormat(TILE_MIME):
            try:
                origin = int(bytes(mime.data(TILE_MIME).data()).decode())
            except ValueError:
                origin = -1
            if origin >= 0 and origin != self.index:
                event.acceptProposedAction()
                self.tile_moved.emit(origin, self.index)
                return
        try:
            ref = parse_entity(bytes(mime.data(ENTITY_MIME).data()))
        except ValueError:
            event.ignore()
            return
        event.acceptProposedAction()
        self.entity_dropped.emit(self.index, ref)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.selected.emit(self.index)
        menu = QMenu(self)
        has = self.source_id is not None
        live = has and self.stats is not None and self.stats.state is SourceState.LIVE
        snap = menu.addAction(self.tr("Snapshot"))
        snap.setEnabled(bool(live and self.frame is not None))
        snap.triggered.connect(lambda: self.snapshot_requested.emit(self.index))
        before, after = self.clip_seconds
        clip = menu.addAction(self.tr("Save clip (last %1 s and next %2 s)")
                              .replace("%1", str(before)).replace("%2", str(after)))
        clip.setEnabled(bool(live))
        clip.triggered.connect(lambda: self.clip_requested.emit(self.index))
        menu.addSeparator()
        big = menu.addAction(self.tr("Restore") if self.maximised else self.tr("Maximise"))
        big.triggered.connect(lambda: self.maximise_toggled.emit(self.index))
        close = menu.addAction(self.tr("Close"))
        close.setEnabled(has)
        close.triggered.connect(lambda: self.close_requested.emit(self.index))
        menu.exec(event.globalPos())


class SingleVideoTile(VideoTile):
    """A tile on its own (not in a wall): paints itself."""

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(index, parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        self.paint_content(p)
        p.end()
