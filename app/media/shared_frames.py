"""Pictures across processes: a media worker scales into shared memory, the UI takes them.

Decoding sixteen feeds takes the interpreter lock thousands of times a second; in the UI's
own process that starved the Qt main thread (input waited seconds, see bench/startup.py). So
the readers run in a worker process (:mod:`app.media.worker`) and hand pictures over through
one shared-memory segment per tile:

* a header of 64-bit integers (layout below) and three picture buffers, each big enough for
  :data:`MAX_W` × :data:`MAX_H` BGRA pixels;
* the worker (:class:`SharedFrameWriter`, a reader's frame consumer) scales each picture to
  the box the UI asked for into a buffer that is neither the newest nor the one the UI holds,
  bracketing the write with a sequence number that is odd while writing (a seqlock), then
  makes it the newest;
* the UI (:class:`SharedFrameSink`, the same interface as :class:`~app.media.frames.FrameSink`)
  copies the newest buffer into memory of its own when it paints and checks that the sequence
  number did not move meanwhile; a torn copy is dropped, never shown.

No call crosses the processes per picture: the UI polls on its paint clock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import time
from multiprocessing import shared_memory

import cv2
import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from app.media.frames import TileFrame, fit_size
from app.media.reader import FrameMeta

#: The largest picture a tile gets (a maximised tile on a 1080p wall screen).
MAX_W, MAX_H = 1920, 1080
BUFFERS = 3
_HEADER = 64  # int64 slots
# header slots
_VERSION, _BOX_W, _BOX_H, _LATEST, _PUBLISHED, _CLOSED, _HELD = range(7)
_SEQ, _W, _H, _FSEQ, _PTS_US, _UTC_US, _SRC_W, _SRC_H = (8 + 3 * k for k in range(8))
VERSION = 1


def segment_size() -> int:
    """Bytes of one tile's segment."""
    return _HEADER * 8 + BUFFERS * MAX_W * MAX_H * 4


def _views(shm: shared_memory.SharedMemory) -> tuple[np.ndarray, list[np.ndarray]]:
    header = np.ndarray((_HEADER,), np.int64, shm.buf, 0)
    size = MAX_W * MAX_H * 4
    bufs = [np.ndarray((size,), np.uint8, shm.buf, _HEADER * 8 + i * size) for i in range(BUFFERS)]
    return header, bufs


