"""The console's main window: the map in the centre, panels in docks around it."""

from __future__ import annotations

import logging
from pathlib import Path

import shiboken6
from PySide6.QtCore import QByteArray, QSettings, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QScreen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.alarms import Alarm
from app.bridge import LinkState, Subsystem
from app.core import ConsoleCore
from app.demo.simulators import SimulatorProcess
from app.dispatch.intake import VenueChoice
from app.media.types import Capture
from app.media.wallstate import WallLayout, WallLayoutStore
from app.services.directory import IncidentRow, UnitRow
from models.enums import EvidenceKind
from models.jurisdiction import BEIJING_DISTRICTS
from widgets.alarm_bar import AlarmBar
from widgets.dispatch.audit_viewer import AuditLogViewer
from widgets.dispatch.binding import (
    bind_audit,
    bind_close,
    bind_draw,
    bind_escalate,
    bind_intake,
    bind_recommendations,
)
from widgets.dispatch.close_dialog import CloseIncidentDialog
from widgets.dispatch.draw_dialog import DrawDialog
from widgets.dispatch.escalate_dialog import EscalateDialog
from widgets.dispatch.intake_form import IntakeForm
from widgets.dispatch.recommendation import RecommendationPanel
from widgets.evidence_dialog import EvidenceDialog
from widgets.incidents_panel import IncidentsPanel
from widgets.map import MapConfig, MapView
from widgets.map_dialogs import GeofenceDialog, ReplayDialog
from widgets.map_feed import MapFeed
from widgets.notice_line import NoticeLine
from widgets.placeholder import NotConfiguredPanel
from widgets.radio_panel import RadioPanel
from widgets.schedule_panel import SchedulePanel
from widgets.status_bar import LinkStatusBar
from widgets.transcript_pane import AnalysisDialog, TranscriptPane, attach_service
from widgets.units_panel import UnitsPanel
from widgets.video_wall import VideoWall

log = logging.getLogger("widgets.main_window")

_STATE_VERSION = 1
#: The window's size on a screen big enough (and on a headless run, which has no screen).
DEFAULT_SIZE = (1600, 1000)


def start_size(screen: QScreen | None) -> tuple[int, int]:
    """The starting size: :data:`DEFAULT_SIZE`, shrunk to fit the screen's free area (1366×768
    laptops); headless platforms keep the default."""
    width, height = DEFAULT_SIZE
    if screen is None or QGuiApplication.platformName() in ("offscreen", "minimal"):
        return width, height
    free = screen.availableGeometry()
    return min(width, free.width()), min(height, free.height())


