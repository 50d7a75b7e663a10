"""Batch analysis from the console: one run at a time on a worker thread, with progress and cancel.

Signals are emitted from the worker thread; Qt queues them to the receivers (the analysis
dialog on the UI thread).
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from app.analysis.batch import BatchJob, BatchOutcome, ScriptError, run_batch
from app.analysis.progress import RunProgress, TimeLeft, overall
from app.analysis.rules import RulesError
from app.priority import Background, lower_this_thread
from app.speech.audio import AudioError
from app.speech.batch import Cancelled, Progress
from app.speech.engine import ModelMissingError

log = logging.getLogger("app.analysis.service")


class BatchAnalysisService(QObject):
    """Runs :func:`~app.analysis.batch.run_batch` off the UI thread.

    Signals:
        progress(str, float, object): stage (``load``, ``decode``, ``vad``, ``transcribe``,
            ``analyse``, ``report``, ``done``), fraction 0–1 of the whole run
            (:func:`app.analysis.progress.overall`), and the
            :class:`~app.analysis.progress.RunProgress` with the stage's amounts and the
            time left.
        finished(object): the :class:`~app.analysis.batch.BatchOutcome`.
        failed(str): why the run failed (model missing, unreadable file, bad rules …).
        cancelled(): the run stopped at the user's request.
    """

    progress = Signal(str, float, object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._time_left = TimeLeft()

    @property
    def running(self) -> bool:
        """Whether a run is in progress."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, job: BatchJob) -> bool:
        """Start a run; False if one is already running."""
        if self.running:
            return False
        self._cancel = threading.Event()
        self._time_left = TimeLeft()
        self._thread = threading.Thread(target=self._run, args=(job, self._cancel),
                                        name="batch-analysis", daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> None:
        """Ask the run to stop (it stops after the batch of windows in progress)."""
        self._cancel.set()

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait for the run to end (shutdown, tests); True when it has."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _report(self, p: Progress) -> None:
        bar = overall(p.stage, p.fraction)
        self.progress.emit(p.stage, bar, RunProgress(p, bar, self._time_left.update(p.stage,
                                                                                    bar)))

    def _run(self, job: BatchJob, cancel: threading.Event) -> None:
        lower_this_thread(Background.INFERENCE)
        try:
            outcome: BatchOutcome = run_batch(job, progress=self._report, cancel=cancel)
        except Cancelled:
            log.info("batch analysis of %s cancelled", job.media)
            self.cancelled.emit()
        except (ModelMissingError, AudioError, RulesError, ScriptError) as exc:
            log.warning("batch analysis of %s failed: %s", job.media, exc)
            self.failed.emit(str(exc))
        except Exception as exc:
            log.exception("batch analysis of %s crashed", job.media)
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self.finished.emit(outcome)
