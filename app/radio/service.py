"""The TETRA radio in the console: the radio bridge's Session wired to the database and the UI.

* Outbound SDS go through :class:`~app.radio.store.DbOutboxStore` (durable before sent).
* Inbound texts and statuses are logged in ``radio_message``; statuses that name a unit state
  move the sender's unit (invalid transitions are refused with the reason, never applied).
* LIP positions go to the position ingest (officers move on the map).
* Emergencies (status 0 or LIP emergency) set the unit to EMERGENCY, create an urgent incident
  and raise an alarm the dispatcher must acknowledge.

Callbacks run on the bridge's event thread; the composition root turns them into queued
signals. Sending runs on the service's own worker, never on the caller's (UI) thread.
"""

from __future__ import annotations

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
from app.radio.store import DbOutboxStore
from app.services.incidents import Actor, create_incident
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
    group: int | None
    talker: str
    talker_issi: int | None


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
    ) -> None:
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
                select(RadioTerminal.issi, Officer.name, Unit.call_sign, RadioTerminal.unit_id)
                .join(Officer, Officer.id == RadioTerminal.officer_id, isouter=True)
                .join(Unit, Unit.id == RadioTerminal.unit_id, isouter=True)
            ).all()
        for issi, name, call_sign, unit_id in rows:
            parties[issi] = RadioParty(issi, name or "", call_sign or "", unit_id)
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

    def select_talkgroup(self, gssi: int) -> None:
        """Attach the gateway radio to talkgroup ``gssi`` (result arrives as an event)."""
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
            self._call(CallActivity("started", event.cc_instance, event.group,
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
        if self._on_call is not None:
            self._on_call(activity)

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