class MainWindow(QMainWindow):
    """Docked main window. Panels that later releases fill say "not configured" until then.

    Closing it ends the console: with ``confirm_quit`` the dispatcher confirms first (closing
    stops the radio bridge, video and recording); the windows it opened close with it and
    :attr:`closed` is emitted, which the composition root connects to quitting.

    Signals:
        closed(): the window accepted a close (the program should end).
    """

    closed = Signal()

    def __init__(self, core: ConsoleCore, *, layout_file: Path | None = None,
                 wall_file: Path | None = None,
                 radio_simulator: SimulatorProcess | None = None,
                 confirm_quit: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.core = core
        #: ask before closing (interactive runs; never in tests, screenshots or on a signal)
        self.confirm_quit = confirm_quit
        self._detached: list[QWidget] = []  # parentless windows it opened (audit log)
        self._radio_simulator = radio_simulator
        self._layout_file = layout_file
        self.setDockNestingEnabled(True)
        start_width, start_height = start_size(QGuiApplication.primaryScreen())
        self.resize(start_width, start_height)

        self.map_view = MapView(
            MapConfig.from_settings(core.settings.map, core.settings.console.language), self)
        self.map_view.setObjectName("mapView")
        self.alarm_bar = AlarmBar(core.alarms, core.actor.name, self)
        self.notice_line = NoticeLine(self)  # what just happened (evidence saved …)
        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        centre_layout.addWidget(self.alarm_bar)
        centre_layout.addWidget(self.notice_line)
        centre_layout.addWidget(self.map_view, 1)
        self.setCentralWidget(centre)

        self.units_panel = UnitsPanel(self)
        self.incidents_panel = IncidentsPanel(self)
        self.radio_panel: RadioPanel | NotConfiguredPanel = (
            RadioPanel(core.talkgroup_list, self) if core.radio is not None
            else NotConfiguredPanel("", "", self)
        )
        self.video_panel: VideoWall | NotConfiguredPanel = (
            VideoWall(core.media, store=WallLayoutStore(wall_file) if wall_file else None,
                      parent=self) if core.media is not None
            else NotConfiguredPanel("", "", self)
        )
        self.transcript_panel: TranscriptPane | NotConfiguredPanel = (
            TranscriptPane(self) if core.speech is not None
            else NotConfiguredPanel("", "", self)
        )
        self.recommend_panel = RecommendationPanel(dict(BEIJING_DISTRICTS), self)
        self.schedule_panel = SchedulePanel(self, clock=core.clock)

        self.units_dock = self._dock("unitsDock", self.units_panel,
                                     Qt.DockWidgetArea.LeftDockWidgetArea)
        self.incidents_dock = self._dock("incidentsDock", self.incidents_panel,
                                         Qt.DockWidgetArea.BottomDockWidgetArea)
        self.radio_dock = self._dock("radioDock", self.radio_panel,
                                     Qt.DockWidgetArea.BottomDockWidgetArea)
        self.video_dock = self._dock("videoDock", self.video_panel,
                                     Qt.DockWidgetArea.RightDockWidgetArea)
        self.transcript_dock = self._dock("transcriptDock", self.transcript_panel,
                                          Qt.DockWidgetArea.RightDockWidgetArea)
        self.recommend_dock = self._dock("recommendDock", self.recommend_panel,
                                         Qt.DockWidgetArea.BottomDockWidgetArea)
        self.splitDockWidget(self.incidents_dock, self.radio_dock, Qt.Orientation.Horizontal)
        self.tabifyDockWidget(self.radio_dock, self.recommend_dock)
        self.radio_dock.raise_()
        self.schedule_dock = self._dock("scheduleDock", self.schedule_panel,
                                        Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.video_dock, self.transcript_dock)
        self.tabifyDockWidget(self.transcript_dock, self.schedule_dock)
        self.video_dock.raise_()
        self._size_docks(start_width, start_height)
        self._default_state = self.saveState(_STATE_VERSION)

        self.status = LinkStatusBar(self)
        self.setStatusBar(self.status)
        self._build_menus()
        self._connect_core()
        self.retranslate()
        self._restore_layout()

    # ------------------------------------------------------------------ building
    def _size_docks(self, width: int, height: int) -> None:
        """The default dock sizes, in proportion to a ``width``×``height`` window."""
        w, h = width / DEFAULT_SIZE[0], height / DEFAULT_SIZE[1]
        self.resizeDocks([self.units_dock, self.video_dock], [round(520 * w), round(380 * w)],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.incidents_dock, self.radio_dock],
                         [round(1100 * w), round(500 * w)], Qt.Orientation.Horizontal)
        self.resizeDocks([self.incidents_dock], [round(330 * h)], Qt.Orientation.Vertical)

    def fit(self, width: int, height: int) -> None:
        """Resize to ``width``×``height`` with the docks in their default proportions
        (``--geometry``; the window never goes below its minimum size)."""
        self.resize(width, height)
        self._size_docks(self.width(), self.height())

    def _dock(self, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.analyse_action = QAction(self)
        self.analyse_action.triggered.connect(self.open_analysis)
        self.file_menu.addAction(self.analyse_action)
        self.performance_action = QAction(self)
        self.performance_action.triggered.connect(self.enter_performance)
        self.file_menu.addAction(self.performance_action)
        self.import_schedule_action = QAction(self)
        self.import_schedule_action.triggered.connect(self.import_schedule)
        self.file_menu.addAction(self.import_schedule_action)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)

        self.view_menu = bar.addMenu("")
        for dock in (self.units_dock, self.incidents_dock, self.radio_dock,
                     self.recommend_dock, self.video_dock, self.transcript_dock,
                     self.schedule_dock):
            self.view_menu.addAction(dock.toggleViewAction())
        self.view_menu.addSeparator()
        self.replay_action = QAction(self)
        self.replay_action.triggered.connect(self.open_replay)
        self.view_menu.addAction(self.replay_action)
        self.reset_layout_action = QAction(self)
        self.reset_layout_action.triggered.connect(self.reset_layout)
        self.view_menu.addAction(self.reset_layout_action)

        self.dispatch_menu = bar.addMenu("")
        self.dispatch_actions: dict[str, QAction] = {}
        for key, shortcut, slot in (
            ("intake", "F2", self.new_complaint),
            ("recommend", "F3", self.show_recommendations),
            ("escalate", "F8", self.escalate_incident),
            ("close", "F9", self.close_incident),
            ("video", "F6", self.open_incident_video),
            ("draw", "", self.open_draw),
            ("audit", "", self.open_audit),
            ("evidence", "", self.open_evidence),
        ):
            action = QAction(self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            self.dispatch_menu.addAction(action)
            self.dispatch_actions[key] = action

        self.demo_menu = bar.addMenu("")
        self.demo_actions: dict[str, QAction] = {}
        for key in ("emergency", "en_route", "on_scene", "clearing", "available", "reply"):
            action = QAction(self)
            action.triggered.connect(lambda _=False, k=key: self._demo_radio(k))
            self.demo_menu.addAction(action)
            self.demo_actions[key] = action
        self.demo_menu.menuAction().setVisible(self._radio_simulator is not None)

        self.help_menu = bar.addMenu("")
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self._about)
        self.help_menu.addAction(self.about_action)

    def _connect_core(self) -> None:
        bridge = self.core.bridge
        self.map_feed = MapFeed(self.core, self.map_view, self)
        self.map_view.page_ready.connect(self._map_ready)
        self.map_view.load_failed.connect(self._map_failed)
        self.map_view.renderer_lost.connect(self._map_renderer_lost)
        self.map_view.restored.connect(self._map_ready)
        self.map_view.status_notice.connect(self._map_notice)
        self.map_view.entity_selected.connect(self._map_selected)
        self.map_view.context_action.connect(self._map_context)
        self.map_view.shape_drawn.connect(self._fence_drawn)
        bridge.geofences_changed.connect(self.map_view.set_fences)
        self.units_panel.unit_selected.connect(lambda uid: self.map_view.select("unit", str(uid)))
        self.incidents_panel.incident_selected.connect(
            lambda iid: self.map_view.select("incident", str(iid)))
        self.incidents_panel.incident_selected.connect(self._recommend_for)
        self.incidents_panel.table.doubleClicked.connect(lambda _i: self.show_recommendations())
        self.alarm_bar.alarm_selected.connect(self.show_alarm)
        if self.core.media is not None:  # every capture is confirmed, whatever made it
            self.core.media.capture_done.connect(self._capture_done)
            self.core.media.capture_failed.connect(self._capture_failed)
        if self.core.performances is not None:
            self.core.performances.loaded.connect(self.schedule_panel.set_rows)
            self.schedule_panel.set_rows(self.core.performances.rows)
        if self.core.timers is not None:
            self.core.timers.loaded.connect(self.incidents_panel.set_timers)
            self.incidents_panel.set_timers(self.core.timers.rows)
        if self.core.dispatch is not None:
            refresh_orders = bind_recommendations(self.recommend_panel, self.core.dispatch)
            bridge.data_changed.connect(refresh_orders)
            self.core.dispatch.refused.connect(
                lambda _action, reason: self.statusBar().showMessage(reason, 10000))
            self.core.dispatch.failed.connect(
                lambda _action, error: self.statusBar().showMessage(error, 10000))
        bridge.link_state_changed.connect(self.status.set_link_state)
        for sub in Subsystem:
            state, detail = bridge.link_state(sub)
            self.status.set_link_state(sub.value, state.value, detail)
        if self.core.units is not None:
            self.core.units.loaded.connect(self.units_panel.set_rows)
            self.units_panel.set_rows(self.core.units.rows)
        if self.core.incidents is not None:
            self.core.incidents.loaded.connect(self.incidents_panel.set_rows)
            self.incidents_panel.set_rows(self.core.incidents.rows)
        if isinstance(self.transcript_panel, TranscriptPane) and self.core.speech is not None:
            self._connect_speech(self.transcript_panel)
        if isinstance(self.radio_panel, RadioPanel) and self.core.radio is not None:
            panel, radio = self.radio_panel, self.core.radio
            state, detail = bridge.link_state(Subsystem.RADIO)
            panel.set_link({LinkState.UP: "up", LinkState.DOWN: "down"}.get(state, "connecting"),
                           detail)
            bridge.link_state_changed.connect(self._radio_link_changed)
            bridge.radio_call.connect(panel.show_call)
            bridge.radio_talkgroup.connect(panel.set_talkgroup)
            panel.talkgroup_requested.connect(radio.select_talkgroup)
            panel.send_requested.connect(self._send_radio_text)
            panel.cancel_requested.connect(self._cancel_radio_message)
            if self.core.radio_log is not None:
                self.core.radio_log.loaded.connect(panel.set_log_rows)
                panel.set_log_rows(self.core.radio_log.rows)
            if self.core.units is not None:
                self.core.units.loaded.connect(self._radio_destinations)
                self._radio_destinations(self.core.units.rows)

    # ------------------------------------------------------------------ map
    @Slot()
    def _map_ready(self) -> None:
        self.core.bridge.set_link_state(Subsystem.MAP, LinkState.UP, self.tr("offline map"))
        if self.core.geofences is not None:
            self.map_view.set_fences(self.core.geofences.geojson())

    @Slot(str)
    def _fence_drawn(self, feature: str) -> None:
        service, readers = self.core.geofences, self.core.readers
        if service is None or readers is None:
            return
        dialog = GeofenceDialog(self.tr("Geofence %1").replace(
            "%1", str(len(service.geojson()["features"]) + 1)), self)
        if dialog.exec() != GeofenceDialog.DialogCode.Accepted or not dialog.fence_name:
            self.map_view.set_fences(service.geojson())  # drop the draft
            return
        future = readers.submit(service.save, feature, dialog.fence_name, dialog.severity,
                                self.core.jurisdiction.adcode)
        future.add_done_callback(lambda f: self.core.bridge.call_soon(
            lambda: self._report_failure(self.tr("The geofence was not saved: %1"),
                                         f.exception())))

    def _report_failure(self, text: str, exc: BaseException | None) -> None:
        if exc is not None:
            log.error("%s", text.replace("%1", str(exc)))
            self.statusBar().showMessage(text.replace("%1", str(exc)), 10000)

    @Slot()
    def open_replay(self) -> None:
        """Ask for units and a time range, then replay their tracks on the map."""
        from app.services.tracks import load_tracks
        from models.base import utcnow

        units = self.units_panel.model.rows
        dialog = ReplayDialog(units, utcnow(), self)
        selected = self.units_panel.selected_unit_id()
        if selected is not None:
            dialog.check_units([selected])
        if dialog.exec() != ReplayDialog.DialogCode.Accepted:
            return
        ids = dialog.unit_ids()
        t0, t1 = dialog.time_range()
        sessions, readers = self.core.sessions, self.core.readers
        if not ids or t1 <= t0 or sessions is None or readers is None:
            self.statusBar().showMessage(self.tr("Choose at least one unit and a time range."),
                                         8000)
            return
        labels = {str(r.id): r.call_sign for r in units}

        def load() -> dict[str, list[tuple[float, float, float]]]:
            with sessions() as session:
                return load_tracks(session, ids, t0, t1)

        future = readers.submit(load)
        future.add_done_callback(lambda f: self.core.bridge.call_soon(
            lambda: self._replay_loaded(f.result() if f.exception() is None else None,
                                        t0.timestamp(), t1.timestamp(), labels)))

    def _replay_loaded(self, tracks: dict[str, list[tuple[float, float, float]]] | None,
                       t0: float, t1: float, labels: dict[str, str]) -> None:
        if not tracks:
            self.statusBar().showMessage(
                self.tr("No recorded positions for these units in that range."), 8000)
            return
        self.map_view.start_replay(tracks, t0, t1,
                                   {k: v for k, v in labels.items() if k in tracks})

    @Slot(str)
    def _map_renderer_lost(self, reason: str) -> None:
        # the view reloads the page by itself (and logs it); say so until it is back
        self.core.bridge.set_link_state(Subsystem.MAP, LinkState.CONNECTING, reason)

    @Slot(str)
    def _map_notice(self, text: str) -> None:
        self.status.set_notice("map", text)

    @Slot(str)
    def _map_failed(self, reason: str) -> None:
        log.error("map: %s", reason)
        self.core.bridge.set_link_state(Subsystem.MAP, LinkState.DEGRADED, reason)

    @Slot(object)
    def show_alarm(self, alarm: Alarm) -> None:
        """The alarm bar's "Show": select the alarm's unit and incident on the map and in the
        panels, and centre the map on the unit (or the incident, or the alarm's position)."""
        incident = next((r for r in self.incidents_panel.model.rows
                         if alarm.incident_number and r.number == alarm.incident_number), None)
        found = False
        if incident is not None:
            self.incidents_dock.show()
            self.incidents_dock.raise_()
            if not self.incidents_panel.select_incident(incident.id):
                self.map_view.select("incident", str(incident.id))  # filtered out of the list
            found = True
        if alarm.unit_id is not None and self.units_panel.model.row_by_id(alarm.unit_id):
            self.units_dock.show()
            self.units_dock.raise_()
            if not self.units_panel.select_unit(alarm.unit_id):
                self.map_view.select("unit", str(alarm.unit_id))
            self.map_view.focus("unit", str(alarm.unit_id))
        elif incident is not None:
            self.map_view.focus("incident", str(incident.id))
        elif alarm.lat is not None and alarm.lon is not None:
            self.map_view.center_on(alarm.lat, alarm.lon, 16)
        elif not found:
            self.statusBar().showMessage(
                self.tr("This alarm has no unit, incident or position to show."), 8000)

    @Slot(str, str)
    def _map_selected(self, kind: str, entity_id: str) -> None:
        if kind == "unit" and entity_id.isdigit():
            self.units_panel.select_unit(int(entity_id))
        elif kind == "incident" and entity_id.isdigit():
            self.incidents_panel.select_incident(int(entity_id))

    @Slot(str, str, str, float, float)
    def _map_context(self, action: str, kind: str, entity_id: str, lat: float,
                     lon: float) -> None:
        if action == "dispatch_here":
            venue = int(entity_id) if kind == "venue" and entity_id.isdigit() else None
            self.new_complaint(location=(lat, lon), venue_id=venue)
            return
        if action == "open_feed" and isinstance(self.video_panel, VideoWall) \
                and entity_id.isdigit() and kind in ("camera", "venue", "unit"):
            self.video_panel.open_entity(kind, int(entity_id))
            self.video_dock.show()
            self.video_dock.raise_()
            return
        names = {"open_feed": self.tr("Open feed"), "venue_dossier": self.tr("Venue dossier")}
        log.info("map action %s on %s %s at %.5f,%.5f", action, kind, entity_id, lat, lon)
        self.statusBar().showMessage(
            self.tr("%1 is not available in this version of the console.")
            .replace("%1", names.get(action, action)), 8000)

    # ------------------------------------------------------------------ speech
    def _connect_speech(self, pane: TranscriptPane) -> None:
        speech = self.core.speech
        assert speech is not None
        # connects, then shows the venues watched before the window existed (the demo's)
        attach_service(pane, speech)
        speech.caption_changed.connect(self._caption)
        speech.incident_raised.connect(self._transcript_incident)
        from app.speech.monitor import output_devices

        pane.set_output_devices(output_devices())

    @Slot(int, str)
    def _caption(self, venue_id: int, text: str) -> None:
        if isinstance(self.video_panel, VideoWall) and self.core.media is not None:
            for source_id in self.core.media.sources_for("venue", venue_id):
                self.video_panel.set_caption(source_id, text)

    @Slot(int, str)
    def _transcript_incident(self, venue_id: int, number: str) -> None:
        # further findings extend the same incident: one alarm until it is acknowledged
        self.core.alarms.raise_alarm("transcript_finding",
                                     self.tr("Prohibited content suspected at a key venue"),
                                     incident_number=number, key=number)

    @Slot()
    def enter_performance(self) -> None:
        """Enter one approved performance by hand (performance venues of this jurisdiction)."""
        from app.speech.schedule import PerformanceDraft, store_drafts
        from models.base import utcnow
        from widgets.performance_dialog import PerformanceDialog

        rows = self.core.map_static.rows if self.core.map_static is not None else []
        venues = sorted(((v["id"], f'{v["name"]}（{v["district"]}）')
                         for v in (rows[0].venues if rows else [])
                         if v["venue_type"] == "performance"), key=lambda x: x[1])
        dialog = PerformanceDialog(venues, utcnow(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        writer = self.core.writer

        def save(draft: PerformanceDraft) -> None:
            if writer is None:
                return
            future = writer.submit(lambda s: store_drafts(s, [draft], source="manual"),
                                   label="performance entry")

            def done() -> None:
                exc = future.exception()
                problems = future.result().problems if exc is None else []
                if exc is not None or problems:
                    dialog.show_error(str(exc) if exc else problems[0].message)
                    return
                dialog.accept()
                self.statusBar().showMessage(self.tr("Performance saved."), 8000)

            future.add_done_callback(lambda _f: self.core.bridge.call_soon(done))

        dialog.submitted.connect(save)
        dialog.open()

    @Slot()
    def import_schedule(self) -> None:
        """Import approved performances from CSV or Excel (checked row by row)."""
        from PySide6.QtWidgets import QFileDialog

        from app.speech.performances import describe_problems, import_schedule

        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import approved performances"), "",
            self.tr("Schedules (*.csv *.xlsx)"))
        if not path or self.core.writer is None:
            return
        future = self.core.writer.submit(lambda s: import_schedule(s, Path(path)),
                                         label="schedule import")

        def done() -> None:
            exc = future.exception()
            if exc is not None:
                QMessageBox.warning(self, self.tr("Import approved performances"), str(exc))
                return
            result = future.result()
            text = self.tr("%1 performance(s) imported.").replace("%1", str(result.added))
            if result.problems:
                text += "\n\n" + self.tr("Rows refused:") + "\n" + describe_problems(
                    result.problems)
            QMessageBox.information(self, self.tr("Import approved performances"), text)

        future.add_done_callback(lambda _f: self.core.bridge.call_soon(done))

    @Slot()
    def open_analysis(self) -> None:
        """Analyse a recording with a progress bar and cancel; the report opens in Chinese."""
        from app.analysis.service import BatchAnalysisService
        from app.paths import AppPaths

        data_dir = AppPaths.default().data_dir
        speech = self.core.settings.speech
        dialog = AnalysisDialog(BatchAnalysisService(), speech.resolved_model_dir(data_dir),
                                data_dir / "reports", workers=speech.worker_count(),
                                threshold=speech.finding_threshold, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    # ------------------------------------------------------------------ dispatch
    def _selected_incident(self) -> IncidentRow | None:
        incident_id = self.incidents_panel.selected_id()
        row = self.incidents_panel.model.row_by_id(incident_id) if incident_id else None
        if row is None:
            self.statusBar().showMessage(self.tr("Select an incident first."), 8000)
        return row

    @Slot(int)
    def _recommend_for(self, incident_id: int) -> None:
        if self.core.dispatch is not None:
            self.core.dispatch.recommend(incident_id, self.recommend_panel.set_recommendations)

    @Slot()
    def show_recommendations(self) -> None:
        """Rank the units for the selected incident and put the list in front (F3)."""
        row = self._selected_incident()
        if row is None:
            return
        self._recommend_for(row.id)
        self.recommend_dock.show()
        self.recommend_dock.raise_()
        self.recommend_panel.setFocus()

    def new_complaint(self, *, location: tuple[float, float] | None = None,
                      venue_id: int | None = None) -> None:
        """Open the intake form (F2), at a map point or for a venue when given."""
        dispatch, sessions = self.core.dispatch, self.core.sessions
        if dispatch is None or sessions is None or self.core.readers is None:
            return
        district_at = None
        if location is not None:
            import json

            from app.dispatch.intake import DistrictLocator

            rows = self.core.map_static.rows if self.core.map_static is not None else []
            if rows:
                features = json.loads(rows[0].districts_geojson)["features"]
                locator = DistrictLocator((f["properties"]["adcode"], json.dumps(f["geometry"]))
                                          for f in features)
                district_at = locator.district_at(*location)

        def open_form(venues: list[VenueChoice]) -> None:
            form = IntakeForm(venues, dict(BEIJING_DISTRICTS),
                              default_district=self.core.jurisdiction.adcode, parent=self)
            form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            bind_intake(form, dispatch, lambda result: self.statusBar().showMessage(
                self.tr("Incident %1 created.").replace(
                    "%1", getattr(result, "number", "")), 8000))
            if location is not None:
                form.set_location(location[0], location[1], district_at)
            if venue_id is not None:
                form.set_venue(venue_id)
            form.open()

        dispatch.venue_choices(open_form)

    @Slot()
    def close_incident(self) -> None:
        """Close the selected incident with an outcome (F9)."""
        row = self._selected_incident()
        if row is None or self.core.dispatch is None:
            return
        dialog = CloseIncidentDialog(row.id, row.number, row.title, list(row.units), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        bind_close(dialog, self.core.dispatch)
        dialog.open()

    @Slot()
    def escalate_incident(self) -> None:
        """Escalate the selected incident to the city or hand it to a district (F8)."""
        row = self._selected_incident()
        if row is None or self.core.dispatch is None:
            return
        dialog = EscalateDialog(row.id, row.number, dict(BEIJING_DISTRICTS),
                                current_district=row.district_adcode,
                                can_escalate=not self.core.jurisdiction.is_city, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        bind_escalate(dialog, self.core.dispatch)
        dialog.open()

    def show_on_wall(self, source_ids: list[int]) -> None:
        """Show these sources on the video wall (up to 16, in a 4×4 grid)."""
        if isinstance(self.video_panel, VideoWall) and source_ids:
            self.video_panel.restore_layout(WallLayout(grid="4x4", tiles=tuple(source_ids[:16])))

    @Slot()
    def open_incident_video(self) -> None:
        """Open the assigned units' cameras and the venue's feed on the wall, in one action."""
        row = self._selected_incident()
        if row is None or not isinstance(self.video_panel, VideoWall):
            return
        self.video_panel.open_incident(row.id, row.number)
        self.video_dock.show()
        self.video_dock.raise_()

    @Slot()
    def open_draw(self) -> None:
        """The double-random inspection draw."""
        if self.core.dispatch is None:
            return
        dialog = DrawDialog(dict(BEIJING_DISTRICTS),
                            jurisdiction_adcode=self.core.jurisdiction.adcode, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        bind_draw(dialog, self.core.dispatch)
        dialog.open()

    @Slot()
    def open_audit(self) -> None:
        """The audit log viewer (a window of its own)."""
        if self.core.dispatch is None:
            return
        viewer = AuditLogViewer()
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.setWindowTitle(self.tr("Audit log"))
        bind_audit(viewer, self.core.dispatch)
        viewer.resize(1000, 600)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), viewer, viewer.close)  # Esc closes it
        viewer.show()
        self._audit_viewer = viewer
        self._detached = [w for w in self._detached if shiboken6.isValid(w)] + [viewer]

    # ------------------------------------------------------------------ evidence
    @Slot(object)
    def _capture_done(self, capture: Capture) -> None:
        """Confirm a saved snapshot or clip in the status bar and on the notice line."""
        spec = self.core.media.spec(capture.source_id) if self.core.media is not None else None
        text = (self.tr("Snapshot saved as evidence: %1 (SHA-256 %2…)")
                if capture.kind is EvidenceKind.SNAPSHOT
                else self.tr("Clip saved as evidence: %1 (SHA-256 %2…)"))
        text = text.replace("%1", spec.name if spec is not None else str(capture.source_id)) \
            .replace("%2", capture.sha256[:12])
        self.statusBar().showMessage(text, 10000)
        self.notice_line.show_notice(text)

    @Slot(int, str)
    def _capture_failed(self, source_id: int, reason: str) -> None:
        spec = self.core.media.spec(source_id) if self.core.media is not None else None
        text = self.tr("No evidence saved from %1: %2").replace(
            "%1", spec.name if spec is not None else str(source_id)).replace("%2", reason)
        self.statusBar().showMessage(text, 10000)
        self.notice_line.show_notice(text, "error")

    @Slot()
    def open_evidence(self) -> None:
        """The evidence list (a window of its own), kept fresh by a live query."""
        from functools import partial

        from app.live_query import LiveQuery
        from app.media.evidence import load_evidence

        core = self.core
        if core.sessions is None or core.readers is None:
            return
        old = getattr(self, "evidence_dialog", None)
        if old is not None and shiboken6.isValid(old):
            old.show()
            old.activateWindow()
            return
        dialog = EvidenceDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        query = LiveQuery(
            "evidence", partial(load_evidence, jurisdiction=core.jurisdiction,
                                console_id=core.actor.console_id),
            core.sessions, core.readers, tables={"evidence_item"},
            poll_s=None if core.db.is_sqlite else 10.0, parent=dialog)
        query.loaded.connect(dialog.set_rows)
        query.failed.connect(dialog.load_failed)
        core.bridge.data_changed.connect(query.on_data_changed)
        query.refresh()
        self.evidence_dialog = dialog
        dialog.show()

    # ------------------------------------------------------------------ radio
    @Slot(str, str, str)
    def _radio_link_changed(self, subsystem: str, state: str, detail: str) -> None:
        if subsystem == Subsystem.RADIO.value and isinstance(self.radio_panel, RadioPanel):
            self.radio_panel.set_link(
                {"up": "up", "down": "down"}.get(state, "connecting"), detail)

    @Slot(object)
    def _radio_destinations(self, rows: list[UnitRow]) -> None:
        if isinstance(self.radio_panel, RadioPanel) and self.core.radio is not None:
            radio = self.core.radio
            self.radio_panel.set_destinations(
                [(radio.describe(issi), issi) for row in rows for issi in row.radio_issis])

    @Slot(int, str)
    def _send_radio_text(self, issi: int, text: str) -> None:
        if self.core.radio is None:
            return
        future = self.core.radio.send_text(issi, text)
        future.add_done_callback(lambda f: self.core.bridge.call_soon(
            lambda: self._radio_send_done(f.exception())))

    def _radio_send_done(self, exc: BaseException | None) -> None:
        if exc is not None:
            self.statusBar().showMessage(
                self.tr("The text could not be queued: %1").replace("%1", str(exc)), 10000)

    @Slot(int)
    def _cancel_radio_message(self, row_id: int) -> None:
        if self.core.radio is None:
            return
        future = self.core.radio.cancel(row_id)
        future.add_done_callback(lambda f: self.core.bridge.call_soon(
            lambda: self._radio_cancel_done(f.exception())))

    def _radio_cancel_done(self, exc: BaseException | None) -> None:
        if exc is None:
            self.statusBar().showMessage(self.tr("The message was cancelled."), 8000)
            return
        reason = getattr(exc, "reason", None) or str(exc)
        if isinstance(self.radio_panel, RadioPanel):
            reason = self.radio_panel.log.cancel_refusal_text(reason)
        self.statusBar().showMessage(
            self.tr("The message cannot be cancelled: %1").replace("%1", reason), 10000)

    # ------------------------------------------------------------------ demo
    def _demo_radio(self, key: str) -> None:
        """Make the simulated radio of the selected unit send something (real PEI traffic)."""
        unit_id = self.units_panel.selected_unit_id()
        row = self.units_panel.model.row_by_id(unit_id) if unit_id is not None else None
        if row is None or not row.radio_issis or self._radio_simulator is None:
            self.statusBar().showMessage(self.tr("Select a unit with a radio first."), 8000)
            return
        issi = row.radio_issis[0]
        codes = {"en_route": 0x8003, "on_scene": 0x8004, "clearing": 0x8005,
                 "available": 0x8001}
        if key == "emergency":
            command = f"emergency {issi}"
        elif key == "reply":
            command = f"text {issi} 收到，马上处理"
        else:
            command = f"status {issi} 0x{codes[key]:04X}"
        self._radio_simulator.send(command)

    # ------------------------------------------------------------------ texts
    def jurisdiction_title(self) -> str:
        """"City command centre" or "<district> command centre"."""
        j = self.core.jurisdiction
        if j.adcode is None:
            return self.tr("City command centre")
        return self.tr("%1 command centre").replace("%1", BEIJING_DISTRICTS[j.adcode])

    def retranslate(self) -> None:
        """Set every text of the window (also after a language change)."""
        self.setWindowTitle(
            self.tr("Cultural Market Enforcement Command Console") + " — "
            + self.jurisdiction_title()
        )
        self.units_dock.setWindowTitle(self.tr("Units"))
        self.incidents_dock.setWindowTitle(self.tr("Incidents"))
        self.radio_dock.setWindowTitle(self.tr("Radio"))
        self.video_dock.setWindowTitle(self.tr("Video wall"))
        self.transcript_dock.setWindowTitle(self.tr("Transcripts"))
        if isinstance(self.radio_panel, RadioPanel):
            self.radio_panel.retranslate()
        else:
            self.radio_panel.set_texts(
                self.tr("Radio not configured"),
                self.tr("Set radio.port in the settings to connect the TETRA gateway radio."),
            )
        if isinstance(self.video_panel, VideoWall):
            self.video_panel.retranslate()
        else:
            self.video_panel.set_texts(
                self.tr("Video wall not configured"),
                self.tr("No camera or venue stream is configured on this console."),
            )
        if isinstance(self.transcript_panel, NotConfiguredPanel):
            self.transcript_panel.set_texts(
                self.tr("Speech analysis not configured"),
                self.tr("No speech model is configured on this console."),
            )
        self.file_menu.setTitle(self.tr("&File"))
        self.quit_action.setText(self.tr("&Quit"))
        self.analyse_action.setText(self.tr("Analyse a performance recording…"))
        self.import_schedule_action.setText(self.tr("Import approved performances…"))
        self.performance_action.setText(self.tr("Enter an approved performance…"))
        self.view_menu.setTitle(self.tr("&View"))
        self.reset_layout_action.setText(self.tr("Restore default layout"))
        self.replay_action.setText(self.tr("Track replay…"))
        self.dispatch_menu.setTitle(self.tr("Dis&patch"))
        for key, text in (("intake", self.tr("New complaint…")),
                          ("recommend", self.tr("Recommend units for the selected incident")),
                          ("escalate", self.tr("Escalate or hand over…")),
                          ("close", self.tr("Close the selected incident…")),
                          ("video", self.tr("Open the incident's cameras and venue video")),
                          ("draw", self.tr("Double-random inspection draw…")),
                          ("audit", self.tr("Audit log…")),
                          ("evidence", self.tr("Evidence…"))):
            self.dispatch_actions[key].setText(text)
        self.recommend_dock.setWindowTitle(self.tr("Dispatch"))
        self.schedule_dock.setWindowTitle(self.tr("Performances"))
        self.schedule_panel.retranslate()
        self.demo_menu.setTitle(self.tr("&Demo"))
        for key, text in (
            ("emergency", self.tr("Selected unit's radio: emergency")),
            ("en_route", self.tr("Selected unit's radio: status en route")),
            ("on_scene", self.tr("Selected unit's radio: status on scene")),
            ("clearing", self.tr("Selected unit's radio: status clearing")),
            ("available", self.tr("Selected unit's radio: status available")),
            ("reply", self.tr("Selected unit's radio: text reply")),
        ):
            self.demo_actions[key].setText(text)
        self.help_menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("&About"))
        self.units_panel.retranslate()
        self.incidents_panel.retranslate()
        self.alarm_bar.retranslate()
        self.status.retranslate()

    # ------------------------------------------------------------------ layout
    @Slot()
    def reset_layout(self) -> None:
        """Put every dock back where it starts."""
        self.restoreState(self._default_state, _STATE_VERSION)
        for dock in (self.units_dock, self.incidents_dock, self.radio_dock, self.video_dock,
                     self.transcript_dock):
            dock.show()

    def _settings(self) -> QSettings | None:
        if self._layout_file is None:
            return None
        return QSettings(str(self._layout_file), QSettings.Format.IniFormat)

    def _restore_layout(self) -> None:
        settings = self._settings()
        if settings is None:
            return
        geometry = settings.value("window/geometry")
        state = settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not self.restoreState(state, _STATE_VERSION):
            log.info("saved window layout is from another version; using the default")

    def save_layout(self) -> None:
        """Remember window geometry and dock layout for this workstation."""
        settings = self._settings()
        if settings is None:
            return
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState(_STATE_VERSION))
        settings.sync()

    def release(self) -> None:
        """Let go of video sources (before the media service stops)."""
        if isinstance(self.video_panel, VideoWall):
            self.video_panel.clear()

    def ask_quit(self) -> bool:
        """Ask the dispatcher to confirm quitting; True to quit."""
        answer = QMessageBox.question(
            self, self.tr("Quit the console"),
            self.tr("Quit the command console? The radio bridge, the video wall and "
                    "recording stop until it is started again."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _own_windows(self) -> list[QWidget]:
        """Visible windows this window opened (dialogs, the audit log)."""
        out = []
        for w in QApplication.topLevelWidgets():
            if w is self or not w.isVisible():
                continue
            parent = w.parentWidget()
            while parent is not None and parent is not self:
                parent = parent.parentWidget()
            if parent is self or any(w is d for d in self._detached):
                out.append(w)
        return out

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.confirm_quit and not self.ask_quit():
            event.ignore()
            return
        self.confirm_quit = False  # asked once: a quit that follows does not ask again
        self.save_layout()
        self.release()
        for w in self._own_windows():
            w.close()
        self._detached.clear()
        super().closeEvent(event)
        self.closed.emit()

    @Slot()
    def _about(self) -> None:
        from app import __version__

        QMessageBox.about(
            self, self.tr("About"),
            self.tr("Cultural Market Enforcement Command Console") + f"\n{__version__}",
        )
