"""Pictures for tiles: scaled on the reader thread into reused buffers, taken by the UI.

A :class:`FrameSink` is one tile's view of a source. The reader thread scales each picture
to the sink's size (OpenCV, aspect kept) into one of three reused buffers and signals the UI;
the UI thread takes the newest picture when it gets round to it. If the UI is busy, newer
pictures replace older untaken ones (a stale picture is dropped, never queued), and at most
one ``frame_ready`` is in flight per sink.

Triple buffering: one buffer is held by the UI (being shown), one holds the newest untaken
picture, and the reader writes into the third, so nobody ever writes a buffer being painted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from app.media.reader import FrameMeta


def fit_size(src_w: int, src_h: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The largest size with the source's aspect ratio that fits the box (at least 1×1)."""
    if src_w <= 0 or src_h <= 0 or box_w <= 0 or box_h <= 0:
        return max(box_w, 1), max(box_h, 1)
    scale = min(box_w / src_w, box_h / src_h)
    return max(1, round(src_w * scale)), max(1, round(src_h * scale))


@dataclass(frozen=True, slots=True)
class TileFrame:
    """A picture ready to paint: ``image`` wraps ``buffer`` (kept alive with it)."""

    image: QImage
    meta: FrameMeta
    buffer: np.ndarray


class FrameSink(QObject):
    """One tile's pictures of one source. Create on the UI thread.

    Args:
        source_id: the source.
        width, height: the box the pictures must fit (device pixels).

    Signals:
        frame_ready(): a new picture can be taken with :meth:`take` (emitted from the
            reader thread; at most one is pending at a time).
    """

    frame_ready = Signal()

    def __init__(self, source_id: int, width: int, height: int,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source_id = source_id
        self._lock = threading.Lock()
        self._box = (max(width, 1), max(height, 1))
        self._buffers: list[np.ndarray] = []
        self._generation = 0
        self._held: int | None = None
        self._latest: int | None = None
        self._latest_meta: FrameMeta | None = None
        self._pending = False
        self._closed = False
        self.published = 0
        self.taken = 0

    def set_size(self, width: int, height: int) -> None:
        """Fit later pictures into ``width`` × ``height`` (any thread)."""
        with self._lock:
            self._box = (max(width, 1), max(height, 1))

    def close(self) -> None:
        """Take no more pictures and send no more signals (the tile let go)."""
        with self._lock:
            self._closed = True

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def size(self) -> tuple[int, int]:
        """The box pictures are fitted into."""
        return self._box

    # ------------------------------------------------------------------ reader thread
    def publish(self, bgra: np.ndarray, meta: FrameMeta) -> None:
        """Scale a full-size BGRA picture into a free buffer and tell the UI."""
        src_h, src_w = bgra.shape[:2]
        with self._lock:
            if self._closed:
                return
            w, h = fit_size(src_w, src_h, *self._box)
            if not self._buffers or self._buffers[0].shape[:2] != (h, w):
                # new size: fresh buffers; the UI keeps its held one alive through TileFrame
                self._buffers = [np.empty((h, w, 4), np.uint8) for _ in range(3)]
                self._generation += 1
                self._held = self._latest = None
            index = next(i for i in range(3) if i not in (self._held, self._latest))
            buf = self._buffers[index]
            generation = self._generation
        if (w, h) == (src_w, src_h):
            np.copyto(buf, bgra)
        else:
            shrink = w < src_w * 0.5
            cv2.resize(bgra, (w, h), dst=buf,
                       interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
        with self._lock:
            if generation != self._generation or self._closed:
                return  # resized meanwhile (this picture is for the old size), or closed
            self._latest = index
            self._latest_meta = meta
            self.published += 1
            notify = not self._pending
            self._pending = True
        if notify:
            self.frame_ready.emit()

    # ------------------------------------------------------------------ UI thread
    def take(self) -> TileFrame | None:
        """The newest picture, or None if there is none new since the last take."""
        with self._lock:
            self._pending = False
            if self._latest is None or self._latest_meta is None:
                return None
            self._held, self._latest = self._latest, None
            buf = self._buffers[self._held]
            meta = self._latest_meta
            self.taken += 1
        h, w = buf.shape[:2]
        image = QImage(buf.data, w, h, int(buf.strides[0]), QImage.Format.Format_RGB32)
        return TileFrame(image, meta, buf)
