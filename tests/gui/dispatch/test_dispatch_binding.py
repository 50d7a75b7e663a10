"""The dialogs bound to the real dispatch service on the demo world."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db_writer import DbWriter
from app.dispatch import draw
from app.dispatch.draw import verify_draw
from app.dispatch.intake import load_venue_choices
from app.dispatch.service import DispatchService
from app.services.directory import district_names
from app.services.incidents import Actor
from models import AuditEvent, Incident, Jurisdiction, RadioMessage, Unit
from models.dispatch import DrawState, InspectionDraw
from models.enums import RadioMessageState, UnitStatus
from widgets.dispatch.audit_viewer import AuditLogViewer
from widgets.dispatch.binding import (
    bind_audit,
    bind_close,
    bind_draw,
    bind_intake,
    bind_recommendations,
)
from widgets.dispatch.close_dialog import CloseIncidentDialog
from widgets.dispatch.draw_dialog import DrawDialog
from widgets.dispatch.intake_form import IntakeForm
from widgets.dispatch.recommendation import RecommendationPanel

pytestmark = [pytest.mark.gui, pytest.mark.integration]

CHAOYANG = Jurisdiction.parse("110105")


def service_for(factory: sessionmaker[Session],
                running: tuple[DbWriter, ThreadPoolExecutor]) -> DispatchService:
    return DispatchService(factory, running[0], running[1], Actor("王调度", "console-cy"),
                           CHAOYANG)


def test_complaint_recommendation_order_and_close_end_to_end(
        qtbot: QtBot, factory: sessionmaker[Session],
        running: tuple[DbWriter, ThreadPoolExecutor]) -> None:
    service = service_for(factory, running)
    with factory() as s:
        venues = load_venue_choices(s, CHAOYANG)
        names = district_names(s)
        for unit in s.scalars(select(Unit).where(Unit.district_adcode == "110105")):
            unit.status = UnitStatus.AVAILABLE
        s.commit()
    form = IntakeForm(venues, {"110105": names["110105"]})
    qtbot.addWidget(form)
    created: list[object] = []
    bind_intake(form, service, on_created=created.append)
    form.set_venue(venues[0].id)
    with qtbot.waitSignal(form.finished, timeout=5000) as finished:
        form.submit()
    assert finished.args == [QDialog.DialogCode.Accepted.value]
    incident_id = created[0].incident_id  # type: ignore[attr-defined]

    panel = RecommendationPanel(names)
    qtbot.addWidget(panel)
    outbox_changed = bind_recommendations(panel, service)
    service.recommend(incident_id, panel.set_recommendations)
    qtbot.waitUntil(lambda: bool(panel.rows()), timeout=5000)
    best = panel.rows()[0]
    panel.assign_selected()
    qtbot.waitUntil(lambda: "queued" in panel.order_message(), timeout=5000)
    assert best.call_sign in panel.order_message()

    # the radio integration reports delivery; the panel follows the outbox
    with factory() as s:
        message = s.scalars(select(RadioMessage).order_by(RadioMessage.id.desc())).first()
        assert message is not None and message.state is RadioMessageState.QUEUED
        message.state = RadioMessageState.DELIVERED
        message.delivered_at = dt.datetime.now(dt.UTC)
        s.commit()
    outbox_changed(frozenset({"radio_message"}))
    qtbot.waitUntil(lambda: "delivered" in panel.order_message(), timeout=5000)

    dialog = CloseIncidentDialog(incident_id, "n", "t", [best.call_sign])
    qtbot.addWidget(dialog)
    bind_close(dialog, service)
    dialog.outcomes.setCurrentRow(1)
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.submit()
    with factory() as s:
        incident = s.get(Incident, incident_id)
        assert incident is not None and incident.outcome == "no_violation"
        unit = s.get(Unit, best.id)
        assert unit is not None and unit.status is UnitStatus.AVAILABLE


def test_refused_close_stays_open_with_the_reason(
        qtbot: QtBot, factory: sessionmaker[Session],
        running: tuple[DbWriter, ThreadPoolExecutor]) -> None:
    service = service_for(factory, running)
    with factory() as s:
        other = s.scalars(select(Incident).where(Incident.district_adcode != "110105")).first()
        assert other is not None
    dialog = CloseIncidentDialog(other.id, other.number, other.title)
    qtbot.addWidget(dialog)
    bind_close(dialog, service)
    dialog.outcomes.setCurrentRow(1)
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.message.kind == "error", timeout=5000)
    assert "jurisdiction" in dialog.message.text() and dialog.ok_button.isEnabled()


def test_draw_and_audit_through_the_service(
        qtbot: QtBot, factory: sessionmaker[Session],
        running: tuple[DbWriter, ThreadPoolExecutor], tmp_path: Path) -> None:
    service = service_for(factory, running)
    dialog = DrawDialog({"110105": "朝阳区"}, jurisdiction_adcode="110105")
    qtbot.addWidget(dialog)
    bind_draw(dialog, service)
    dialog.count_spin.setValue(4)
    dialog.request_draw()
    # step 1: the draw is committed with its seed's hash, which is shown; nothing is drawn
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=5000)
    qtbot.waitUntil(lambda: dialog.history_combo.count() == 1, timeout=5000)
    assert dialog.run_button.isEnabled() and dialog.table.rowCount() == 0
    shown_hash = dialog.seed_hash_value.text().replace(" ", "")
    with factory() as s:
        pending = s.scalars(select(InspectionDraw)).one()
        assert pending.state is DrawState.PENDING and pending.seed == ""
        assert pending.seed_sha256 == shown_hash and len(shown_hash) == 64
    # step 2: run it; the revealed seed matches the hash shown before
    dialog.request_run()
    qtbot.waitUntil(lambda: dialog.outcome is not None
                    and dialog.outcome.record.state is DrawState.DONE, timeout=5000)
    assert dialog.table.rowCount() == 4 and dialog.verify()
    assert not dialog.run_button.isEnabled()
    with factory() as s:
        stored = s.scalars(select(InspectionDraw)).one()
        assert stored.result_sha256 == dialog.hash_value.text()
        assert draw.seed_hash(stored.seed) == shown_hash == stored.seed_sha256
    assert dialog.outcome is not None and verify_draw(dialog.outcome.record)
    # a typed seed verifies the stored draw and is not a draw
    dialog.seed_edit.setText(stored.seed)
    dialog.request_seed_verification()
    qtbot.waitUntil(lambda: dialog.reproduce_message.kind == "ok", timeout=5000)
    dialog.seed_edit.setText("public-lottery-7")
    dialog.request_seed_verification()
    qtbot.waitUntil(lambda: dialog.reproduce_message.kind == "error", timeout=5000)
    with factory() as s:
        assert len(s.scalars(select(InspectionDraw)).all()) == 1

    viewer = AuditLogViewer()
    qtbot.addWidget(viewer)
    bind_audit(viewer, service)
    qtbot.waitUntil(lambda: viewer.action_combo.findData("inspection.draw") >= 0, timeout=5000)
    viewer.action_combo.setCurrentText("inspection.")
    viewer.since_check.setChecked(False)
    viewer.search()
    qtbot.waitUntil(lambda: bool(viewer.rows()), timeout=5000)
    assert [r.action for r in viewer.rows()] == [
        "inspection.draw_verify", "inspection.draw_verify", "inspection.draw",
        "inspection.draw_commit"]
    target = tmp_path / "audit.csv"
    viewer.export_to(str(target))
    qtbot.waitUntil(lambda: viewer.message.kind == "ok", timeout=5000)
    assert "inspection.draw" in target.read_text(encoding="utf-8-sig")
    running[0].flush()  # exporting the audit log is audited too
    with factory() as s:
        exported = s.scalars(select(AuditEvent).where(AuditEvent.action == "audit.export")).one()
        assert exported.actor == "王调度" and exported.target_id == "audit.csv"
