"""Keeping the recordings folder bounded: ``speech.retention_days``, and the demo's leftovers.

:class:`RecordingRetention` deletes recording segments (the files
:class:`~app.speech.recorder.SegmentRecorder` writes, recognised by their names) that started
more than the retention period ago, once at start and then every ``interval_s``. In the demo,
which records into a folder of its own, it also deletes every segment of earlier demo sessions
(``purge_before``: the session's start), so that demo runs do not pile up recordings.

Evidence is never touched: only segment files directly in the recordings folder are candidates
(snapshots, clips and after-show clips have other names and live in other folders), and a
recordings folder that is, or lies inside, an evidence folder is refused outright.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable
from pathlib import Path

from app.speech.recorder import list_segments, prune
from models.clock import Clock

log = logging.getLogger("app.speech.retention")


class RecordingRetention:
    """Deletes old recording segments on start and periodically (a thread of its own).

    Args:
        folder: the recordings folder.
        retention: segments that started longer ago than this are deleted.
        clock: the program's clock (segment names carry its time).
        interval_s: time between checks (monotonic).
        purge_before: also delete every segment that started before this (the demo: the
            session's start).
        evidence_dirs: folders of evidence; pruning is refused if ``folder`` is one of them or
            lies inside one.
    """

    def __init__(self, folder: Path, retention: dt.timedelta, *, clock: Clock,
                 interval_s: float = 3600.0, purge_before: dt.datetime | None = None,
                 evidence_dirs: Iterable[Path] = ()) -> None:
        self.folder = folder
        self.retention = retention
        self.interval_s = interval_s
        self.purge_before = purge_before
        self._clock = clock
        self._evidence_dirs = [d.resolve() for d in evidence_dirs]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.removed: list[Path] = []  # every file deleted so far (diagnostics, tests)

    def _refused(self) -> bool:
        folder = self.folder.resolve()
        for evidence in self._evidence_dirs:
            if folder == evidence or folder.is_relative_to(evidence):
                log.error("recordings folder %s lies in the evidence folder %s: recordings "
                          "are not deleted (set speech.recording_dir to a folder of its own)",
                          self.folder, evidence, extra={"event": "retention_refused"})
                return True
        return False

    def prune_now(self) -> list[Path]:
        """One check: delete what is due; the files deleted."""
        if self._refused():
            return []
        removed = prune(self.folder, self.retention, now=self._clock.now())
        if self.purge_before is not None:
            since = self.purge_before
            earlier = [p for p, _venue, started in list_segments(self.folder) if started < since]
            if earlier:
                # "older than (now - since)" is exactly "started before since"
                removed += prune(self.folder, dt.timedelta(0), now=since)
                log.info("deleted %d recording segment(s) of earlier demo sessions",
                         len(earlier), extra={"event": "demo_recordings_purged"})
        self.removed += removed
        return removed

    def start(self) -> None:
        """Check now, then every ``interval_s`` on a thread of its own."""
        try:
            self.prune_now()
        except Exception:  # a full disk or odd file must not stop the console starting
            log.exception("pruning recordings in %s failed", self.folder)
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="recording-retention",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the periodic checks."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.prune_now()
            except Exception:
                log.exception("pruning recordings in %s failed", self.folder)
