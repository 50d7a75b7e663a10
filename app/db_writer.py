"""The single database writer.

Every write of the console goes through one thread that owns a session, so SQLite never sees
two writers and the UI thread never waits on the database. Jobs are plain functions of a
session; consecutive queued jobs share one transaction (batching high-rate streams such as
position fixes). If a shared transaction fails, its jobs are replayed one by one so that one
bad job fails alone and nothing else that was accepted is lost.

After each commit the writer reports which tables changed, through ``on_commit`` (called on
the writer thread; the composition root turns it into a queued Qt signal). A job's future is
resolved only after its transaction committed, so "done" means durable: the JT/T 808 server
acknowledges a position report only then.

The queue is bounded (``max_queue`` jobs): under a flood, :meth:`DbWriter.submit` makes its
caller wait for room (back-pressure) instead of letting memory grow, and the writer reports an
overload state through ``on_overload`` (from ``max_queue`` queued jobs until the queue is back
under half of it) for the status bar. Jobs submitted from the writer thread itself (done
callbacks of futures) are never held back, so the writer cannot wait on itself, and neither
are jobs from the main (UI) thread: a dispatcher's few actions go in at once, the UI never
blocks.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("app.db_writer")

T = TypeVar("T")


class WriterStopped(RuntimeError):
    """The writer is not running; the job was not accepted."""


class WriterBusy(RuntimeError):
    """The writer's queue stayed full for the whole timeout; the job was not accepted."""


@dataclass(slots=True)
class _Job:
    fn: Callable[[Session], Any]
    future: Future[Any]
    tables: frozenset[str]
    label: str


@dataclass(slots=True)
class WriterStats:
    """Counters for the status bar and benchmarks."""

    jobs: int = 0
    commits: int = 0
    failures: int = 0
    last_batch: int = 0
    busy_s: float = 0.0
    pending: int = field(default=0)
    #: most jobs ever queued at once (bounded by ``max_queue`` plus writer-thread submits)
    peak_pending: int = 0
    #: submits that had to wait for room (back-pressure applied)
    waits: int = 0
    overloaded: bool = False


