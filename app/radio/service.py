"""The TETRA radio in the console: the radio bridge's Session wired to the database and the UI.

* Outbound SDS go through :class:`~app.radio.store.DbOutboxStore` (durable before sent).
* Inbound texts and statuses are logged in ``radio_message``; statuses that name a unit state
  move the sender's unit (invalid transitions are refused with the reason, never applied).
* LIP positions go to the position ingest (officers move on the map).
* Emergencies (status 0 or LIP emergency) set the unit to EMERGENCY, create an urgent incident
  and raise an alarm the dispatcher must acknowledge.
* A queued outbound SDS can be cancelled (:meth:`RadioService.cancel`) until the radio has it;
  each cancellation is in the audit log. Texts to a configured talkgroup ask for no delivery
  report and end at ``sent``.

Callbacks run on the bridge's event thread; the composition root turns them into queued
signals. Sending runs on the service's own worker, never on the caller's (UI) thread.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db_writer import DbWriter
from app.dispatch.lifecycle import apply_radio_status
from app.radio.store import DbOutboxStore, OrderCancelled
from app.radio.talkgroups import TalkgroupScope
from app.services.incidents import Actor, create_incident, record_audit
from app.services.positions import Fix, PositionIngest
from models import Officer, RadioMessage, RadioTerminal, Unit
from models.enums import (
    IncidentCategory,
    IncidentPriority,
    IncidentSource,
    PositionSource,
    RadioDirection,
    RadioMessageKind,
    RadioMessageState,
    UnitStatus,
)
from radio_bridge import events as ev
from radio_bridge.errors import CancelRefused
from radio_bridge.session import Session as RadioSession
from radio_bridge.session import SessionConfig
from radio_bridge.status import DEFAULT_STATUS_PLAN, StatusPlan

log = logging.getLogger("app.radio.service")

_UNIT_STATES = {s.value for s in UnitStatus}
#: Repeated emergency indications from one radio within this time are one emergency.
EMERGENCY_EPISODE_S = 300.0


@dataclass(frozen=True, slots=True)
class RadioParty:
    """Who carries a radio."""

    issi: int
    officer: str
    call_sign: str
    unit_id: int | None
    #: the district the radio belongs to (its unit's, else its officer's; None: city corps)
    district_adcode: str | None = None

    def label(self) -> str:
        """"东城01 李娜" or the bare ISSI."""
        text = " ".join(p for p in (self.call_sign, self.officer) if p)
        return text or str(self.issi)


@dataclass(frozen=True, slots=True)
class EmergencyNotice:
    """A radio emergency the dispatcher must acknowledge (its incident already exists)."""

    issi: int
    party: str
    unit_id: int | None
    incident_number: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class CallActivity:
    """What the call strip shows."""

    kind: str  # started / talking / ceased / ended
    cc_instance: int
    #: GSSI of a group call (None: an individual call, or not known from this event)
    group: int | None
    talker: str
    talker_issi: int | None
    #: the talker is outside this console's jurisdiction: not named (talker, talker_issi empty)
    outside: bool = False


class RadioService:
    """Owns the radio bridge session of this console."""

    def __init__(
        self,
        port: str,
        factory: sessionmaker[Session],
        writer: DbWriter,
        ingest: PositionIngest | None,
        actor: Actor,
        *,
        config: SessionConfig | None = None,
        status_plan: StatusPlan = DEFAULT_STATUS_PLAN,
        on_link: Callable[[str, str], None] | None = None,
        on_emergency: Callable[[EmergencyNotice], None] | None = None,
        on_call: Callable[[CallActivity], None] | None = None,
        on_talkgroup: Callable[[int], None] | None = None,
        talkgroups: TalkgroupScope | None = None,
    ) -> None:
        """``talkgroups`` (default: the city, every group) scopes what ``on_call`` reports:
        a district console hears of calls on its own, city-wide and patched groups and of
        individual calls of its own radios only, and a talker outside its jurisdiction is
        named only on its own or patched groups (:meth:`_scoped_call`)."""
        self.port = port
        self._factory = factory
        self._writer = writer
        self._ingest = ingest
        self._actor = actor
        self._config = config or SessionConfig()
        self._plan = status_plan
        self._on_link = on_link
        self._on_emergency = on_emergency
        self._on_call = on_call
        self._on_talkgroup = on_talkgroup
        self.talkgroups = talkgroups or TalkgroupScope()
        #: cc_instance → (shown, talkers named) of calls started while we listened
        self._calls: dict[int, tuple[bool, bool]] = {}
        self._calls_lock = threading.Lock()
        self._parties: dict[int, RadioParty] = {}
        self._lock = threading.Lock()
        self.store = DbOutboxStore(factory, writer)
        self.session: RadioSession | None = None
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="radio-send")
        self._stop = threading.Event()
        self._pump: threading.Thread | None = None
        #: ISSI → monotonic time of its open emergency (one alarm per emergency press, which
        #: arrives as a status 0 and a LIP report with reason "emergency")
        self._emergencies: dict[int, float] = {}

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Open the port (reconnecting by itself) and start sending queued orders."""
        self.reload_parties()
        self.session = RadioSession(self.port, store=self.store, on_event=self._event,
                                    config=self._config, status_plan=self._plan)
        self.session.start()
        self._stop.clear()
        self._pump = threading.Thread(target=self._pump_orders, name="radio-orders",
                                      daemon=True)
        self._pump.start()

    def stop(self) -> None:
        """Close the port and stop the workers."""
        self._stop.set()
        if self._pump is not None:
            self._pump.join(5)
        self._sender.shutdown(wait=True, cancel_futures=True)
        if self.session is not None:
            self.session.stop()

    def reload_parties(self) -> None:
        """Reload who carries which radio."""
        parties: dict[int, RadioParty] = {}
        with self._factory() as session:
            rows = session.execute(
                select(RadioTerminal.issi, Officer.name, Unit.call_sign, RadioTerminal.unit_id,
                       Unit.district_adcode, Officer.district_adcode)
                .join(Officer, Officer.id == RadioTerminal.officer_id, isouter=True)
                .join(Unit, Unit.id == RadioTerminal.unit_id, isouter=True)
            ).all()
        for issi, name, call_sign, unit_id, unit_district, officer_district in rows:
            # as models.jurisdiction.scope: the radio's unit, else its officer, decides
            district = unit_district if unit_id is not None else officer_district
            parties[issi] = RadioParty(issi, name or "", call_sign or "", unit_id, district)
        with self._lock:
            self._parties = parties

    def party(self, issi: int | None) -> RadioParty | None:
        """Who carries radio ``issi``."""
        if issi is None:
            return None
        with self._lock:
            return self._parties.get(issi)

    def describe(self, issi: int | None) -> str:
        """A readable name for an ISSI."""
        found = self.party(issi)
        return found.label() if found is not None else (str(issi) if issi is not None else "?")

    # ------------------------------------------------------------------ sending
    def send_text(self, issi: int, text: str) -> Future[str]:
        """Queue a text to ``issi`` (stored before sent); the future gives the message id."""
        session = self._require_session()
        return self._sender.submit(session.send_text, issi, text, report=True)

    def send_status(self, issi: int, value: int) -> Future[str]:
        """Send a pre-coded status to ``issi``."""
        session = self._require_session()
        return self._sender.submit(session.send_status, issi, value)

    def cancel(self, row_id: int) -> Future[None]:
        """Withdraw the queued outbound SDS of ``radio_message`` row ``row_id`` (audited).

        The future fails with :class:`~radio_bridge.errors.CancelRefused` (its ``reason`` in
        words) when the radio already has the message or it is not an outgoing one.
        """
        session = self._require_session()
        return self._sender.submit(self._cancel, session, row_id)

    def _cancel(self, radio: RadioSession, row_id: int) -> None:  # radio-send thread
        with self._factory() as db:
            row = db.get(RadioMessage, row_id)
            if row is None or row.direction is not RadioDirection.OUTBOUND:
                raise CancelRefused(str(row_id), "not an outgoing message")
            key, issi, text = row.outbox_key, row.dest_issi, row.text
        if key is None:
            # a dispatch order the radio has not taken yet: withdraw it in the database, in
            # the writer's order with the adoption that would hand it to the radio
            def withdraw(db: Session) -> tuple[str, str]:
                found = db.get(RadioMessage, row_id)
                if found is None:
                    return "refused", "no such message"
                if found.outbox_key is not None:  # the radio took it meanwhile
                    return "key", found.outbox_key
                if found.state is not RadioMessageState.QUEUED:
                    return "refused", f"already {found.state.value}"
                found.state = RadioMessageState.CANCELLED
                found.error = "cancelled by the dispatcher"
                record_audit(db, self._actor, "radio.cancel", "radio_message", str(row_id),
                             issi=issi, text=text)
                return "done", ""

            what, value = self._writer.submit(withdraw, label="radio cancel").result(15)
            if what == "refused":
                raise CancelRefused(str(row_id), value)
            if what == "done":
                log.info("radio message %d cancelled before the radio took it", row_id)
                return
            key = value
        radio.cancel(key)  # CancelRefused with the reason when the radio already has it

        def audit(db: Session) -> None:
            record_audit(db, self._actor, "radio.cancel", "radio_message", str(row_id),
                         issi=issi, text=text, outbox=key)

        try:
            self._writer.submit(audit, label="radio cancel audit").result(15)
        except Exception:
            log.exception("radio message %d was cancelled but the audit entry failed", row_id)
        log.info("radio message %d (%s) cancelled", row_id, key)

    def select_talkgroup(self, gssi: int) -> None:
        """Attach the gateway radio to talkgroup ``gssi`` (result arrives as an event); another
        district's group (not patched in) is refused and logged."""
        if not self.talkgroups.visible(gssi):
            log.error("talkgroup %d belongs to another district and is not patched into this "
                      "console (%s): not selected", gssi, self.talkgroups.jurisdiction)
            return
        self._require_session().select_talkgroup(gssi)

    def _require_session(self) -> RadioSession:
        if self.session is None:
            raise RuntimeError("the radio is not started")
        return self.session

    def _pump_orders(self) -> None:
        """Send dispatch orders that were queued in the database without the radio."""
        while not self._stop.wait(1.0):
            try:
                self._send_pending_orders()
            except Exception:
                log.exception("sending queued dispatch orders failed")

    def _send_pending_orders(self) -> None:
        session = self.session
        if session is None:
            return
        with self._factory() as db:
            rows = db.execute(
                select(RadioMessage.id, RadioMessage.dest_issi, RadioMessage.text)
                .where(RadioMessage.direction == RadioDirection.OUTBOUND,
                       RadioMessage.state == RadioMessageState.QUEUED,
                       RadioMessage.outbox_key.is_(None),
                       RadioMessage.dest_issi.is_not(None))
                .order_by(RadioMessage.id)
            ).all()
        for row_id, issi, text in rows:
            if self._stop.is_set():
                return
            if issi is None:  # excluded by the query; keeps the type checker honest
                continue
            self.store.adopt_next(row_id)
            try:
                session.send_text(int(issi), text or "", report=True)
            except OrderCancelled:
                self.store.forget_adoption()
                log.info("dispatch order %d was cancelled before it was sent", row_id)
            except Exception:
                self.store.forget_adoption()
                log.exception("dispatch order %d could not be queued on the radio", row_id)

    # ------------------------------------------------------------------ events
    def _event(self, event: ev.RadioEvent) -> None:  # radio-events thread
        try:
            self._handle(event)
        except Exception:
            log.exception("radio event %s failed", type(event).__name__)

    def _handle(self, event: ev.RadioEvent) -> None:
        if isinstance(event, ev.LinkStateChanged):
            if self._on_link is not None:
                self._on_link(str(event.state), event.detail)
        elif isinstance(event, ev.LocationReport):
            if event.latitude is not None and event.longitude is not None \
                    and event.source is not None and self._ingest is not None:
                self._ingest.submit(Fix(
                    PositionSource.LIP, str(event.source), event.at, event.latitude,
                    event.longitude, speed_kmh=event.speed_kmh, heading_deg=event.heading_deg,
                    accuracy_m=float(event.position_error_m)
                    if event.position_error_m is not None else None,
                ))
        elif isinstance(event, ev.StatusReceived):
            self._status(event)
        elif isinstance(event, ev.EmergencyAlarm):
            self._emergency(event)
        elif isinstance(event, ev.TextMessageReceived):
            self._inbound(RadioMessageKind.TEXT, event.source, event.destination,
                          text=event.text, ref=event.reference)
        elif isinstance(event, ev.CallStarted):
            self._call(CallActivity("started", event.cc_instance,
                                    event.called if event.group else None,
                                    self.describe(event.caller), event.caller))
        elif isinstance(event, ev.TxGranted):
            talker = event.talking_party
            self._call(CallActivity("talking", event.cc_instance, None,
                                    self.describe(talker), talker))
        elif isinstance(event, ev.TxCeased):
            self._call(CallActivity("ceased", event.cc_instance, None, "", None))
        elif isinstance(event, ev.CallEnded):
            self._call(CallActivity("ended", event.cc_instance, None, "", None))
        elif isinstance(event, ev.TalkgroupSelected):
            if self._on_talkgroup is not None:
                self._on_talkgroup(event.gssi)
        elif isinstance(event, ev.MalformedInput):
            log.warning("radio sent a malformed line %r: %s", event.line, event.reason)

    def _call(self, activity: CallActivity) -> None:
        shown = self._scoped_call(activity)
        if shown is not None and self._on_call is not None:
            self._on_call(shown)

    def _covers(self, issi: int | None) -> bool:
        party = self.party(issi)
        return party is not None and self.talkgroups.jurisdiction.covers(party.district_adcode)

    def _scoped_call(self, activity: CallActivity) -> CallActivity | None:
        """``activity`` as this console may see it, or None when it may not see the call.

        A group call is shown when its group is followed (:meth:`TalkgroupScope.visible`), an
        individual call when its caller is one of this console's radios. The talker is named
        on the console's own or patched groups and when the radio is within the jurisdiction;
        otherwise the call shows as "a radio outside this district". A call that began before
        the console listened is judged by its talker.
        """
        scope = self.talkgroups
        if scope.jurisdiction.is_city:
            return activity
        cc = activity.cc_instance
        with self._calls_lock:
            if activity.kind == "started":
                if activity.group is not None:
                    known = (scope.visible(activity.group), scope.is_party(activity.group))
                else:
                    known = (self._covers(activity.talker_issi), False)
                self._calls[cc] = known
                while len(self._calls) > 256:  # calls whose end we never heard
                    del self._calls[next(iter(self._calls))]
            else:
                found = self._calls.get(cc)
                if activity.kind == "ended":
                    self._calls.pop(cc, None)
                known = found if found is not None else \
                    (activity.talker_issi is None or self._covers(activity.talker_issi), False)
        shown, named = known
        if not shown:
            return None
        if activity.talker_issi is not None and not named \
                and not self._covers(activity.talker_issi):
            return dataclasses.replace(activity, talker="", talker_issi=None, outside=True)
        return activity

    def _inbound(self, kind: RadioMessageKind, source: int | None, destination: int, *,
                 text: str = "", status: int | None = None, ref: int | None = None) -> None:
        def job(session: Session) -> None:
            session.add(RadioMessage(
                direction=RadioDirection.INBOUND, kind=kind, source_issi=source,
                dest_issi=destination, text=text, status_code=status, message_ref=ref,
                state=RadioMessageState.RECEIVED,
            ))

        self._writer.submit(job, label="radio inbound")

    def _status(self, event: ev.StatusReceived) -> None:
        label = event.label_zh or event.label
        self._inbound(RadioMessageKind.STATUS, event.source, event.destination, text=label,
                      status=event.value)
        if event.key in _UNIT_STATES and event.source is not None \
                and event.key != UnitStatus.EMERGENCY.value:
            new = UnitStatus(str(event.key))
            source = event.source

            def job(session: Session) -> None:
                # refused changes are logged by apply_radio_status and not applied
                apply_radio_status(session, source, new, note=f"状态码 {label}")

            self._writer.submit(job, label="radio status")

    def clear_emergency(self, issi: int) -> None:
        """The dispatcher handled this radio's emergency: a new one raises a new alarm."""
        with self._lock:
            self._emergencies.pop(issi, None)

    def _emergency(self, event: ev.EmergencyAlarm) -> None:
        issi = event.source
        party = self.describe(issi)
        if issi is not None:
            now = time.monotonic()
            with self._lock:
                opened = self._emergencies.get(issi)
                if opened is not None and now - opened < EMERGENCY_EPISODE_S:
                    log.info("emergency from %s (%s) already open", issi, event.origin)
                    return
                self._emergencies[issi] = now
        log.warning("EMERGENCY from radio %s (%s)", issi, party,
                    extra={"event": "radio_emergency", "issi": issi})

        def job(session: Session) -> EmergencyNotice:
            unit = None
            if issi is not None:
                unit = session.scalars(
                    select(Unit).join(RadioTerminal, RadioTerminal.unit_id == Unit.id)
                    .where(RadioTerminal.issi == issi)
                ).first()
                apply_radio_status(session, issi, UnitStatus.EMERGENCY, note="紧急呼叫")
            incident = create_incident(
                session, self._actor, source=IncidentSource.RADIO_EMERGENCY,
                category=IncidentCategory.OFFICER_EMERGENCY, priority=IncidentPriority.URGENT,
                title=f"队员紧急求助 {party}",
                description=f"电台 {issi} 发出紧急告警（{event.origin}）。",
                district_adcode=unit.district_adcode if unit is not None else None,
                lat=event.latitude if event.latitude is not None
                else (unit.last_lat if unit is not None else None),
                lon=event.longitude if event.longitude is not None
                else (unit.last_lon if unit is not None else None),
            )
            return EmergencyNotice(issi or 0, party, unit.id if unit is not None else None,
                                   incident.number, incident.lat, incident.lon)

        future = self._writer.submit(job, label="radio emergency")
        if self._on_emergency is not None:
            callback = self._on_emergency
            future.add_done_callback(
                lambda f: callback(f.result()) if f.exception() is None else None
            )
