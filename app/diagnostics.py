"""How responsive the console is, measured from inside: `--diagnostics FILE`.

A probe thread posts an event to the UI thread every ``interval_s`` and stamps it; the UI
thread answers when it gets to it. The wait is what a key press or a click would wait before
the console starts handling it (input and posted events are served by the same event loop
pass). Once a second the probe writes one JSON line: the waits of that second, the pictures
each video tile has painted so far, the process's resident memory. It also writes a line when
the window is shown and when the map is ready.

Times are ``time.monotonic()`` seconds: on Linux that clock is shared by every process, so a
benchmark that starts the console can compare them with its own.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from PySide6.QtCore import QCoreApplication, QEvent, QObject

from app.priority import Background, lower_this_thread

log = logging.getLogger("app.diagnostics")

_PROBE_EVENT = QEvent.Type(QEvent.registerEventType())


class _Probe(QEvent):
    def __init__(self, sent: float) -> None:
        super().__init__(_PROBE_EVENT)
        self.sent = sent


class UiProbe(QObject):
    """Measures UI-thread latency and writes it with other figures to ``path``.

    Args:
        path: JSON-lines file (replaced).
        painted: returns the pictures painted so far per video tile (only tiles showing a
            source); called on the UI thread.
        interval_s: how often a probe event is posted.
    """

    def __init__(self, path: Path, painted: Callable[[], list[int]] | None = None, *,
                 interval_s: float = 0.05, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._painted = painted or list
        self.interval_s = interval_s
        self._lags: list[float] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._out: TextIO | None = None
        self._last_write = 0.0

    def start(self) -> None:
        """Open the file and start probing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._out = self.path.open("w", encoding="utf-8")
        self.mark("probe_started")
        self._thread = threading.Thread(target=self._run, name="ui-probe", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop probing and close the file."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        if self._out is not None:
            self._flush(time.monotonic())
            self._out.close()
            self._out = None

    def mark(self, event: str, **fields: Any) -> None:
        """Write a one-off line (``window``, ``map_ready``); UI thread."""
        self._write({"event": event, "mono": time.monotonic(), **fields})

    # ------------------------------------------------------------------ probe thread
    def _run(self) -> None:
        lower_this_thread(Background.INGEST)  # measuring must not cost the UI its share
        while not self._stop.wait(self.interval_s):
            QCoreApplication.postEvent(self, _Probe(time.monotonic()))

    # ------------------------------------------------------------------ UI thread
    def event(self, event: QEvent) -> bool:
        if event.type() == _PROBE_EVENT and isinstance(event, _Probe):
            now = time.monotonic()
            self._lags.append((now - event.sent) * 1000.0)
            if now - self._last_write >= 1.0:
                self._flush(now)
            return True
        return super().event(event)

    def _flush(self, now: float) -> None:
        lags, self._lags = self._lags, []
        self._last_write = now
        self._write({"event": "tick", "mono": now, "lag_ms": [round(x, 2) for x in lags],
                     "painted": self._painted(), "rss_mb": round(rss_mb(), 1)})

    def _write(self, record: dict[str, Any]) -> None:
        out = self._out
        if out is None:
            return
        out.write(json.dumps(record) + "\n")
        out.flush()


def rss_mb() -> float:
    """This process's resident memory in MiB (0 where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0
