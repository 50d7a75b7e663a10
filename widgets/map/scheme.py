"""The ``cedc:`` URL scheme that serves the map page and its assets from resources/.

URLs have the path syntax (``cedc:/map/index.html``): the page, every script, style sheet and
image under ``resources/map/``, Qt's ``qwebchannel.js`` and, when a tile file is configured, the
base-map tiles (``cedc:/map/tiles/{z}/{x}/{y}``). Nothing is fetched from anywhere else.

* Resource files are read once and then served from memory.
* Tiles are read by :class:`TileWorker` on its own thread; the UI thread only hands the
  request over and replies when the bytes come back (a missing tile gets a transparent PNG).
"""

from __future__ import annotations

import itertools
import logging
import mimetypes
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QFile, QIODevice, QObject, QThread, Signal, Slot
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from app.geo.tiles import TileFileError, TileInfo, TileSource, open_tile_file

log = logging.getLogger("widgets.map.scheme")

SCHEME = b"cedc"
#: URL prefix of everything the map serves.
BASE_URL = "cedc:/map/"
#: Where the files behind ``cedc:/map/`` live.
RESOURCE_ROOT = Path(__file__).resolve().parents[2] / "resources" / "map"
QWEBCHANNEL_PATH = "/map/qwebchannel.js"
TILE_PREFIX = "/map/tiles/"

_registered = False

# 1×1 transparent PNG: the answer for a tile the file does not hold (no error in the page).
EMPTY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000b49444154"
    "789c6360000200000500017a5eab3f0000000049454e44ae426082")

_MIME = {
    ".html": b"text/html; charset=utf-8",
    ".js": b"text/javascript; charset=utf-8",
    ".css": b"text/css; charset=utf-8",
    ".json": b"application/json",
    ".geojson": b"application/geo+json",
    ".png": b"image/png",
    ".svg": b"image/svg+xml",
    ".woff2": b"font/woff2",
}


def register_scheme() -> None:
    """Register the scheme; must run before the QApplication exists. Idempotent."""
    global _registered
    if _registered:
        return
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Path)
    scheme.setFlags(
        QWebEngineUrlScheme.Flag.SecureScheme
        | QWebEngineUrlScheme.Flag.LocalScheme
        | QWebEngineUrlScheme.Flag.LocalAccessAllowed
        | QWebEngineUrlScheme.Flag.CorsEnabled
    )
    QWebEngineUrlScheme.registerScheme(scheme)
    _registered = True


def mime_type(path: str) -> bytes:
    """Content type for a served path."""
    suffix = Path(path).suffix.lower()
    if suffix in _MIME:
        return _MIME[suffix]
    guess = mimetypes.guess_type(path)[0]
    return (guess or "application/octet-stream").encode()


class TileWorker(QObject):
    """Reads tiles from a tile file on its own thread.

    Signals:
        opened(object): the file's :class:`~app.geo.tiles.TileInfo`.
        failed(str): the file cannot be used (why, in English, for the log).
        tile_ready(int, object): request number and the tile bytes (None: not in the file).
    """

    opened = Signal(object)
    failed = Signal(str)
    tile_ready = Signal(int, object)

    def __init__(self) -> None:
        super().__init__()
        self._source: TileSource | None = None

    @Slot(str)
    def open(self, path: str) -> None:
        """Open ``path`` (MBTiles or PMTiles)."""
        try:
            self._source = open_tile_file(path)
        except TileFileError as exc:
            self.failed.emit(str(exc))
            return
        self.opened.emit(self._source.info)

    @Slot(int, int, int, int)
    def fetch(self, request: int, z: int, x: int, y: int) -> None:
        """Read one tile and answer with :attr:`tile_ready`."""
        data: bytes | None = None
        if self._source is not None:
            try:
                data = self._source.tile(z, x, y)
            except Exception:  # a damaged file must not kill the worker
                log.exception("reading tile %d/%d/%d failed", z, x, y)
        self.tile_ready.emit(request, data)

    @Slot()
    def close(self) -> None:
        """Close the file (call on the worker thread before it stops)."""
        if self._source is not None:
            self._source.close()
            self._source = None


