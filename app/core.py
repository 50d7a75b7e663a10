"""The application core: database, writer, readers and live queries, started in order.

:class:`ConsoleCore` holds every service the widgets use. It imports no widgets; the
composition root (``app.__main__``) builds it, registers its parts on a
:class:`~app.lifecycle.Lifecycle` and hands it to the main window.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.alarms import AlarmCenter
from app.analysis.rules import load_rules
from app.bridge import LinkState, Subsystem, UiBridge
from app.db_writer import DbWriter
from app.dispatch.escalation import EscalationRow
from app.dispatch.service import DispatchConfig, DispatchService
from app.dispatch.timers import load_timer_inputs
from app.evidence.anchor import FileAnchor, PeriodicAnchor
from app.evidence.cli import default_anchor_dir
from app.evidence.keys import KEY_DIR_NAME, load_or_create_signer
from app.labels import (
    escalation_alarm_text,
    geofence_alarm_text,
    radio_emergency_text,
    sos_alarm_text,
)
from app.lifecycle import Lifecycle
from app.live_query import LiveQuery
from app.media.recorder import RecorderMonitor, RecorderWarning
from app.media.service import MediaService
from app.paths import AppPaths
from app.priority import Background, lower_this_thread
from app.radio.service import EmergencyNotice, RadioService
from app.radio.talkgroups import TalkgroupScope
from app.services.directory import (
    load_incidents,
    load_performances,
    load_radio_log,
    load_units,
)
from app.services.geofences import GeofenceAlarm, GeofenceService, GeofenceWorker
from app.services.incidents import Actor
from app.services.map_data import load_map_static
from app.services.positions import (
    DeviceDirectory,
    LocatedFix,
    PositionIngest,
    in_jurisdiction,
)
from app.settings import Settings
from app.speech.engine import DecodePolicy, Recognizer, load_model
from app.speech.model_install import is_installed
from app.speech.retention import RecordingRetention
from app.speech.scheduler import PerformanceScheduler
from app.speech.service import LiveTranscriptionService
from app.tracking.service import SosNotice, TrackingService
from models import Jurisdiction
from models.clock import Clock
from models.clock import installed as installed_clock
from models.db import make_engine, make_session_factory, prepare_database
from models.ledger import SIGNER_KEY, sign_if_behind

log = logging.getLogger("app.core")


@dataclass(frozen=True, slots=True)
class DatabaseTarget:
    """Which database to use and whether this console may upgrade it."""

    url: str

    @property
    def is_sqlite(self) -> bool:
        """An embedded SQLite file (upgraded on start; polled less)."""
        return make_url(self.url).get_backend_name() == "sqlite"

    def display(self) -> str:
        """The URL without a password, for logs and the status bar."""
        return make_url(self.url).render_as_string(hide_password=True)


class ConsoleCore:
    """Services of one console. Construct on the UI thread, then :meth:`register` parts."""

    def __init__(self, settings: Settings, db: DatabaseTarget, bridge: UiBridge, *,
                 clock: Clock | None = None, demo: bool = False) -> None:
        self.clock = clock or installed_clock()
        #: the demo: recordings of earlier demo sessions are deleted on start
        self.demo = demo
        self.settings = settings
        self.db = db
        self.bridge = bridge
        self.jurisdiction: Jurisdiction = settings.console.jurisdiction_value
        self.actor = Actor(settings.console.operator, settings.console.console_name)
        radio = settings.radio
        #: the talkgroups this console follows (a district: its own, city-wide and patched)
        self.talkgroups = TalkgroupScope(self.jurisdiction, radio.talkgroup_district_map,
                                         radio.patched_talkgroup_set)
        #: the talkgroups the radio panel offers, (GSSI, name)
        self.talkgroup_list = self.talkgroups.offered(radio.talkgroup_list)
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None
        self.writer: DbWriter | None = None
        self.readers: ThreadPoolExecutor | None = None
        self.units: LiveQuery | None = None
        self.incidents: LiveQuery | None = None
        self.map_static: LiveQuery | None = None
        self.timers: LiveQuery | None = None
        self.performances: LiveQuery | None = None
        self.alarms = AlarmCenter(clock=self.clock)
        self.devices = DeviceDirectory()
        self.positions: PositionIngest | None = None
        self.tracking: TrackingService | None = None
        self.radio: RadioService | None = None
        self.radio_log: LiveQuery | None = None
        self.geofences: GeofenceService | None = None
        self.geofence_worker: GeofenceWorker | None = None
        #: what is overloaded now (writer queue, position backlog) → detail for the status bar
        self._overloads: dict[str, str] = {}
        self._overload_lock = threading.Lock()
        self.dispatch: DispatchService | None = None
        self.media: MediaService | None = None
        self.speech: LiveTranscriptionService | None = None
        self.scheduler: PerformanceScheduler | None = None
        self.retention: RecordingRetention | None = None
        self.recorder: RecorderMonitor | None = None
        #: anchors the evidence ledger's signed tree heads outside the database
        self.ledger_anchor: PeriodicAnchor | None = None
        bridge.vehicle_sos.connect(self._vehicle_sos)
        bridge.radio_emergency.connect(self._radio_emergency)
        bridge.geofence_alarm.connect(self._geofence_alarm)

    # ------------------------------------------------------------------ parts
    def register(self, lifecycle: Lifecycle) -> None:
        """Add this core's parts to ``lifecycle`` in start order."""
        lifecycle.add("database", self._start_database, self._stop_database)
        lifecycle.add("database writer", self._start_writer, self._stop_writer)
        lifecycle.add("evidence ledger anchoring", self._start_anchor, self._stop_anchor)
        lifecycle.add("live queries", self._start_queries, self._stop_queries)
        lifecycle.add("dispatch", self._start_dispatch, self._stop_dispatch)
        lifecycle.add("video sources", self._start_media, self._stop_media)
        lifecycle.add("live transcription", self._start_speech, self._stop_speech)
        lifecycle.add("recording retention", self._start_retention, self._stop_retention)
        lifecycle.add("geofences", self._start_geofences, self._stop_geofences)
        lifecycle.add("position ingest", self._start_positions, self._stop_positions)
        lifecycle.add("vehicle positioning (JT/T 808)", self._start_tracking,
                      self._stop_tracking)
        lifecycle.add("radio (TETRA PEI)", self._start_radio, self._stop_radio)

    def _start_database(self) -> None:
        self.bridge.set_link_state(Subsystem.DATABASE, LinkState.CONNECTING, self.db.display())
        self.engine = make_engine(self.db.url)
        state = prepare_database(self.engine, auto_upgrade=self.db.is_sqlite)
        self.sessions = make_session_factory(self.engine)
        self._sign_ledger(self.sessions)
        log.info("database %s at schema %s", self.db.display(), state.current,
                 extra={"event": "database_ready", "schema": state.current})
        self.bridge.set_link_state(Subsystem.DATABASE, LinkState.UP, self.db.display())

    def _sign_ledger(self, sessions: sessionmaker[Session]) -> None:
        """Every transaction of this console that grows the evidence ledger also signs its
        tree head with this console's key (kept outside the database)."""
        try:
            signer = load_or_create_signer(AppPaths.default().config_dir / KEY_DIR_NAME,
                                           self.actor.console_id)
        except (OSError, ValueError) as exc:
            log.error("evidence ledger signing key unusable, tree heads stay unsigned until "
                      "`python -m app evidence sign`: %s", exc,
                      extra={"event": "ledger_key_failed"})
            return
        sessions.configure(info={SIGNER_KEY: signer})
        log.info("evidence ledger tree heads signed with key %s", signer.key_id,
                 extra={"event": "ledger_signer", "key_id": signer.key_id})

    def _start_anchor(self) -> None:
        assert self.sessions is not None and self.writer is not None
        signer = self.sessions.kw.get("info", {}).get(SIGNER_KEY)
        if signer is not None:  # leaves written without a key (seeding, a migration)
            self.writer.submit(partial(sign_if_behind, signer=signer), label="ledger head")
        self.ledger_anchor = PeriodicAnchor(self.sessions, FileAnchor(default_anchor_dir()),
                                            interval_s=60.0 if self.demo else 300.0)
        self.ledger_anchor.start()

    def _stop_anchor(self) -> None:
        if self.ledger_anchor is not None:
            self.ledger_anchor.stop()
            self.ledger_anchor = None

    def _stop_database(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None
        self.bridge.set_link_state(Subsystem.DATABASE, LinkState.DOWN, "")

    def _start_writer(self) -> None:
        assert self.sessions is not None
        self.writer = DbWriter(
            self.sessions, on_commit=self.bridge.data_changed.emit,
            on_overload=lambda on, queued: self._overload(
                "writer", on, f"database writer: {queued} jobs queued"))
        self.writer.start()
        self.readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="db-reader",
                                          initializer=lower_this_thread,
                                          initargs=(Background.INGEST,))

    def _stop_writer(self) -> None:
        if self.writer is not None:
            self.writer.stop()
        if self.readers is not None:
            self.readers.shutdown(wait=True, cancel_futures=True)

    def _start_queries(self) -> None:
        assert self.sessions is not None and self.readers is not None
        # Other consoles write a shared database too: poll it; SQLite is ours alone.
        poll = 10.0 if self.db.is_sqlite else 3.0
        self.units = LiveQuery(
            "units", partial(load_units, jurisdiction=self.jurisdiction), self.sessions,
            self.readers,
            tables={"unit", "officer", "radio_terminal", "body_camera", "vehicle", "assignment"},
            poll_s=poll,
        )
        self.incidents = LiveQuery(
            "incidents", partial(load_incidents, jurisdiction=self.jurisdiction, clock=self.clock),
            self.sessions, self.readers, tables={"incident", "assignment", "incident_event"},
            poll_s=poll,
        )
        self.map_static = LiveQuery(
            "map layers", partial(load_map_static, jurisdiction=self.jurisdiction),
            self.sessions, self.readers, tables={"district", "venue", "officer"}, poll_s=60.0,
        )
        self.timers = LiveQuery(
            "incident timers", partial(load_timer_inputs, jurisdiction=self.jurisdiction),
            self.sessions, self.readers, tables={"incident", "incident_event"}, poll_s=poll,
        )
        self.performances = LiveQuery(
            "performances",
            partial(load_performances, jurisdiction=self.jurisdiction, clock=self.clock),
            self.sessions, self.readers, tables={"performance"}, poll_s=60.0,
        )
        for query in (self.units, self.incidents, self.map_static, self.timers,
                      self.performances):
            self.bridge.data_changed.connect(query.on_data_changed)
            query.refresh()

    def _stop_queries(self) -> None:
        for query in (self.units, self.incidents, self.map_static, self.timers,
                      self.performances):
            if query is not None:
                query.stop()
                self.bridge.data_changed.disconnect(query.on_data_changed)

    # ------------------------------------------------------------------ video
    def _start_media(self) -> None:
        assert self.sessions is not None and self.writer is not None
        assert self.readers is not None and self.units is not None
        self.media = MediaService(
            evidence_dir=AppPaths.default().data_dir / "evidence", sessions=self.sessions,
            jurisdiction=self.jurisdiction, writer=self.writer, actor=self.actor,
            executor=self.readers, bridge=self.bridge,
            # decoding stays out of the UI's process (it starved the UI of the interpreter
            # lock); the worker's log sits beside the console's
            worker_process=True, worker_log=AppPaths.default().log_dir / "media-worker.log",
        )
        self.media.start()
        self.bridge.data_changed.connect(self.media.on_data_changed)
        self.recorder = RecorderMonitor(self.media)
        self.units.loaded.connect(self.recorder.set_units)
        self.recorder.set_units(self.units.rows)
        self.recorder.warning_raised.connect(self._recorder_warning)
        self.recorder.start()

    def _stop_media(self) -> None:
        if self.recorder is not None:
            self.recorder.stop()
            if self.units is not None:
                self.units.loaded.disconnect(self.recorder.set_units)
        if self.media is not None:
            self.bridge.data_changed.disconnect(self.media.on_data_changed)
            self.media.stop()

    def _recorder_warning(self, warning: RecorderWarning) -> None:  # UI thread
        self.alarms.raise_alarm("recorder_not_live", warning.text(), unit_id=warning.unit_id,
                                key=str(warning.unit_id))

    # ------------------------------------------------------------------ speech
    def _start_speech(self) -> None:
        data_dir = AppPaths.default().data_dir
        model_dir = self.settings.speech.resolved_model_dir(data_dir)
        if not is_installed(model_dir):
            log.info("no speech model at %s: live transcription is off", model_dir)
            self.bridge.set_link_state(
                Subsystem.SPEECH, LinkState.NOT_CONFIGURED,
                f"no model at {model_dir}: set speech.model_dir or run "
                "`python -m app models install`")
            return
        self.bridge.set_link_state(Subsystem.SPEECH, LinkState.CONNECTING, str(model_dir))
        self.speech = LiveTranscriptionService(self.settings.speech, data_dir,
                                               writer=self.writer, actor=self.actor)
        self.speech.model_state.connect(self._speech_model_state)
        self.speech.start()
        # recording while a scheduled performance is on, and the analysis after the show
        speech = self.settings.speech
        assert self.sessions is not None and self.writer is not None

        def recognizer() -> Recognizer:  # loaded when a show has ended, on the scheduler thread
            return Recognizer(load_model(model_dir, cpu_threads=1,
                                         workers=speech.worker_count(),
                                         compute_type=speech.compute_type),
                              DecodePolicy(language=speech.language))

        self.scheduler = PerformanceScheduler(
            self.sessions, self.writer, self.actor, self.speech, speech, data_dir,
            recognizer=recognizer,
            rules=load_rules(Path(speech.rules_file) if speech.rules_file else None),
        )
        self.scheduler.start()

    def _stop_speech(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.speech is not None:
            self.speech.stop()

    def _start_retention(self) -> None:
        """Delete old recordings now and hourly (also without a speech model: earlier runs')."""
        data_dir = AppPaths.default().data_dir
        speech = self.settings.speech
        evidence = [data_dir / "evidence", data_dir / "clips"]
        if self.media is not None:
            evidence.append(self.media.evidence_dir)
        self.retention = RecordingRetention(
            speech.resolved_recording_dir(data_dir), dt.timedelta(days=speech.retention_days),
            clock=self.clock, purge_before=self.clock.now() if self.demo else None,
            evidence_dirs=evidence)
        self.retention.start()

    def _stop_retention(self) -> None:
        if self.retention is not None:
            self.retention.stop()

    def _speech_model_state(self, state: str, detail: str) -> None:
        mapped = {"ready": LinkState.UP, "loading": LinkState.CONNECTING}.get(
            state, LinkState.DOWN)
        self.bridge.set_link_state(Subsystem.SPEECH, mapped, detail)

    # ------------------------------------------------------------------ dispatch
    def _start_dispatch(self) -> None:
        assert self.sessions is not None and self.writer is not None
        assert self.readers is not None
        cfg = self.settings.dispatch
        self.dispatch = DispatchService(
            self.sessions, self.writer, self.readers, self.actor, self.jurisdiction,
            DispatchConfig(duplicate_window_hours=cfg.duplicate_window_hours,
                           realert_after_min=cfg.realert_after_min,
                           stale_position_s=cfg.stale_position_s,
                           calibration_days=cfg.calibration_days,
                           recalibrate_h=cfg.recalibrate_h),
            clock=self.clock,
        )
        self.dispatch.escalation_due.connect(self._escalations_due)
        self.dispatch.start()

    def _stop_dispatch(self) -> None:
        if self.dispatch is not None:
            self.dispatch.stop()

    def _escalations_due(self, rows: list[EscalationRow]) -> None:  # UI thread
        dispatch = self.dispatch
        for row in rows:

            def acknowledged(_operator: str, escalation_id: int = row.id) -> None:
                if dispatch is not None:
                    dispatch.acknowledge(escalation_id)

            # still on the alarm bar from the last alert: not raised twice
            self.alarms.raise_alarm(
                "escalation", escalation_alarm_text(row.incident_title, bool(row.alert_count)),
                incident_number=row.incident_number, on_ack=acknowledged,
                key=row.incident_number)

    # ------------------------------------------------------------------ positions
    def _start_positions(self) -> None:
        assert self.sessions is not None and self.writer is not None
        with self.sessions() as session:
            self.devices.load(session)
        self.positions = PositionIngest(
            self.writer, self.devices, interval_s=0.5, on_flushed=self._positions_stored,
            on_overload=lambda on, detail: self._overload("positions", on, detail))
        self.positions.start()
        self.bridge.data_changed.connect(self._devices_changed)

    def _positions_stored(self, fixes: list[LocatedFix]) -> None:  # writer thread
        # every fix is stored; only those of this console's jurisdiction go further
        fixes = in_jurisdiction(fixes, self.jurisdiction)
        if not fixes:
            return
        self.bridge.positions.emit(fixes)
        if self.geofence_worker is not None:  # checked on its own thread, never here
            self.geofence_worker.submit(fixes)

    def _overload(self, source: str, active: bool, detail: str) -> None:  # any thread
        """Show an overloaded writer or position backlog as a degraded database link."""
        with self._overload_lock:
            if active:
                self._overloads[source] = detail
            else:
                self._overloads.pop(source, None)
            text = "; ".join(self._overloads.values())
            if text:
                self.bridge.set_link_state(Subsystem.DATABASE, LinkState.DEGRADED,
                                           f"overloaded: {text}")
            elif self.engine is not None:
                self.bridge.set_link_state(Subsystem.DATABASE, LinkState.UP, self.db.display())

    def _start_geofences(self) -> None:
        assert self.sessions is not None and self.writer is not None
        self.geofences = GeofenceService(self.sessions, self.writer, self.actor,
                                         on_alarm=self.bridge.geofence_alarm.emit,
                                         on_fences=self.bridge.geofences_changed.emit,
                                         jurisdiction=self.jurisdiction)
        self.geofences.load()
        self.geofence_worker = GeofenceWorker(self.geofences)
        self.geofence_worker.start()

    def _stop_geofences(self) -> None:
        if self.geofence_worker is not None:
            self.geofence_worker.stop()
            self.geofence_worker = None

    def _geofence_alarm(self, alarm: GeofenceAlarm) -> None:  # UI thread
        self.alarms.raise_alarm(
            "geofence", geofence_alarm_text(alarm.call_sign, alarm.event.fence_name,
                                            alarm.event.transition.value == "enter"),
            unit_id=alarm.unit_id, incident_number=alarm.incident_number, lat=alarm.event.lat,
            lon=alarm.event.lon,
        )

    def _stop_positions(self) -> None:
        self.bridge.data_changed.disconnect(self._devices_changed)
        if self.positions is not None:
            self.positions.stop()

    def _devices_changed(self, tables: frozenset[str]) -> None:
        if tables & {"vehicle_terminal", "radio_terminal", "officer", "vehicle"} \
                and self.readers is not None and self.sessions is not None:
            factory = self.sessions

            def reload() -> None:
                with factory() as session:
                    self.devices.load(session)

            self.readers.submit(reload)

    # ------------------------------------------------------------------ vehicles
    def _start_tracking(self) -> None:
        cfg = self.settings.tracking
        if not cfg.jt808_enabled:
            self.bridge.set_link_state(Subsystem.VEHICLES, LinkState.NOT_CONFIGURED,
                                       "tracking.jt808_enabled = false")
            return
        assert self.sessions is not None and self.writer is not None
        assert self.positions is not None
        self.bridge.set_link_state(Subsystem.VEHICLES, LinkState.CONNECTING, "")
        self.tracking = TrackingService(
            self.sessions, self.writer, self.positions, self.actor,
            host=cfg.jt808_host, port=cfg.jt808_port,
            accept_unknown=cfg.accept_unknown_terminals, offline_after_s=cfg.offline_after_s,
            on_link=self._tracking_link, on_sos=self.bridge.vehicle_sos.emit,
        )
        self.tracking.start()

    def _stop_tracking(self) -> None:
        if self.tracking is not None:
            self.tracking.stop()
            self.tracking = None
            self.bridge.set_link_state(Subsystem.VEHICLES, LinkState.DOWN, "")

    def _tracking_link(self, online: int, detail: str) -> None:  # server loop thread
        self.bridge.set_link_state(Subsystem.VEHICLES, LinkState.UP,
                                   f"{online} online, {detail}")

    def _vehicle_sos(self, notice: SosNotice) -> None:  # UI thread
        tracking = self.tracking

        def acknowledged(operator: str) -> None:
            if tracking is not None:
                tracking.acknowledge_sos(notice.alarm_id, operator)

        self.alarms.raise_alarm(
            "vehicle_sos", sos_alarm_text(notice.call_sign or notice.phone),
            unit_id=notice.unit_id, incident_number=notice.incident_number, lat=notice.lat,
            lon=notice.lon, on_ack=acknowledged,
        )

    # ------------------------------------------------------------------ radio
    def _start_radio(self) -> None:
        cfg = self.settings.radio
        if not cfg.port:
            self.bridge.set_link_state(Subsystem.RADIO, LinkState.NOT_CONFIGURED,
                                       "radio.port is empty")
            return
        from radio_bridge.session import SessionConfig
        from radio_bridge.status import DEFAULT_STATUS_PLAN, StatusPlan

        assert self.sessions is not None and self.writer is not None
        assert self.readers is not None
        plan = StatusPlan.from_toml(Path(cfg.status_plan)) if cfg.status_plan \
            else DEFAULT_STATUS_PLAN
        self.bridge.set_link_state(Subsystem.RADIO, LinkState.CONNECTING, cfg.port)
        self.radio = RadioService(
            cfg.port, self.sessions, self.writer, self.positions, self.actor,
            config=SessionConfig(
                baudrate=cfg.baud, rtscts=cfg.rtscts, confirm_timeout_s=cfg.confirm_timeout_s,
                report_timeout_s=cfg.report_timeout_s,
                group_ssis=frozenset(gssi for gssi, _name in cfg.talkgroup_list)),
            status_plan=plan,
            on_link=self._radio_link, on_emergency=self.bridge.radio_emergency.emit,
            on_call=self.bridge.radio_call.emit, on_talkgroup=self.bridge.radio_talkgroup.emit,
            talkgroups=self.talkgroups,
        )
        self.radio.start()
        self.radio_log = LiveQuery("radio log",
                                   partial(load_radio_log, jurisdiction=self.jurisdiction,
                                           hidden_groups=self.talkgroups.hidden()),
                                   self.sessions, self.readers,
                                   tables={"radio_message"},
                                   poll_s=10.0 if self.db.is_sqlite else 3.0)
        self.bridge.data_changed.connect(self.radio_log.on_data_changed)
        self.radio_log.refresh()

    def _stop_radio(self) -> None:
        if self.radio_log is not None:
            self.radio_log.stop()
            self.bridge.data_changed.disconnect(self.radio_log.on_data_changed)
        if self.radio is not None:
            self.radio.stop()
            self.radio = None
            self.bridge.set_link_state(Subsystem.RADIO, LinkState.DOWN, "")

    def _radio_link(self, state: str, detail: str) -> None:  # radio event thread
        mapped = {"up": LinkState.UP, "connecting": LinkState.CONNECTING,
                  "down": LinkState.DOWN, "stopped": LinkState.DOWN}.get(state, LinkState.DOWN)
        self.bridge.set_link_state(Subsystem.RADIO, mapped, detail or self.settings.radio.port)

    def _radio_emergency(self, notice: EmergencyNotice) -> None:  # UI thread
        radio = self.radio

        def acknowledged(_operator: str) -> None:
            if radio is not None:
                radio.clear_emergency(notice.issi)

        self.alarms.raise_alarm(
            "radio_emergency", radio_emergency_text(notice.party), unit_id=notice.unit_id,
            incident_number=notice.incident_number, lat=notice.lat, lon=notice.lon,
            on_ack=acknowledged,
        )
