"""The dispatch service: runs dispatch reads and writes off the UI thread, answers on it.

Reads run on the console's reader pool, writes through the one database writer; each result
comes back to the UI thread, where the caller's ``on_done`` runs. A refusal is reported
through :attr:`DispatchService.refused` with its reason in the user's language, an unexpected
failure through ``failed``; both also go to the caller's ``on_error`` (the text), if given.
The service also keeps the ETA model calibrated and re-alerts escalations nobody acknowledges.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from sqlalchemy.orm import Session, sessionmaker

from app.db_writer import DbWriter, WriterStopped
from app.dispatch import audit as audit_log
from app.dispatch import draw, duplicates, escalation, lifecycle, records, timers
from app.dispatch import intake as intake_svc
from app.dispatch import recommend as ranking
from app.dispatch.refusals import Refusal, RefusalCode, refuse
from app.dispatch.texts import refusal_text
from app.services.incidents import Actor
from models import Jurisdiction
from models.clock import Clock
from models.clock import installed as installed_clock
from models.dispatch import IncidentOutcome
from models.enums import IncidentCategory, UnitStatus

log = logging.getLogger("app.dispatch.service")

T = TypeVar("T")
Callback = Callable[[Any], None] | None
ErrorCallback = Callable[[str], None] | None


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    """Dispatch tuning (the ``[dispatch]`` settings once they exist)."""

    duplicate_window_hours: float = 24.0
    realert_after_min: float = 5.0
    realert_check_s: float = 30.0
    stale_position_s: float = 600.0
    calibration_days: float = 14.0
    recalibrate_h: float = 6.0
    timer_policy: timers.TimerPolicy = field(default_factory=timers.TimerPolicy)


class DispatchService(QObject):
    """Dispatch actions for one console. Create and use it on the UI thread.

    Signals:
        refused(str, str): action name and the reason, translated; nothing was written.
        failed(str, str): action name and the error (also logged).
        completed(str, object): action name and its result, after every successful write.
        escalation_due(object): a list of EscalationRow to alert (again) now.
        model_changed(object): the newly calibrated ranking.EtaModel.
    """

    refused = Signal(str, str)
    failed = Signal(str, str)
    completed = Signal(str, object)
    escalation_due = Signal(object)
    model_changed = Signal(object)
    _deliver = Signal(object)

    def __init__(self, sessions: sessionmaker[Session], writer: DbWriter, readers: Executor,
                 actor: Actor, jurisdiction: Jurisdiction, config: DispatchConfig | None = None,
                 parent: QObject | None = None, *, clock: Clock | None = None) -> None:
        super().__init__(parent)
        self.clock = clock or installed_clock()
        self._sessions = sessions
        self._writer = writer
        self._readers = readers
        self.actor = actor
        self.jurisdiction = jurisdiction
        self.config = config or DispatchConfig()
        self.eta_model: ranking.EtaModel = ranking.DEFAULT_MODEL
        #: Seeds of the draws this console committed and has not run yet (never stored).
        self._draw_seeds: dict[int, str] = {}
        self._stopped = False
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)
        self._realert_timer = QTimer(self)
        self._realert_timer.setInterval(int(self.config.realert_check_s * 1000))
        self._realert_timer.timeout.connect(self.check_escalations)
        self._calibrate_timer = QTimer(self)
        self._calibrate_timer.setInterval(int(self.config.recalibrate_h * 3600 * 1000))
        self._calibrate_timer.timeout.connect(self.calibrate)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Calibrate the ETA model and start watching escalations."""
        self._stopped = False
        self.calibrate()
        self.check_escalations()
        self._realert_timer.start()
        self._calibrate_timer.start()

    def stop(self) -> None:
        """Stop the timers; results still in flight are dropped."""
        self._stopped = True
        self._realert_timer.stop()
        self._calibrate_timer.stop()

    # ------------------------------------------------------------------ plumbing
    def _read(self, action: str, fn: Callable[[Session], T], on_done: Callback,
              on_error: ErrorCallback = None) -> Future[T] | None:
        factory = self._sessions

        def job() -> T:
            with factory() as session:
                return fn(session)

        try:
            future = self._readers.submit(job)
        except RuntimeError as exc:  # the pool is shut down: the console is closing
            log.info("%s not run: %s", action, exc)
            return None
        future.add_done_callback(partial(self._done, action, on_done, on_error, False))
        return future

    def _write(self, action: str, fn: Callable[[Session], T], on_done: Callback,
               on_error: ErrorCallback = None) -> Future[T] | None:
        try:
            future = self._writer.submit(fn, label=action)
        except WriterStopped as exc:
            log.warning("%s not run: %s", action, exc)
            text = self.tr("The action failed: %1").replace("%1", str(exc))
            self.failed.emit(action, text)
            if on_error is not None:
                on_error(text)
            return None
        future.add_done_callback(partial(self._done, action, on_done, on_error, True))
        return future

    def _done(self, action: str, on_done: Callback, on_error: ErrorCallback, wrote: bool,
              future: Future[Any]) -> None:  # any thread
        if self._stopped:
            return
        with contextlib.suppress(RuntimeError):  # the service was deleted meanwhile
            self._deliver.emit((action, on_done, on_error, wrote, future))

    @Slot(object)
    def _on_deliver(self, item: tuple[str, Callback, ErrorCallback, bool, Future[Any]]) -> None:
        action, on_done, on_error, wrote, future = item
        if self._stopped:
            return
        exc = future.exception()
        if exc is not None:
            if not wrote:  # the writer logs its own failures
                log.error("%s failed: %s", action, exc, exc_info=exc)
            text = self.tr("The action failed: %1").replace("%1", str(exc))
            self.failed.emit(action, text)
            if on_error is not None:
                on_error(text)
            return
        result = future.result()
        if isinstance(result, Refusal):
            log.info("%s refused: %s", action, result,
                     extra={"event": "dispatch_refused", "action": action,
                            "code": result.code.value})
            text = refusal_text(result)
            self.refused.emit(action, text)
            if on_error is not None:
                on_error(text)
            return
        if wrote:
            self.completed.emit(action, result)
        if on_done is not None:
            on_done(result)

    # ------------------------------------------------------------------ reads
    def recommend(self, incident_id: int, on_done: Callback,
                  on_error: ErrorCallback = None) -> None:
        """Ranked units for an incident (a RecommendationSet)."""
        self._read("recommend", partial(
            ranking.recommend, incident_id=incident_id, jurisdiction=self.jurisdiction,
            model=self.eta_model, now=self.clock.now(),
            stale_after_s=self.config.stale_position_s), on_done,
            on_error)

    def venue_choices(self, on_done: Callback) -> None:
        """Venues for the intake form (a list of VenueChoice)."""
        self._read("venues", partial(intake_svc.load_venue_choices,
                                     jurisdiction=self.jurisdiction), on_done)

    def find_duplicates(self, venue_id: int, category: IncidentCategory, on_done: Callback,
                        exclude_id: int | None = None) -> None:
        """Likely duplicates of a new complaint (a list of DuplicateRow)."""
        self._read("duplicates", partial(
            duplicates.find_duplicates, jurisdiction=self.jurisdiction, venue_id=venue_id,
            category=category, within_hours=self.config.duplicate_window_hours,
            exclude_id=exclude_id), on_done)

    def audit(self, flt: audit_log.AuditFilter, on_done: Callback,
              on_error: ErrorCallback = None) -> None:
        """Audit events (a list of AuditRow)."""
        self._read("audit", partial(audit_log.load_audit, flt=flt), on_done, on_error)

    def audit_actions(self, on_done: Callback) -> None:
        """The action codes recorded so far (a list of str)."""
        self._read("audit_actions", audit_log.audit_actions, on_done)

    def draws(self, on_done: Callback) -> None:
        """Past double-random draws (a list of DrawSummary)."""
        self._read("draws", partial(draw.load_draws, jurisdiction=self.jurisdiction), on_done)

    def load_draw(self, draw_id: int, on_done: Callback,
                  on_error: ErrorCallback = None) -> None:
        """One stored draw (a DrawOutcome)."""
        self._read("draw", partial(draw.load_draw, jurisdiction=self.jurisdiction,
                                   draw_id=draw_id), on_done, on_error)

    def open_escalations(self, on_done: Callback) -> None:
        """Escalations waiting for this console (a list of EscalationRow)."""
        self._read("escalations", partial(escalation.open_escalations,
                                          jurisdiction=self.jurisdiction), on_done)

    def order_states(self, message_ids: list[int], on_done: Callback) -> None:
        """Delivery states of order SDS (a list of OrderState)."""
        self._read("order_states", partial(records.load_order_states,
                                           message_ids=list(message_ids)), on_done)

    def timer_inputs(self, on_done: Callback) -> None:
        """Timer inputs of the open incidents (a list of TimerInputs)."""
        self._read("timers", partial(timers.load_timer_inputs,
                                     jurisdiction=self.jurisdiction), on_done)

    # ------------------------------------------------------------------ writes
    def intake(self, request: intake_svc.IntakeRequest, on_done: Callback = None,
               on_error: ErrorCallback = None) -> None:
        """Create an incident from a complaint (an IntakeResult)."""
        self._write("intake", partial(intake_svc.submit_intake, actor=self.actor,
                                      jurisdiction=self.jurisdiction, request=request),
                    on_done, on_error)

    def assign(self, incident_id: int, unit_id: int, on_done: Callback = None,
               on_error: ErrorCallback = None) -> None:
        """Assign a unit and queue its order SDS (an AssignResult)."""
        self._write("assign", partial(lifecycle.assign, actor=self.actor,
                                      jurisdiction=self.jurisdiction, incident_id=incident_id,
                                      unit_id=unit_id), on_done, on_error)

    def change_status(self, unit_id: int, status: UnitStatus, note: str = "",
                      on_done: Callback = None, on_error: ErrorCallback = None) -> None:
        """A manual unit status change (a StatusChange)."""
        self._write("unit_status", partial(
            lifecycle.change_unit_status, actor=self.actor, unit_id=unit_id, new=status,
            jurisdiction=self.jurisdiction, source=lifecycle.SOURCE_MANUAL, note=note),
            on_done, on_error)

    def radio_status(self, issi: int, status: UnitStatus, on_done: Callback = None) -> None:
        """A status SDS from a radio (the radio integration calls this; a StatusChange)."""
        self._write("radio_status", partial(lifecycle.apply_radio_status, issi=issi,
                                            status=status, console_id=self.actor.console_id),
                    on_done)

    def reassign(self, incident_id: int, from_unit_id: int, to_unit_id: int, reason: str = "",
                 on_done: Callback = None, on_error: ErrorCallback = None) -> None:
        """Give the incident to another unit (a ReassignResult)."""
        self._write("reassign", partial(
            lifecycle.reassign, actor=self.actor, jurisdiction=self.jurisdiction,
            incident_id=incident_id, from_unit_id=from_unit_id, to_unit_id=to_unit_id,
            reason=reason), on_done, on_error)

    def cancel_assignment(self, assignment_id: int, reason: str = "",
                          on_done: Callback = None, on_error: ErrorCallback = None) -> None:
        """Withdraw a unit from its incident (an IncidentChange)."""
        self._write("cancel_assignment", partial(
            lifecycle.cancel_assignment, actor=self.actor, jurisdiction=self.jurisdiction,
            assignment_id=assignment_id, reason=reason), on_done, on_error)

    def cancel_incident(self, incident_id: int, reason: str = "", on_done: Callback = None,
                        on_error: ErrorCallback = None) -> None:
        """Cancel an incident (an IncidentChange)."""
        self._write("cancel_incident", partial(
            lifecycle.cancel_incident, actor=self.actor, jurisdiction=self.jurisdiction,
            incident_id=incident_id, reason=reason), on_done, on_error)

    def close(self, incident_id: int, outcome: IncidentOutcome, note: str = "",
              on_done: Callback = None, on_error: ErrorCallback = None) -> None:
        """Close an incident with its outcome (an IncidentChange)."""
        self._write("close", partial(
            lifecycle.close_incident, actor=self.actor, jurisdiction=self.jurisdiction,
            incident_id=incident_id, outcome=outcome, note=note), on_done, on_error)

    def merge(self, duplicate_id: int, into_id: int, on_done: Callback = None,
              on_error: ErrorCallback = None) -> None:
        """Merge a duplicate incident into another (a MergeResult)."""
        self._write("merge", partial(
            duplicates.merge_incident, actor=self.actor, jurisdiction=self.jurisdiction,
            duplicate_id=duplicate_id, into_id=into_id), on_done, on_error)

    def escalate(self, incident_id: int, reason: str = "", on_done: Callback = None,
                 on_error: ErrorCallback = None) -> None:
        """Escalate to the city centre (an EscalationRow)."""
        self._write("escalate", partial(
            escalation.escalate, actor=self.actor, jurisdiction=self.jurisdiction,
            incident_id=incident_id, reason=reason), on_done, on_error)

    def hand_over(self, incident_id: int, to_district: str, reason: str = "",
                  on_done: Callback = None, on_error: ErrorCallback = None) -> None:
        """Hand over to another district (an EscalationRow)."""
        self._write("hand_over", partial(
            escalation.hand_over, actor=self.actor, jurisdiction=self.jurisdiction,
            incident_id=incident_id, to_district=to_district, reason=reason),
            on_done, on_error)

    def acknowledge(self, escalation_id: int, on_done: Callback = None,
                    on_error: ErrorCallback = None) -> None:
        """Acknowledge an escalation addressed to this console (an EscalationRow)."""
        self._write("acknowledge", partial(
            escalation.acknowledge_escalation, actor=self.actor,
            jurisdiction=self.jurisdiction, escalation_id=escalation_id), on_done, on_error)

    def prepare_draw(self, params: draw.DrawParams, on_done: Callback = None,
                     on_error: ErrorCallback = None) -> None:
        """Commit a double-random draw with its seed's hash (a pending DrawOutcome).

        The seed (from the operating system's CSPRNG) stays in this service's memory, never
        on screen or in the database, until :meth:`run_draw` reveals it with the result.
        """
        def prepared(result: draw.PreparedDraw) -> None:
            self._draw_seeds[result.outcome.record.id] = result.seed
            if on_done is not None:
                on_done(result.outcome)

        self._write("draw_commit", partial(draw.prepare_draw, actor=self.actor,
                                           jurisdiction=self.jurisdiction, params=params,
                                           clock=self.clock), prepared, on_error)

    def holds_draw_seed(self, draw_id: int) -> bool:
        """Whether this console can still run the pending draw ``draw_id``."""
        return draw_id in self._draw_seeds

    def run_draw(self, draw_id: int, on_done: Callback = None,
                 on_error: ErrorCallback = None) -> None:
        """Run a pending draw with its committed seed: store the result and tasks, reveal the
        seed (a DrawOutcome, ``failed`` if no result could be drawn)."""
        seed = self._draw_seeds.get(draw_id)
        if seed is None:
            refusal = refuse(RefusalCode.DRAW_SEED_NOT_HELD,
                             f"the seed of draw {draw_id} is not held here", number=draw_id)
            log.info("draw refused: %s", refusal, extra={"event": "dispatch_refused",
                                                         "action": "draw",
                                                         "code": refusal.code.value})
            text = refusal_text(refusal)
            self.refused.emit("draw", text)
            if on_error is not None:
                on_error(text)
            return

        def ran(outcome: draw.DrawOutcome) -> None:
            self._draw_seeds.pop(draw_id, None)
            if on_done is not None:
                on_done(outcome)

        self._write("draw", partial(draw.complete_draw, actor=self.actor,
                                    jurisdiction=self.jurisdiction, draw_id=draw_id, seed=seed,
                                    clock=self.clock), ran, on_error)

    def verify_draw_seed(self, number: str, seed: str, on_done: Callback = None,
                         on_error: ErrorCallback = None) -> None:
        """Verify a stored draw with a typed seed (a Reproduction; audited, never a draw)."""
        self._write("draw_verify", partial(draw.reproduce_draw, actor=self.actor,
                                           jurisdiction=self.jurisdiction, number=number,
                                           seed=seed), on_done, on_error)

    def export_audit(self, rows: list[audit_log.AuditRow], path: Path,
                     on_done: Callback = None, on_error: ErrorCallback = None) -> None:
        """Write rows to a CSV file on a worker (on_done gets the row count).

        The export itself is recorded in the audit log (who exported how many events where).
        """
        def job(_session: Session) -> int:
            return audit_log.export_audit_csv(rows, path)

        def exported(count: int) -> None:
            self._write("audit_export", partial(
                audit_log.record_export, actor=self.actor, path=path, count=count), None)
            if on_done is not None:
                on_done(count)

        self._read("export_audit", job, exported, on_error)

    # ------------------------------------------------------------------ background
    @Slot()
    def calibrate(self) -> None:
        """Re-fit the ETA model to the fleet's recent positions."""
        self._read("calibrate", partial(ranking.calibrate_from_history, now=self.clock.now(),
                                        days=self.config.calibration_days), self._calibrated)

    def _calibrated(self, model: ranking.EtaModel) -> None:
        self.eta_model = model
        self.model_changed.emit(model)

    @Slot()
    def check_escalations(self) -> None:
        """Look for escalations to alert again (runs on a timer)."""
        after = dt.timedelta(minutes=self.config.realert_after_min)
        now = self.clock.now()
        self._read("realert", lambda s: escalation.due_realerts(s, self.jurisdiction, now, after),
                   self._realert)

    def _realert(self, rows: list[escalation.EscalationRow]) -> None:
        if not rows:
            return
        log.warning("%d escalation(s) not acknowledged: %s", len(rows),
                    ", ".join(r.incident_number for r in rows),
                    extra={"event": "escalation_realert"})
        self.escalation_due.emit(rows)
        ids = [r.id for r in rows]
        now = self.clock.now()
        self._write("realert_mark", lambda s: escalation.mark_realerted(s, ids, now), None)