class MapSchemeHandler(QWebEngineUrlSchemeHandler):
    """Serves ``cedc:/map/…`` from resources/map, in-memory documents and a tile file.

    Signals:
        tile_file_opened(object): the tile file is readable; its
            :class:`~app.geo.tiles.TileInfo`.
        tile_file_failed(str): the tile file cannot be used (reason, English).
    """

    tile_file_opened = Signal(object)
    tile_file_failed = Signal(str)
    _fetch = Signal(int, int, int, int)
    _open = Signal(str)
    _close = Signal()

    def __init__(self, parent: QObject | None = None, root: Path = RESOURCE_ROOT) -> None:
        super().__init__(parent)
        self._root = root.resolve()
        self._cache: dict[str, bytes] = {}
        self._documents: dict[str, tuple[bytes, bytes]] = {}
        self._jobs: dict[int, QWebEngineUrlRequestJob] = {}
        self._numbers = itertools.count(1)
        self._thread: QThread | None = None
        self._worker: TileWorker | None = None
        self._tile_mime = b"image/png"
        self.served: list[str] = []  # paths served, newest last (bounded), for diagnostics

    # ------------------------------------------------------------------ configuration
    def set_document(self, path: str, data: bytes, mime: bytes) -> None:
        """Serve ``data`` at ``path`` (e.g. ``/map/index.html``) from memory."""
        self._documents[path] = (data, mime)

    def open_tile_file(self, path: str) -> None:
        """Start the tile worker thread and open ``path`` there (answers by signal)."""
        self.shutdown()
        thread = QThread(self)
        thread.setObjectName("map-tiles")
        worker = TileWorker()
        worker.moveToThread(thread)
        thread.finished.connect(worker.deleteLater)
        self._fetch.connect(worker.fetch)
        self._open.connect(worker.open)
        self._close.connect(worker.close)
        worker.tile_ready.connect(self._on_tile)
        worker.opened.connect(self._on_opened)
        worker.failed.connect(self.tile_file_failed)
        self._thread, self._worker = thread, worker
        thread.start()
        self._open.emit(path)

    def shutdown(self) -> None:
        """Stop the tile worker thread (idempotent); pending tile requests are failed."""
        if self._thread is None:
            return
        self._close.emit()
        self._thread.quit()
        self._thread.wait()
        for job in self._jobs.values():
            if shiboken6.isValid(job):
                job.fail(QWebEngineUrlRequestJob.Error.RequestAborted)
        self._jobs.clear()
        self._thread = None
        self._worker = None

    @Slot(object)
    def _on_opened(self, info: TileInfo) -> None:
        self._tile_mime = info.mime.encode()
        self.tile_file_opened.emit(info)

    # ------------------------------------------------------------------ requests
    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        """Answer one request (UI thread)."""
        url = job.requestUrl()
        path = url.path()
        if job.requestMethod() != b"GET":
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        if len(self.served) > 500:
            del self.served[:250]
        self.served.append(path)
        doc = self._documents.get(path)
        if doc is not None:
            self._reply(job, doc[1], doc[0])
        elif path.startswith(TILE_PREFIX):
            self._tile_request(job, path)
        elif path == QWEBCHANNEL_PATH:
            self._reply(job, _MIME[".js"], self._qwebchannel())
        elif path.startswith("/map/"):
            data = self._resource(path[len("/map/"):])
            if data is None:
                log.warning("map resource not found: %s", url.toString())
                job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            else:
                self._reply(job, mime_type(path), data)
        else:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)

    @staticmethod
    def _reply(job: QWebEngineUrlRequestJob, mime: bytes, data: bytes) -> None:
        buf = QBuffer(job)
        buf.setData(QByteArray(data))
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(mime, buf)

    def _resource(self, rel: str) -> bytes | None:
        data = self._cache.get(rel)
        if data is not None:
            return data
        target = (self._root / rel).resolve()
        if not target.is_relative_to(self._root) or not target.is_file():
            return None
        data = target.read_bytes()
        self._cache[rel] = data
        return data

    def _qwebchannel(self) -> bytes:
        data = self._cache.get(QWEBCHANNEL_PATH)
        if data is None:
            f = QFile(":/qtwebchannel/qwebchannel.js")
            if not f.open(QIODevice.OpenModeFlag.ReadOnly):  # pragma: no cover - Qt packaging
                raise RuntimeError("Qt's qwebchannel.js resource is missing")
            data = bytes(f.readAll().data())
            f.close()
            self._cache[QWEBCHANNEL_PATH] = data
        return data

    def _tile_request(self, job: QWebEngineUrlRequestJob, path: str) -> None:
        try:
            z, x, y = (int(v) for v in path[len(TILE_PREFIX):].split("/"))
        except ValueError:
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        if self._worker is None:
            self._reply(job, b"image/png", EMPTY_PNG)
            return
        number = next(self._numbers)
        self._jobs[number] = job
        job.destroyed.connect(lambda *_: self._jobs.pop(number, None))
        self._fetch.emit(number, z, x, y)

    @Slot(int, object)
    def _on_tile(self, number: int, data: Any) -> None:
        job = self._jobs.pop(number, None)
        if job is None or not shiboken6.isValid(job):
            return
        if data is None:
            self._reply(job, b"image/png", EMPTY_PNG)
        else:
            self._reply(job, self._tile_mime, data)
