from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db_writer import DbWriter, WriterBusy, WriterStopped
from models import District
from models.db import make_engine, make_session_factory


@pytest.fixture
def writer(empty_db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(empty_db_url)
    commits: list[frozenset[str]] = []
    w = DbWriter(make_session_factory(engine), on_commit=commits.append)
    w.start()
    w.commits = commits  # type: ignore[attr-defined]
    w.factory = make_session_factory(engine)  # type: ignore[attr-defined]
    yield w
    w.stop()
    engine.dispose()


def _district(code: str) -> District:
    return District(adcode=code, name=f"区{code}", boundary_geojson="{}", centroid_lat=0,
                    centroid_lon=0)


def test_jobs_commit_and_report_their_tables(writer: DbWriter) -> None:
    fut = writer.submit(lambda s: s.add(_district("110101")) or "done")
    assert fut.result(5) == "done"
    writer.flush()
    assert frozenset({"district"}) in writer.commits  # type: ignore[attr-defined]
    with writer.factory() as s:  # type: ignore[attr-defined]
        assert s.scalar(select(District.name)) == "区110101"


@pytest.mark.expect_log_errors
def test_a_failing_job_fails_alone_and_the_rest_of_its_batch_is_kept(writer: DbWriter) -> None:
    gate = threading.Event()
    # hold the writer so the next jobs queue up and share one batch
    writer.submit(lambda _s: gate.wait(5))
    futures: list[Future[object]] = []
    for code in ("110101", "110102"):
        futures.append(writer.submit(lambda s, c=code: s.add(_district(c))))

    def bad(s: Session) -> None:
        s.add(_district("110101"))  # duplicate primary key
        s.flush()

    futures.append(writer.submit(bad))
    futures.append(writer.submit(lambda s: s.add(_district("110105"))))
    gate.set()
    assert futures[0].result(5) is None
    assert futures[1].result(5) is None
    with pytest.raises(Exception, match="UNIQUE"):
        futures[2].result(5)
    assert futures[3].result(5) is None
    with writer.factory() as s:  # type: ignore[attr-defined]
        codes = sorted(s.scalars(select(District.adcode)))
    assert codes == ["110101", "110102", "110105"]
    assert writer.stats.failures == 1


def test_batches_share_a_transaction(writer: DbWriter) -> None:
    gate = threading.Event()
    writer.submit(lambda _s: gate.wait(5))
    futs = [writer.submit(lambda s, i=i: s.add(_district(f"11{i:04d}"))) for i in range(50)]
    gate.set()
    for f in futs:
        f.result(5)
    # 51 jobs (gate + 50) in at most two transactions, the last one holding all 50 inserts
    assert writer.stats.last_batch >= 50
    assert writer.stats.commits <= 2


def test_stopped_writer_refuses_jobs_and_finishes_accepted_ones(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    w = DbWriter(make_session_factory(engine))
    w.start()
    fut = w.submit(lambda s: s.add(_district("110101")))
    w.stop()
    assert fut.done() and fut.exception() is None
    with pytest.raises(WriterStopped):
        w.submit(lambda s: None)
    engine.dispose()


def test_a_tenfold_flood_waits_for_room_and_loses_nothing(empty_db_url: str) -> None:
    """10× the queue bound from 4 producers: the queue stays bounded, all jobs commit."""
    engine = make_engine(empty_db_url)
    factory = make_session_factory(engine)
    states: list[tuple[bool, int]] = []
    reported = threading.Condition()

    def on_overload(on: bool, queued: int) -> None:
        with reported:
            states.append((on, queued))
            reported.notify_all()

    w = DbWriter(factory, max_queue=50, max_batch=20, on_overload=on_overload)
    w.start()
    gate, holding = threading.Event(), threading.Event()

    def hold(_s: object) -> None:
        holding.set()
        gate.wait(10)

    w.submit(hold, label="hold")  # the database is "slow"
    assert holding.wait(5)  # the writer is inside it: everything after stays queued
    futures: list[Future[None]] = []
    lock = threading.Lock()

    def produce(first: int) -> None:
        for n in range(first, first + 125):
            fut = w.submit(lambda s, n=n: s.add(_district(f"{n:06d}")))
            with lock:
                futures.append(fut)

    producers = [threading.Thread(target=produce, args=(k * 125,)) for k in range(4)]
    for t in producers:
        t.start()
    with reported:  # the queue filled up: producers wait, the status bar is told
        assert reported.wait_for(lambda: (True, 50) in states, 5), states
    for t in producers:
        assert t.is_alive()  # held back, not queued without bound
    assert w.stats.pending <= 50
    gate.set()
    for t in producers:
        t.join(10)
    w.flush()
    for fut in futures:
        fut.result(5)
    assert w.stats.peak_pending <= 50
    assert w.stats.waits > 0
    with reported:
        assert reported.wait_for(lambda: bool(states) and states[-1][0] is False, 5), states
    with factory() as s:
        assert len(s.scalars(select(District.adcode)).all()) == 500
    w.stop()
    engine.dispose()


def test_a_writer_job_may_submit_more_jobs_even_when_the_queue_is_full(
        empty_db_url: str) -> None:
    """Done callbacks run on the writer thread; it must never wait for room on itself."""
    engine = make_engine(empty_db_url)
    w = DbWriter(make_session_factory(engine), max_queue=1)
    w.start()
    chained: list[Future[str]] = []
    gate = threading.Event()
    first = w.submit(lambda _s: gate.wait(10))
    first.add_done_callback(lambda _f: chained.append(w.submit(lambda _s: "second")))
    w.submit(lambda _s: None)  # the queue is now full (1)
    gate.set()
    w.flush()
    assert chained and chained[0].result(5) == "second"
    w.stop()
    engine.dispose()


def test_the_ui_thread_is_never_held_back_by_a_full_queue(empty_db_url: str) -> None:
    """A dispatcher's action during a flood is queued at once: the UI thread never waits."""
    engine = make_engine(empty_db_url)
    w = DbWriter(make_session_factory(engine), max_queue=2)
    w.start()
    gate, holding = threading.Event(), threading.Event()

    def hold(_s: object) -> None:
        holding.set()
        gate.wait(10)

    w.submit(hold, label="hold")
    assert holding.wait(5)  # the writer is busy with it: what follows stays queued
    w.submit(lambda _s: None)
    w.submit(lambda _s: None)  # full: a worker thread would wait here
    assert threading.current_thread() is threading.main_thread()
    action = w.submit(lambda s: s.add(_district("110105")), label="dispatcher action",
                      timeout=0.01)  # would raise WriterBusy if it waited
    worker_refused: list[BaseException] = []

    def from_worker() -> None:
        try:
            w.submit(lambda _s: None, timeout=0.05)
        except WriterBusy as exc:
            worker_refused.append(exc)

    t = threading.Thread(target=from_worker)
    t.start()
    t.join(5)
    assert worker_refused  # other threads still get back-pressure
    gate.set()
    action.result(5)
    w.stop()
    engine.dispose()
