"""The dispatch service: real writer thread, real reader pool, answers on the UI thread."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db_writer import DbWriter
from app.dispatch.escalation import due_realerts
from app.dispatch.intake import IntakeRequest, IntakeResult
from app.dispatch.recommend import RecommendationSet
from app.dispatch.service import DispatchConfig, DispatchService
from app.services.incidents import Actor
from models import Incident, Jurisdiction, Unit
from models.base import utcnow
from models.dispatch import Escalation, IncidentOutcome
from models.enums import (
    IncidentCategory,
    IncidentPriority,
    IncidentSource,
    IncidentStatus,
    UnitStatus,
)

pytestmark = [pytest.mark.integration, pytest.mark.gui]


@pytest.fixture
def running(factory: sessionmaker[Session]) -> Iterator[tuple[DbWriter, ThreadPoolExecutor]]:
    writer = DbWriter(factory)
    writer.start()
    readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="test-reader")
    yield writer, readers
    writer.stop()
    readers.shutdown(wait=True)


def make_service(factory: sessionmaker[Session], running: tuple[DbWriter, ThreadPoolExecutor],
                 jurisdiction: Jurisdiction, **config: Any) -> DispatchService:
    writer, readers = running
    return DispatchService(factory, writer, readers, Actor("王调度", "console-1"), jurisdiction,
                           DispatchConfig(**config))


def test_complaint_to_assignment_answers_on_the_ui_thread(
        qtbot: QtBot, factory: sessionmaker[Session],
        running: tuple[DbWriter, ThreadPoolExecutor]) -> None:
    with factory() as s:
        unit_ids = s.scalars(select(Unit.id).where(Unit.district_adcode == "110105")).all()
        for u in s.scalars(select(Unit).where(Unit.id.in_(unit_ids))):
            u.status = UnitStatus.AVAILABLE
        s.commit()
    service = make_service(factory, running, Jurisdiction.parse("110105"))
    got: dict[str, Any] = {}
    threads: list[threading.Thread] = []

    def keep(key: str) -> Any:
        def store(value: Any) -> None:
            threads.append(threading.current_thread())
            got[key] = value
        return store

    request = IntakeRequest(source=IncidentSource.HOTLINE_12318,
                            category=IncidentCategory.MINORS_ADMITTED,
                            priority=IncidentPriority.HIGH, district_adcode="110105",
                            description="网吧接纳未成年人")
    with qtbot.waitSignal(service.completed, timeout=5000) as created:
        service.intake(request, on_done=keep("intake"))
    assert created.args is not None and created.args[0] == "intake"
    result: IntakeResult = got["intake"]
    service.recommend(result.incident_id, keep("rec"))
    qtbot.waitUntil(lambda: "rec" in got, timeout=5000)
    rec: RecommendationSet = got["rec"]
    assert rec.rows and all(r.district_adcode == "110105" for r in rec.rows)
    service.assign(result.incident_id, rec.rows[0].id, on_done=keep("assign"))
    qtbot.waitUntil(lambda: "assign" in got, timeout=5000)
    assert got["assign"].order.message_id is not None
    assert all(t is threading.main_thread() for t in threads)
    service.order_states([got["assign"].order.message_id], keep("states"))
    qtbot.waitUntil(lambda: "states" in got, timeout=5000)
    assert [s.state.value for s in got["states"]] == ["queued"]


def test_refusals_reach_the_caller_translated_and_write_nothing(
        qtbot: QtBot, factory: sessionmaker[Session],
        running: tuple[DbWriter, ThreadPoolExecutor]) -> None:
    with factory() as s:
        haidian = s.scalars(select(Incident).where(Incident.district_adcode == "110108")).first()
        assert haidian is not None
    service = make_service(factory, running, Jurisdiction.parse("110105"))
    errors: list[str] = []
    with qtbot.waitSignal(service.refused, timeout=5000) as refused:
        service.close(haidian.id, IncidentOutcome.NO_VIOLATION, on_error=errors.append)
    assert refused.args == ["close", "This is outside the jurisdiction of this console."]
    assert errors == ["This is outside the jurisdiction of this console."]
    with factory() as s:
        assert s.get(Incident, haidian.id).status == haidian.status  # type: ignore[union-attr]


def test_unacknowledged_escalations_alert_then_realert(
        qtbot: QtBot, factory: sessionmaker[Session],
        running: tuple[DbWriter, ThreadPoolExecutor]) -> None:
    with factory() as s:
        incident = s.scalars(select(Incident).where(Incident.status == IncidentStatus.NEW)
                             .order_by(Incident.id)).first()
        assert incident is not None and incident.district_adcode is not None
    district = make_service(factory, running, Jurisdiction.parse(incident.district_adcode))
    city = make_service(factory, running, Jurisdiction(), realert_after_min=0.001,
                        realert_check_s=0.05, recalibrate_h=1.0)
    with qtbot.waitSignal(district.completed, timeout=5000):
        district.escalate(incident.id, "需要跨区支援")
    alerts: list[list[Any]] = []
    city.escalation_due.connect(alerts.append)
    city.start()
    try:
        qtbot.waitUntil(lambda: len(alerts) >= 2, timeout=5000)
        assert alerts[0][0].incident_number == incident.number
        running[0].flush()
        with factory() as s:
            esc = s.scalars(select(Escalation)).one()
            assert esc.alert_count >= 2 and esc.acknowledged_at is None
        # acknowledging stops the alerts
        with qtbot.waitSignal(city.completed, timeout=5000,
                              check_params_cb=lambda action, _r: action == "acknowledge"):
            city.acknowledge(esc.id)
    finally:
        city.stop()
    with factory() as s:
        later = utcnow() + dt.timedelta(hours=1)
        assert due_realerts(s, Jurisdiction(), later, dt.timedelta(minutes=5)) == []
