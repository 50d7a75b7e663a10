"""The transcript pane (live transcription of venues) and the batch analysis dialog.

Both are fed by signals of services in ``app`` and never do I/O themselves:
:class:`TranscriptPane` shows what :class:`app.speech.service.LiveTranscriptionService` emits;
:class:`AnalysisDialog` drives :class:`app.analysis.service.BatchAnalysisService`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.analysis.batch import BatchJob, BatchOutcome
from app.analysis.engine import ContentFinding
from app.analysis.progress import RunProgress
from app.analysis.service import BatchAnalysisService
from app.labels import SHANGHAI, finding_category_label
from app.speech.live import LoadReport
from app.speech.transcript import TranscriptLine, format_timecode
from widgets.progress_text import stage_text, time_left_text
from widgets.report_viewer import ReportViewer, show_report

if TYPE_CHECKING:
    from app.speech.service import LiveTranscriptionService, VenueSnapshot

#: Rows kept per venue in the pane (older lines are in the database).
MAX_ROWS = 2000
_FINDING_BG = "#fde2e1"
_DEVIATION_BG = "#fff4e5"


@dataclass(slots=True)
class _VenueView:
    name: str
    started_at: dt.datetime | None
    lines: list[TranscriptLine] = field(default_factory=list)
    findings: list[ContentFinding] = field(default_factory=list)
    state: str = "active"
    reason: str = ""
    partial: str = ""


class TranscriptPane(QWidget):
    """Live transcripts with timestamps, the partial caption, findings and the live load.

    Feed it from :class:`~app.speech.service.LiveTranscriptionService` (connect the service's
    signals to the slots of the same meaning).

    Signals:
        pause_requested(int, bool): venue id, pause (True) or resume (False).
        monitor_requested(int, int): venue id and output device index to play it on the
            headset (-1: the default output); venue id -1 stops monitoring.
    """

    pause_requested = Signal(int, bool)
    monitor_requested = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcriptPane")
        self._venues: dict[int, _VenueView] = {}
        self._current: int | None = None
        self._monitoring = False

        self.venue_combo = QComboBox(self)
        self.venue_combo.setObjectName("transcriptVenue")
        self.venue_combo.currentIndexChanged.connect(self._venue_chosen)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("transcriptState")
        self.pause_button = QPushButton(self)
        self.pause_button.setObjectName("transcriptPause")
        self.pause_button.clicked.connect(self._toggle_pause)
        self.device_combo = QComboBox(self)
        self.device_combo.setObjectName("transcriptDevice")
        self.monitor_button = QPushButton(self)
        self.monitor_button.setObjectName("transcriptMonitor")
        self.monitor_button.setCheckable(True)
        self.monitor_button.toggled.connect(self._toggle_monitor)

        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("transcriptTable")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

        self.partial_label = QLabel(self)
        self.partial_label.setObjectName("transcriptPartial")
        self.partial_label.setWordWrap(True)
        self.partial_label.setStyleSheet("color: #777; font-style: italic;")
        self.findings_list = QListWidget(self)
        self.findings_list.setObjectName("transcriptFindings")
        self.findings_list.setMaximumHeight(110)
        self.load_label = QLabel(self)
        self.load_label.setObjectName("transcriptLoad")
        self.load_label.setWordWrap(True)
        self.model_label = QLabel(self)
        self.model_label.setObjectName("transcriptModel")
        self.model_label.setWordWrap(True)
        self.model_label.setStyleSheet("color: #b00020;")
        self.model_label.hide()

        top = QHBoxLayout()
        top.addWidget(self.venue_combo, 1)
        top.addWidget(self.state_label)
        top.addWidget(self.pause_button)
        monitor = QHBoxLayout()
        monitor.addWidget(self.device_combo, 1)
        monitor.addWidget(self.monitor_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.model_label)
        layout.addLayout(top)
        layout.addLayout(monitor)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.partial_label)
        layout.addWidget(self.findings_list)
        layout.addWidget(self.load_label)
        self.set_output_devices([])
        self.retranslate()

    # ------------------------------------------------------------------ language
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """All texts in the current language."""
        self.table.setHorizontalHeaderLabels([self.tr("Time"), self.tr("Transcript")])
        self.monitor_button.setText(self.tr("Stop listening") if self._monitoring
                                    else self.tr("Listen on headset"))
        self.venue_combo.setToolTip(self.tr("Venue transcribed live"))
        self._show_state()
        if not self.load_label.text():
            self.load_label.setText(self.tr("Live transcription: waiting for the speech model"))

    # ------------------------------------------------------------------ feeding slots
    @Slot(int, str, object)
    def add_venue(self, venue_id: int, name: str, started_at: dt.datetime | None = None) -> None:
        """Show a venue (``started_at``: wall time of second 0 of its transcript)."""
        if venue_id in self._venues:
            self._venues[venue_id].name = name
            self._venues[venue_id].started_at = started_at
            return
        self._venues[venue_id] = _VenueView(name, started_at)
        self.venue_combo.addItem(name, venue_id)
        if self._current is None:
            self.venue_combo.setCurrentIndex(self.venue_combo.count() - 1)

    def restore_venue(self, snapshot: VenueSnapshot) -> None:
        """Show a venue with what it already has: one announced before the pane connected.

        Lines and findings that also arrive as signals afterwards are not shown twice.
        """
        self.add_venue(snapshot.venue_id, snapshot.name, snapshot.started_at)
        view = self._venues[snapshot.venue_id]
        view.lines = list(snapshot.lines)[-MAX_ROWS:]
        view.findings = list(snapshot.findings)
        view.partial = snapshot.partial
        self.set_venue_state(snapshot.venue_id, snapshot.state, snapshot.reason)
        if snapshot.venue_id == self._current:
            self._venue_chosen(self.venue_combo.currentIndex())

    @Slot(int)
    def remove_venue(self, venue_id: int) -> None:
        """Stop showing a venue."""
        self._venues.pop(venue_id, None)
        index = self.venue_combo.findData(venue_id)
        if index >= 0:
            self.venue_combo.removeItem(index)

    @Slot(int, object)
    def add_line(self, venue_id: int, line: TranscriptLine) -> None:
        """A committed line of a venue."""
        view = self._venues.get(venue_id)
        if view is None or line in view.lines[-50:]:  # already replayed from the service
            return
        view.lines.append(line)
        if len(view.lines) > MAX_ROWS:
            del view.lines[: len(view.lines) - MAX_ROWS]
        if venue_id == self._current:
            self._append_row(view, line)
            while self.table.rowCount() > MAX_ROWS:
                self.table.removeRow(0)
            self.table.scrollToBottom()

    @Slot(int, str)
    def set_partial(self, venue_id: int, text: str) -> None:
        """The uncommitted tail of a venue's transcript."""
        view = self._venues.get(venue_id)
        if view is None:
            return
        view.partial = text
        if venue_id == self._current:
            self.partial_label.setText(text)

    @Slot(int, str, str)
    def set_venue_state(self, venue_id: int, state: str, reason: str) -> None:
        """``active`` or ``paused`` (reason ``limit``, ``overload``, ``manual``)."""
        view = self._venues.get(venue_id)
        if view is None:
            return
        view.state, view.reason = state, reason
        index = self.venue_combo.findData(venue_id)
        if index >= 0:
            suffix = "" if state == "active" else " — " + self._state_text(state, reason)
            self.venue_combo.setItemText(index, view.name + suffix)
        if venue_id == self._current:
            self._show_state()

    @Slot(int, object)
    def add_finding(self, venue_id: int, finding: ContentFinding) -> None:
        """A finding of a venue: listed, and its lines highlighted."""
        view = self._venues.get(venue_id)
        if view is None or finding in view.findings[-50:]:  # already replayed
            return
        view.findings.append(finding)
        if venue_id == self._current:
            self._list_finding(view, finding)
            self._highlight(view)

    @Slot(object)
    def set_load(self, report: LoadReport) -> None:
        """The pool's load, capacity and latency, and which venues are paused."""
        text = self.tr("Live: %1 active, %2 paused · workers %3 · load %4%").replace(
            "%1", str(len(report.active))).replace("%2", str(len(report.paused))).replace(
            "%3", str(report.workers)).replace("%4", str(round(report.utilisation * 100)))
        if report.capacity is not None:
            text += " · " + self.tr("capacity about %1 venues").replace(
                "%1", str(report.capacity))
        if report.latency_p50_s is not None:
            text += " · " + self.tr("caption delay %1 s").replace(
                "%1", f"{report.latency_p50_s:.1f}")
        self.load_label.setText(text)
        self.model_label.hide()

    @Slot(str, str)
    def set_model_state(self, state: str, detail: str) -> None:
        """``loading``, ``ready``, ``missing`` or ``failed`` with the detail text."""
        if state in ("missing", "failed"):
            self.model_label.setText(self.tr("Live transcription is off: %1").replace(
                "%1", detail))
            self.model_label.show()
        else:
            self.model_label.hide()
            if state == "loading":
                self.load_label.setText(self.tr("Loading the speech model…"))

    def set_output_devices(self, devices: Sequence[object]) -> None:
        """The headset outputs to choose from (``app.speech.monitor.OutputDevice``)."""
        self.device_combo.clear()
        for d in devices:
            name = str(getattr(d, "name", d))
            self.device_combo.addItem(name, int(getattr(d, "index", -1)))
            if getattr(d, "is_default", False):
                self.device_combo.setCurrentIndex(self.device_combo.count() - 1)
        has = bool(devices)
        self.device_combo.setEnabled(has)
        self.monitor_button.setEnabled(has)
        if not has:
            self.device_combo.addItem(self.tr("No audio output on this workstation"), -1)

    @Slot(int, str)
    def on_monitor_state(self, venue_id: int, error: str) -> None:
        """From the service's ``monitor_state``: the venue on the headset (-1: none)."""
        self.set_monitoring(None if venue_id < 0 else venue_id, error)

    def set_monitoring(self, venue_id: int | None, error: str = "") -> None:
        """Reflect the monitor state (``error``: why listening is not possible)."""
        self._monitoring = venue_id is not None
        self.monitor_button.blockSignals(True)
        self.monitor_button.setChecked(self._monitoring)
        self.monitor_button.blockSignals(False)
        self.monitor_button.setText(self.tr("Stop listening") if self._monitoring
                                    else self.tr("Listen on headset"))
        self.monitor_button.setToolTip(error)

    # ------------------------------------------------------------------ queries (tests)
    def current_venue(self) -> int | None:
        """The venue shown."""
        return self._current

    def shown_lines(self) -> list[tuple[str, str]]:
        """(time, text) of the rows shown."""
        rows = []
        for r in range(self.table.rowCount()):
            t, x = self.table.item(r, 0), self.table.item(r, 1)
            rows.append((t.text() if t else "", x.text() if x else ""))
        return rows

    def highlighted_rows(self) -> list[int]:
        """Rows marked as part of a finding."""
        out = []
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 1)
            if item is not None and item.background().style() != Qt.BrushStyle.NoBrush:
                out.append(r)
        return out

    # ------------------------------------------------------------------ internals
    def _state_text(self, state: str, reason: str) -> str:
        if state == "active":
            return self.tr("live")
        return {
            "limit": self.tr("paused (venue limit)"),
            "overload": self.tr("paused (overloaded)"),
            "manual": self.tr("paused"),
        }.get(reason, self.tr("paused"))

    def _show_state(self) -> None:
        view = self._venues.get(self._current) if self._current is not None else None
        if view is None:
            self.state_label.setText("")
            self.pause_button.setText(self.tr("Pause"))
            self.pause_button.setEnabled(False)
            return
        self.pause_button.setEnabled(True)
        text = self._state_text(view.state, view.reason)
        colour = "#2e9d4a" if view.state == "active" else (
            "#d92b2b" if view.reason == "overload" else "#f0a000")
        self.state_label.setText(f"<b style='color:{colour}'>●</b> {text}")
        self.pause_button.setText(self.tr("Resume") if view.state == "paused"
                                  else self.tr("Pause"))

    def _time_text(self, view: _VenueView, seconds: float) -> str:
        if view.started_at is None:
            return format_timecode(seconds)
        at = view.started_at + dt.timedelta(seconds=seconds)
        return at.astimezone(SHANGHAI).strftime("%H:%M:%S")

    def _append_row(self, view: _VenueView, line: TranscriptLine) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        t = QTableWidgetItem(self._time_text(view, line.start_s))
        t.setData(Qt.ItemDataRole.UserRole, (line.start_s, line.end_s))
        self.table.setItem(row, 0, t)
        self.table.setItem(row, 1, QTableWidgetItem(line.text))
        self._mark_row(view, row, line.start_s, line.end_s)

    def _mark_row(self, view: _VenueView, row: int, start: float, end: float) -> None:
        hits = [f for f in view.findings if f.start_s < end + 0.01 and f.end_s > start - 0.01]
        if not hits:
            return
        colour = _DEVIATION_BG if all(f.category_no == 0 for f in hits) else _FINDING_BG
        tip = "\n".join(f"{finding_category_label(f.category_no)} 〔{f.tag}〕 {f.confidence:.2f}"
                        for f in hits)
        for col in (0, 1):
            item = self.table.item(row, col)
            if item is not None:
                item.setBackground(QBrush(QColor(colour)))
                item.setToolTip(tip)

    def _highlight(self, view: _VenueView) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is None:
                continue
            start, end = item.data(Qt.ItemDataRole.UserRole)
            self._mark_row(view, row, start, end)

    def _list_finding(self, view: _VenueView, f: ContentFinding) -> None:
        text = f"{self._time_text(view, f.start_s)}  {finding_category_label(f.category_no)}" \
               f"〔{f.tag}〕「" \
               f"{f.matched_text}」 {f.confidence:.2f}"
        item = QListWidgetItem(text)
        item.setToolTip(f.quote)
        self.findings_list.addItem(item)
        self.findings_list.scrollToBottom()

    @Slot(int)
    def _venue_chosen(self, index: int) -> None:
        venue_id = self.venue_combo.itemData(index)
        self._current = venue_id if isinstance(venue_id, int) else None
        self.table.setRowCount(0)
        self.findings_list.clear()
        view = self._venues.get(self._current) if self._current is not None else None
        if view is not None:
            for line in view.lines:
                self._append_row(view, line)
            for f in view.findings:
                self._list_finding(view, f)
            self.partial_label.setText(view.partial)
            self.table.scrollToBottom()
        else:
            self.partial_label.setText("")
        self._show_state()

    @Slot()
    def _toggle_pause(self) -> None:
        view = self._venues.get(self._current) if self._current is not None else None
        if view is not None and self._current is not None:
            self.pause_requested.emit(self._current, view.state != "paused")

    @Slot(bool)
    def _toggle_monitor(self, on: bool) -> None:
        if on and self._current is not None:
            device = self.device_combo.currentData()
            self.monitor_requested.emit(self._current, int(device) if device is not None else -1)
        else:
            self.monitor_requested.emit(-1, -1)