class SharedFrameSink(QObject):
    """The UI side of one tile's segment (it creates and owns the segment).

    Same interface as :class:`~app.media.frames.FrameSink`; ``frame_ready`` is never emitted
    (nothing crosses the processes per picture): the wall's paint clock calls :meth:`take`.
    """

    frame_ready = Signal()

    def __init__(self, source_id: int, width: int, height: int,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source_id = source_id
        self.name = f"cedc-{secrets.token_hex(6)}"
        self._shm = shared_memory.SharedMemory(self.name, create=True, size=segment_size())
        self._header, self._bufs = _views(self._shm)
        self._header[:] = 0
        self._header[_LATEST] = -1
        self._header[_HELD] = -1
        self._header[_VERSION] = VERSION
        self._last_seq = -1
        self._own: list[np.ndarray | None] = [None, None]
        self._flip = 0
        self._closed = False
        self.taken = 0
        self.set_size(width, height)

    @property
    def published(self) -> int:
        """Pictures the worker wrote into the segment."""
        return 0 if self._closed else int(self._header[_PUBLISHED])

    @property
    def size(self) -> tuple[int, int]:
        """The box pictures are fitted into."""
        return (int(self._header[_BOX_W]), int(self._header[_BOX_H])) if not self._closed \
            else (0, 0)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def set_size(self, width: int, height: int) -> None:
        """Fit later pictures into ``width`` × ``height`` (capped at the segment's room)."""
        if self._closed:
            return
        w, h = max(width, 1), max(height, 1)
        if w > MAX_W or h > MAX_H:
            w, h = fit_size(w, h, MAX_W, MAX_H)
        self._header[_BOX_W] = w
        self._header[_BOX_H] = h

    def take(self) -> TileFrame | None:
        """The newest picture, or None if there is none new since the last take."""
        if self._closed:
            return None
        hd = self._header
        i = int(hd[_LATEST])
        if i < 0:
            return None
        s1 = int(hd[_SEQ + i])
        if s1 == self._last_seq or s1 % 2:
            return None
        hd[_HELD] = i
        w, h = int(hd[_W + i]), int(hd[_H + i])
        if w <= 0 or h <= 0:
            return None
        n = w * h * 4
        own = self._own[self._flip]
        if own is None or own.size != n:
            own = np.empty(n, np.uint8)
            self._own[self._flip] = own
        np.copyto(own, self._bufs[i][:n])
        if int(hd[_SEQ + i]) != s1:  # overwritten while copying: skip it, the next one comes
            return None
        self._flip ^= 1
        self._last_seq = s1
        self.taken += 1
        pts = int(hd[_PTS_US + i])
        meta = FrameMeta(self.source_id, int(hd[_FSEQ + i]), None if pts < 0 else pts / 1e6,
                         time.perf_counter(),
                         dt.datetime.fromtimestamp(int(hd[_UTC_US + i]) / 1e6, dt.UTC),
                         int(hd[_SRC_W + i]), int(hd[_SRC_H + i]))
        pixels = own.reshape(h, w, 4)
        image = QImage(pixels.data, w, h, w * 4, QImage.Format.Format_RGB32)
        return TileFrame(image, meta, pixels)

    def close(self) -> None:
        """Take no more pictures; the worker stops writing and the segment is freed."""
        if self._closed:
            return
        self._header[_CLOSED] = 1
        self._closed = True
        del self._header, self._bufs
        self._shm.close()
        with contextlib.suppress(FileNotFoundError):  # already gone
            self._shm.unlink()

    def publish(self, bgra: np.ndarray, meta: FrameMeta) -> None:
        """Write a picture into the segment from this process (a reader here, tests)."""
        if not self._closed:
            _write(self._header, self._bufs, bgra, meta)


class SharedFrameWriter:
    """The worker side of one tile's segment: a reader's frame consumer."""

    def __init__(self, name: str) -> None:
        self._shm = shared_memory.SharedMemory(name, create=False)
        # Python < 3.13 would have this process's resource tracker unlink the UI's segment
        # when the worker exits: the segment belongs to the UI side, which unlinks it.
        try:
            from multiprocessing import resource_tracker

            resource_tracker.unregister(self._shm._name, "shared_memory")  # type: ignore[attr-defined]
        except (ImportError, AttributeError, KeyError):  # pragma: no cover - newer Pythons
            pass
        self._header, self._bufs = _views(self._shm)
        if int(self._header[_VERSION]) != VERSION:
            raise ValueError(f"segment {name}: version {int(self._header[_VERSION])}, "
                             f"expected {VERSION}")
        self.published = 0

    @property
    def closed(self) -> bool:
        """Whether the UI let go of the tile."""
        return bool(self._header[_CLOSED])

    def publish(self, bgra: np.ndarray, meta: FrameMeta) -> None:
        """Scale a full-size BGRA picture into a free buffer and make it the newest."""
        if _write(self._header, self._bufs, bgra, meta):
            self.published += 1

    def close(self) -> None:
        """Let go of the segment (the UI side unlinks it)."""
        del self._header, self._bufs
        self._shm.close()


def _write(hd: np.ndarray, bufs: list[np.ndarray], bgra: np.ndarray, meta: FrameMeta) -> bool:
    """Scale a full-size BGRA picture into a free buffer and make it the newest."""
    if hd[_CLOSED]:
        return False
    src_h, src_w = bgra.shape[:2]
    w, h = fit_size(src_w, src_h, int(hd[_BOX_W]), int(hd[_BOX_H]))
    w, h = min(w, MAX_W), min(h, MAX_H)
    latest, held = int(hd[_LATEST]), int(hd[_HELD])
    i = next(k for k in range(BUFFERS) if k not in (latest, held))
    hd[_SEQ + i] += 1  # odd: being written
    dst = bufs[i][: w * h * 4].reshape(h, w, 4)
    if (w, h) == (src_w, src_h):
        np.copyto(dst, bgra)
    else:
        cv2.resize(bgra, (w, h), dst=dst,
                   interpolation=cv2.INTER_AREA if w < src_w * 0.5 else cv2.INTER_LINEAR)
    hd[_W + i], hd[_H + i] = w, h
    hd[_FSEQ + i] = meta.seq
    hd[_PTS_US + i] = -1 if meta.pts_s is None else round(meta.pts_s * 1e6)
    hd[_UTC_US + i] = round(meta.utc.timestamp() * 1e6)
    hd[_SRC_W + i], hd[_SRC_H + i] = src_w, src_h
    hd[_SEQ + i] += 1  # even: complete
    hd[_LATEST] = i
    hd[_PUBLISHED] += 1
    return True