class DbWriter:
    """One thread, one session, all writes.

    Args:
        factory: session factory bound to the console's engine.
        on_commit: called after each commit with the names of the tables written.
        max_batch: most jobs committed in one transaction.
        max_queue: most jobs waiting; beyond it :meth:`submit` waits for room.
        on_overload: called with ``(True, queued)`` when the queue fills up and
            ``(False, queued)`` once it is back under half of ``max_queue`` (any thread).
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        on_commit: Callable[[frozenset[str]], None] | None = None,
        max_batch: int = 500,
        max_queue: int = 10_000,
        on_overload: Callable[[bool, int], None] | None = None,
    ) -> None:
        self._factory = factory
        self._on_commit = on_commit
        self._max_batch = max_batch
        self._max_queue = max(1, max_queue)
        self._on_overload = on_overload
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._queued = 0  # jobs put and not yet taken by the writer thread
        self._thread: threading.Thread | None = None
        self._accepting = False
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self._report_lock = threading.Lock()
        self._reported = False
        self.stats = WriterStats()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start the writer thread."""
        with self._lock:
            if self._thread is not None:
                return
            self._accepting = True
            self._thread = threading.Thread(target=self._run, name="db-writer", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish every accepted job, then stop. Jobs submitted afterwards are refused."""
        with self._lock:
            if self._thread is None:
                return
            self._accepting = False
            self._queue.put(None)
            self._room.notify_all()  # waiting submits give up: WriterStopped
            thread = self._thread
        thread.join(timeout)
        if thread.is_alive():
            log.error("database writer did not stop within %.1f s", timeout)
        else:
            with self._lock:
                self._thread = None

    # ------------------------------------------------------------------ API
    def submit(
        self,
        fn: Callable[[Session], T],
        *,
        tables: Iterable[str] = (),
        label: str = "",
        timeout: float | None = None,
    ) -> Future[T]:
        """Queue ``fn(session)``; its result or exception arrives on the returned future.

        The future is resolved after the job's transaction committed (or failed). ``tables``
        names tables written through Core statements (ORM changes are detected). While
        ``max_queue`` jobs are waiting the call waits for room, at most ``timeout`` seconds
        (``None``: until there is room or the writer stops) — except on the main (UI) thread
        and the writer's own thread, which are never held back.

        Raises:
            WriterStopped: the writer is not running (or stopped while waiting).
            WriterBusy: the queue stayed full for ``timeout`` seconds.
        """
        label = label or getattr(fn, "__name__", "")
        with self._lock:
            if not self._accepting:
                raise WriterStopped("the database writer is not running")
            thread = self._thread
            # Never waits: the writer itself (a job's done callback submitting more), and the
            # UI thread (a dispatcher's action: few, and the UI must never block on a flood).
            exempt = threading.current_thread() is threading.main_thread() or (
                thread is not None and thread.ident == threading.get_ident())
            if self._queued >= self._max_queue and not exempt:
                self.stats.waits += 1
                self._set_overloaded(True)
                deadline = None if timeout is None else time.monotonic() + timeout
                while self._accepting and self._queued >= self._max_queue:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        raise WriterBusy(
                            f"the database writer's queue stayed full ({self._queued} jobs) "
                            f"for {timeout:g} s; job {label!r} not accepted")
                    self._room.wait(left)
                if not self._accepting:
                    raise WriterStopped("the database writer stopped")
            fut: Future[T] = Future()
            self._queue.put(_Job(fn, fut, frozenset(tables), label))
            self._queued += 1
            self.stats.pending = self._queued
            self.stats.peak_pending = max(self.stats.peak_pending, self._queued)
            if self._queued >= self._max_queue:
                self._set_overloaded(True)
        return fut

    @property
    def overloaded(self) -> bool:
        """Whether the queue is (or recently was) full."""
        return self.stats.overloaded

    def _set_overloaded(self, value: bool) -> None:
        """Record the overload state (lock held); report a change outside the lock."""
        if self.stats.overloaded == value:
            return
        self.stats.overloaded = value
        queued = self._queued
        if value:
            log.warning("database writer overloaded: %d jobs queued; producers wait", queued)
        else:
            log.info("database writer caught up: %d jobs queued", queued)
        if self._on_overload is not None:  # never call out with the lock held
            threading.Thread(target=self._report_overload, name="db-writer-overload",
                             daemon=True).start()

    def _report_overload(self) -> None:
        """Tell the listener the state as it is now (reports may not arrive in order)."""
        assert self._on_overload is not None
        with self._report_lock:
            with self._lock:
                value, queued = self.stats.overloaded, self._queued
            if value == self._reported:
                return
            self._reported = value
            try:
                self._on_overload(value, queued)
            except Exception:
                log.exception("on_overload listener failed")

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every job queued so far is committed (or failed)."""
        self.submit(lambda _s: None, label="flush").result(timeout)

    # ------------------------------------------------------------------ thread
    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stopping = True
                    break
                batch.append(nxt)
            self._taken(len(batch))
            self._run_batch(batch)
        log.info("database writer stopped")

    def _taken(self, count: int) -> None:
        with self._lock:
            self._queued -= count
            self.stats.pending = self._queued
            if self.stats.overloaded and self._queued < self._max_queue // 2:
                self._set_overloaded(False)
            self._room.notify_all()

    def _run_batch(self, batch: list[_Job]) -> None:
        started = time.perf_counter()
        jobs = [j for j in batch if j.future.set_running_or_notify_cancel()]
        if not jobs:
            return
        try:
            results, tables = self._transaction(jobs)
        except Exception:
            if len(jobs) == 1:
                self._fail(jobs[0])
            else:
                log.warning("batch of %d jobs failed; replaying them one by one", len(jobs))
                for job in jobs:
                    try:
                        (result,), tables1 = self._transaction([job])
                    except Exception:
                        self._fail(job)
                    else:
                        job.future.set_result(result)
                        self._committed(tables1)
            self.stats.busy_s += time.perf_counter() - started
            return
        for job, result in zip(jobs, results, strict=True):
            job.future.set_result(result)
        self.stats.last_batch = len(jobs)
        self.stats.busy_s += time.perf_counter() - started
        self._committed(tables)

    def _transaction(self, jobs: list[_Job]) -> tuple[list[Any], frozenset[str]]:
        touched: set[str] = set()
        session = self._factory()

        def collect(sess: Session, _ctx: Any, _instances: Any) -> None:
            for obj in (*sess.new, *sess.dirty, *sess.deleted):
                table = getattr(obj, "__tablename__", None)
                if table:
                    touched.add(table)

        event.listen(session, "before_flush", collect)
        try:
            results = []
            for job in jobs:
                results.append(job.fn(session))
                touched.update(job.tables)
            session.commit()
        except Exception:
            session.rollback()
            raise
        finally:
            event.remove(session, "before_flush", collect)
            session.close()
        self.stats.jobs += len(jobs)
        self.stats.commits += 1
        return results, frozenset(touched)

    def _fail(self, job: _Job) -> None:
        self.stats.failures += 1
        exc = _current_exception()
        log.error("database job %r failed: %s", job.label, exc, exc_info=exc)
        job.future.set_exception(exc)

    def _committed(self, tables: frozenset[str]) -> None:
        if tables and self._on_commit is not None:
            try:
                self._on_commit(tables)
            except Exception:
                log.exception("on_commit listener failed")


def _current_exception() -> BaseException:
    import sys

    exc = sys.exc_info()[1]
    assert exc is not None
    return exc
