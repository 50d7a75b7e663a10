from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db_writer import DbWriter, WriterStopped
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
