"""Wiring of the dispatch dialogs to :class:`app.dispatch.service.DispatchService`.

Each ``bind_*`` connects a dialog's requests to the service and the service's answers back to
the dialog; answers that arrive after the dialog was closed and deleted are dropped. The main
window creates a dialog with the data it already has, binds it, and shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject

from app.dispatch.draw import DrawOutcome, DrawParams
from app.dispatch.intake import IntakeRequest, IntakeResult
from app.dispatch.lifecycle import AssignResult, IncidentChange, ReassignResult
from app.dispatch.records import OrderState
from app.dispatch.service import DispatchService
from models.dispatch import IncidentOutcome
from models.enums import IncidentCategory
from widgets.dispatch.audit_viewer import AuditLogViewer
from widgets.dispatch.close_dialog import CloseIncidentDialog
from widgets.dispatch.draw_dialog import DrawDialog
from widgets.dispatch.escalate_dialog import EscalateDialog
from widgets.dispatch.intake_form import IntakeForm
from widgets.dispatch.recommendation import RecommendationPanel


def _alive(obj: QObject, fn: Callable[..., Any]) -> Callable[..., None]:
    """``fn`` that does nothing once ``obj`` has been deleted."""
    def call(*args: Any) -> None:
        if shiboken6.isValid(obj):
            fn(*args)

    return call


def bind_intake(form: IntakeForm, service: DispatchService,
                on_created: Callable[[IntakeResult], None] | None = None) -> None:
    """Duplicates come from the service; a confirmed complaint is created, then the form closes."""
    def duplicates(venue_id: int, category: str) -> None:
        service.find_duplicates(venue_id, IncidentCategory(category),
                                _alive(form, form.show_duplicates))

    def created(result: IntakeResult) -> None:
        form.accept()
        if on_created is not None:
            on_created(result)

    def submitted(request: IntakeRequest) -> None:
        service.intake(request, on_done=_alive(form, created),
                       on_error=_alive(form, form.show_refusal))

    form.duplicates_wanted.connect(duplicates)
    form.submitted.connect(submitted)


def bind_recommendations(panel: RecommendationPanel, service: DispatchService) -> \
        Callable[[frozenset[str]], None]:
    """Assignments go through the service; the order's delivery state follows the outbox.

    Returns the slot to connect to the bridge's ``data_changed`` signal: it refreshes the
    order's delivery state when the radio outbox changes.
    """
    pending: dict[int, str] = {}  # radio message id → call sign

    def show_states(states: list[OrderState]) -> None:
        for st in states:
            call_sign = pending.get(st.id)
            if call_sign is not None:
                panel.show_order_state(call_sign, st.state, st.error)

    def assigned(result: AssignResult) -> None:
        pending.clear()
        if result.order.message_id is None:
            panel.show_order_state(result.call_sign, None)
            return
        pending[result.order.message_id] = result.call_sign
        service.order_states([result.order.message_id], _alive(panel, show_states))

    def reassigned(result: ReassignResult) -> None:
        assigned(result.assigned)

    def assign(incident_id: int, unit_id: int) -> None:
        service.assign(incident_id, unit_id, on_done=_alive(panel, assigned),
                       on_error=_alive(panel, panel.show_refusal))

    def reassign(incident_id: int, from_unit: int, to_unit: int) -> None:
        service.reassign(incident_id, from_unit, to_unit, on_done=_alive(panel, reassigned),
                         on_error=_alive(panel, panel.show_refusal))

    def data_changed(tables: frozenset[str]) -> None:
        if "radio_message" in tables and pending and shiboken6.isValid(panel):
            service.order_states(list(pending), _alive(panel, show_states))

    panel.assign_requested.connect(assign)
    panel.reassign_requested.connect(reassign)
    return data_changed


def bind_close(dialog: CloseIncidentDialog, service: DispatchService,
               on_closed: Callable[[IncidentChange], None] | None = None) -> None:
    """The close request goes to the service; the dialog closes when it is done."""
    def closed(change: IncidentChange) -> None:
        dialog.accept()
        if on_closed is not None:
            on_closed(change)

    dialog.close_requested.connect(
        lambda incident_id, outcome, note: service.close(
            incident_id, IncidentOutcome(outcome), note, on_done=_alive(dialog, closed),
            on_error=_alive(dialog, dialog.show_refusal)))


def bind_escalate(dialog: EscalateDialog, service: DispatchService) -> None:
    """Escalation or hand-over through the service; the dialog closes when it is done."""
    done = _alive(dialog, lambda _row: dialog.accept())
    error = _alive(dialog, dialog.show_refusal)
    dialog.escalate_requested.connect(
        lambda incident_id, reason: service.escalate(incident_id, reason, on_done=done,
                                                     on_error=error))
    dialog.handover_requested.connect(
        lambda incident_id, district, reason: service.hand_over(
            incident_id, district, reason, on_done=done, on_error=error))


def bind_draw(dialog: DrawDialog, service: DispatchService) -> None:
    """Draws (commit, then run), typed-seed verifications and the history through the service
    (the history is loaded now)."""
    history = _alive(dialog, dialog.set_history)

    def shown(outcome: DrawOutcome) -> None:
        dialog.show_outcome(outcome, runnable=service.holds_draw_seed(outcome.record.id))

    def drawn(outcome: DrawOutcome) -> None:
        shown(outcome)
        service.draws(history)

    def commit(params: DrawParams) -> None:
        service.prepare_draw(params, on_done=_alive(dialog, drawn),
                             on_error=_alive(dialog, dialog.show_refusal))

    def run(draw_id: int) -> None:
        service.run_draw(draw_id, on_done=_alive(dialog, drawn),
                         on_error=_alive(dialog, dialog.show_refusal))

    def verify(number: str, seed: str) -> None:
        service.verify_draw_seed(number, seed, on_done=_alive(dialog, dialog.show_reproduction),
                                 on_error=_alive(dialog, dialog.show_verification_refusal))

    dialog.draw_requested.connect(commit)
    dialog.run_requested.connect(run)
    dialog.verify_requested.connect(verify)
    dialog.draw_wanted.connect(
        lambda draw_id: service.load_draw(draw_id, _alive(dialog, shown),
                                          _alive(dialog, dialog.show_refusal)))
    service.draws(history)


def bind_audit(viewer: AuditLogViewer, service: DispatchService) -> None:
    """Searches and exports through the service (the action list is loaded now)."""
    viewer.query_requested.connect(
        lambda flt: service.audit(flt, _alive(viewer, viewer.set_rows),
                                  _alive(viewer, viewer.show_error)))
    viewer.export_requested.connect(
        lambda path: service.export_audit(viewer.rows(), Path(path),
                                          _alive(viewer, viewer.show_exported),
                                          _alive(viewer, viewer.show_error)))
    service.audit_actions(_alive(viewer, viewer.set_actions))
