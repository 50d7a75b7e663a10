"""Live read models: a query run off the UI thread whenever its tables change.

A :class:`LiveQuery` runs its loader on the shared reader pool when the database writer
reports a commit touching one of its tables (or on a poll timer, for databases that other
consoles write too), and hands the rows to the UI thread through ``loaded``. Requests that
arrive while a load is running are coalesced into one more load.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("app.live_query")


class LiveQuery(QObject):
    """Rows of one query, kept fresh. Create and use it on the UI thread.

    Signals:
        loaded(object): the new list of rows.
        failed(str): the load failed (the message is logged too); the last rows stay shown.
    """

    loaded = Signal(object)
    failed = Signal(str)
    _done = Signal(object, float)
    _error = Signal(str)

    def __init__(
        self,
        name: str,
        loader: Callable[[Session], list[Any]],
        factory: sessionmaker[Session],
        executor: Executor,
        *,
        tables: Iterable[str],
        poll_s: float | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self._loader = loader
        self._factory = factory
        self._executor = executor
        self.tables = frozenset(tables)
        self._running = False
        self._dirty = False
        self.rows: list[Any] = []
        self.last_load_ms = 0.0
        self._done.connect(self._on_done)
        self._error.connect(self._on_error)
        self._timer: QTimer | None = None
        if poll_s:
            self._timer = QTimer(self)
            self._timer.setInterval(int(poll_s * 1000))
            self._timer.timeout.connect(self.refresh)
            self._timer.start()

    @Slot()
    def refresh(self) -> None:
        """Load again (now, or right after the load in progress)."""
        if self._running:
            self._dirty = True
            return
        self._running = True
        self._dirty = False
        try:
            self._executor.submit(self._load)
        except RuntimeError:  # executor shut down: the console is closing
            self._running = False

    @Slot(object)
    def on_data_changed(self, tables: frozenset[str]) -> None:
        """Refresh when a commit touched one of this query's tables."""
        if self.tables & tables:
            self.refresh()

    def stop(self) -> None:
        """Stop polling."""
        if self._timer is not None:
            self._timer.stop()

    def _load(self) -> None:  # reader thread
        t0 = time.perf_counter()
        try:
            with self._factory() as session:
                rows = self._loader(session)
        except Exception as exc:
            log.exception("loading %s failed", self.name)
            self._emit(self._error, f"{type(exc).__name__}: {exc}")
            return
        self._emit(self._done, rows, (time.perf_counter() - t0) * 1000)

    def _emit(self, signal: Any, *args: Any) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the QObject is gone (window closed while loading)
            log.debug("%s: result dropped, receiver deleted", self.name)

    @Slot(object, float)
    def _on_done(self, rows: list[Any], ms: float) -> None:
        self._running = False
        self.rows = rows
        self.last_load_ms = ms
        self.loaded.emit(rows)
        if self._dirty:
            self.refresh()

    @Slot(str)
    def _on_error(self, message: str) -> None:
        self._running = False
        self.failed.emit(message)
        if self._dirty:
            self.refresh()