def attach_service(pane: TranscriptPane, service: LiveTranscriptionService) -> None:
    """Feed ``pane`` from ``service``: connect the signals, then show what the service already
    has. Venues are watched (and announced) at start-up, before any pane exists; without the
    replay the pane stays empty while the status bar says venues are being transcribed."""
    service.venue_added.connect(pane.add_venue)
    service.venue_removed.connect(pane.remove_venue)
    service.segment_committed.connect(pane.add_line)
    service.partial_changed.connect(pane.set_partial)
    service.venue_state_changed.connect(pane.set_venue_state)
    service.finding_raised.connect(pane.add_finding)
    service.load_changed.connect(pane.set_load)
    service.model_state.connect(pane.set_model_state)
    service.monitor_state.connect(pane.on_monitor_state)
    pane.pause_requested.connect(service.set_paused)
    pane.monitor_requested.connect(service.request_monitor)
    if service.last_model_state is not None:
        pane.set_model_state(*service.last_model_state)
    if service.last_load is not None:
        pane.set_load(service.last_load)
    for snapshot in service.snapshot():
        pane.restore_venue(snapshot)


class AnalysisDialog(QDialog):
    """Analyse a recording: choose the files, watch the progress, cancel, open the report.

    Args:
        service: runs the analysis off the UI thread.
        model_dir: the speech model (``speech.model_dir``).
        reports_dir: default folder of the reports.
        workers: speech workers for the run.
    """

    def __init__(self, service: BatchAnalysisService, model_dir: Path, reports_dir: Path,
                 *, workers: int = 2, threshold: float = 0.6,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("analysisDialog")
        self.service = service
        self.model_dir = model_dir
        self.reports_dir = reports_dir
        self.workers = workers
        self.threshold = threshold
        self.outcome: BatchOutcome | None = None

        self.media_edit = QLineEdit(self)
        self.media_edit.setObjectName("analysisMedia")
        self.media_button = QPushButton(self)
        self.media_button.clicked.connect(self._choose_media)
        self.script_edit = QLineEdit(self)
        self.script_edit.setObjectName("analysisScript")
        self.script_button = QPushButton(self)
        self.script_button.clicked.connect(self._choose_script)
        self.rules_edit = QLineEdit(self)
        self.rules_edit.setObjectName("analysisRules")
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("analysisLanguage")
        self.language_combo.addItem("", "zh")
        self.language_combo.addItem("", "en")
        self.pdf_check = QCheckBox(self)
        self.pdf_check.setObjectName("analysisPdf")
        self.pdf_check.setChecked(True)

        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("analysisProgress")
        self.progress_bar.setRange(0, 1000)
        self.stage_label = QLabel(self)
        self.stage_label.setObjectName("analysisStage")
        self.stage_label.setWordWrap(True)
        self.time_left_label = QLabel(self)
        self.time_left_label.setObjectName("analysisTimeLeft")
        self.viewer: ReportViewer | None = None  # the report, once opened
        self.result_list = QListWidget(self)
        self.result_list.setObjectName("analysisFindings")

        self.start_button = QPushButton(self)
        self.start_button.setObjectName("analysisStart")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("analysisCancel")
        self.cancel_button.clicked.connect(self._cancel_or_close)
        self.open_button = QPushButton(self)
        self.open_button.setObjectName("analysisOpen")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open_report)

        form = QFormLayout()
        media_row = QHBoxLayout()
        media_row.addWidget(self.media_edit, 1)
        media_row.addWidget(self.media_button)
        script_row = QHBoxLayout()
        script_row.addWidget(self.script_edit, 1)
        script_row.addWidget(self.script_button)
        self._labels = [QLabel(self) for _ in range(4)]
        form.addRow(self._labels[0], media_row)
        form.addRow(self._labels[1], script_row)
        form.addRow(self._labels[2], self.rules_edit)
        form.addRow(self._labels[3], self.language_combo)
        form.addRow("", self.pdf_check)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.stage_label, 1)
        progress_row.addWidget(self.time_left_label)
        layout.addLayout(progress_row)
        layout.addWidget(self.result_list, 1)
        layout.addLayout(buttons)
        self.resize(640, 480)

        service.progress.connect(self._progress)
        service.finished.connect(self._finished)
        service.failed.connect(self._failed)
        service.cancelled.connect(self._cancelled)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """All texts in the current language."""
        self.setWindowTitle(self.tr("Analyse a performance recording"))
        for label, text in zip(self._labels, (self.tr("Recording:"), self.tr("Approved script:"),
                                              self.tr("Rules file:"), self.tr("Language:")),
                               strict=True):
            label.setText(text)
        self.media_button.setText(self.tr("Browse…"))
        self.script_button.setText(self.tr("Browse…"))
        self.script_edit.setPlaceholderText(self.tr("optional: plain text of the approved script"))
        self.rules_edit.setPlaceholderText(self.tr("optional: the bundled rules by default"))
        self.language_combo.setItemText(0, self.tr("Chinese"))
        self.language_combo.setItemText(1, self.tr("English"))
        self.pdf_check.setText(self.tr("Also write a PDF report"))
        self.start_button.setText(self.tr("Analyse"))
        self.open_button.setText(self.tr("Open report"))
        self.cancel_button.setText(self.tr("Cancel") if self.service.running
                                   else self.tr("Close"))

    # ------------------------------------------------------------------ actions
    def set_media(self, path: Path, script: Path | None = None) -> None:
        """Preset the recording (and script) to analyse."""
        self.media_edit.setText(str(path))
        if script is not None:
            self.script_edit.setText(str(script))

    def report_path(self) -> Path:
        """Where the HTML report of the chosen recording goes."""
        return self.reports_dir / f"{Path(self.media_edit.text().strip()).stem}-report.html"

    @Slot()
    def start(self) -> None:
        """Start the analysis of the chosen recording."""
        media = Path(self.media_edit.text().strip())
        if not self.media_edit.text().strip() or not media.is_file():
            self.stage_label.setText(self.tr("Choose a recording that exists."))
            return
        script = self.script_edit.text().strip()
        rules = self.rules_edit.text().strip()
        html = self.report_path()
        job = BatchJob(
            media=media, model_dir=self.model_dir, script=Path(script) if script else None,
            rules=Path(rules) if rules else None,
            language=str(self.language_combo.currentData()), report_html=html,
            report_pdf=html.with_suffix(".pdf") if self.pdf_check.isChecked() else None,
            report_json=html.with_suffix(".json"), workers=self.workers,
            threshold=self.threshold,
        )
        if not self.service.start(job):
            self.stage_label.setText(self.tr("An analysis is already running."))
            return
        self.outcome = None
        self.result_list.clear()
        self.open_button.setEnabled(False)
        self.start_button.setEnabled(False)
        self.progress_bar.setValue(0)
        self.stage_label.setText(self.tr("Starting…"))
        self.time_left_label.clear()
        self.cancel_button.setText(self.tr("Cancel"))

    @Slot()
    def _cancel_or_close(self) -> None:
        if self.service.running:
            self.service.cancel()
            self.stage_label.setText(self.tr("Cancelling…"))
            self.cancel_button.setEnabled(False)
        else:
            self.reject()

    @Slot(str, float, object)
    def _progress(self, stage: str, fraction: float, run: object) -> None:
        self.progress_bar.setValue(round(fraction * 1000))
        if isinstance(run, RunProgress):
            self.stage_label.setText(stage_text(run))
            self.time_left_label.setText(time_left_text(run.seconds_left)
                                         if stage != "done" else "")

    @Slot(object)
    def _finished(self, outcome: BatchOutcome) -> None:
        self.outcome = outcome
        self._idle()
        self.progress_bar.setValue(1000)
        findings = outcome.result.findings
        self.stage_label.setText(
            self.tr("%1 of audio analysed in %2 s (%3× real time): %4 finding(s).")
            .replace("%1", format_timecode(outcome.transcript.duration_s))
            .replace("%2", f"{outcome.total_s:.0f}").replace("%3", f"{outcome.xrt:.0f}")
            .replace("%4", str(len(findings))))
        for f in findings:
            item = QListWidgetItem(f"{format_timecode(f.start_s)}–{format_timecode(f.end_s)}  "
                                   f"{finding_category_label(f.category_no)}〔{f.tag}〕"
                                   f"「{f.matched_text}」 "
                                   f"{f.confidence:.2f}")
            item.setToolTip(f.quote)
            if f.confidence >= self.threshold:
                item.setForeground(QBrush(QColor("#b00020")))
            self.result_list.addItem(item)
        self.open_button.setEnabled(bool(outcome.outputs))

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._idle()
        self.stage_label.setText(self.tr("The analysis failed: %1").replace("%1", message))

    @Slot()
    def _cancelled(self) -> None:
        self._idle()
        self.progress_bar.setValue(0)
        self.stage_label.setText(self.tr("The analysis was cancelled."))

    def _idle(self) -> None:
        self.time_left_label.clear()
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(self.tr("Close"))

    @Slot()
    def _open_report(self) -> None:
        if self.outcome is not None and self.outcome.outputs:
            # inside the console: a desktop without a browser would open nothing
            self.viewer = show_report(self.outcome.outputs[0], self.parentWidget() or self)

    @Slot()
    def _choose_media(self) -> None:
        filters = (self.tr("Recordings") + " (*.mp4 *.mkv *.ts *.flv *.mov *.wav *.mp3 *.m4a "
                   "*.aac);;" + self.tr("All files") + " (*)")
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a recording"), "", filters)
        if path:
            self.media_edit.setText(path)

    @Slot()
    def _choose_script(self) -> None:
        filters = self.tr("Text files") + " (*.txt);;" + self.tr("All files") + " (*)"
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose the approved script"), "",
                                              filters)
        if path:
            self.script_edit.setText(path)

    def done(self, result: int) -> None:
        """Closing cancels a run in progress."""
        if self.service.running:
            self.service.cancel()
        super().done(result)
