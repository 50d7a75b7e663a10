"""The performance schedule: approved shows, which one is on, and their after-show analysis."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QPushButton, QWidget

from app.labels import local_time
from app.services.directory import PerformanceRow
from models.clock import Clock
from models.clock import installed as installed_clock
from widgets.report_viewer import ReportViewer, show_report
from widgets.row_model import Column
from widgets.table_panel import RowTablePanel


class SchedulePanel(RowTablePanel):
    """Approved performances of the last and next two weeks, in time order."""

    def __init__(self, parent: QWidget | None = None, *, clock: Clock | None = None) -> None:
        super().__init__("schedule", self._columns(), parent)
        self.clock = clock or installed_clock()
        self.report_button = QPushButton(self)
        self.report_button.clicked.connect(self.open_report)
        self.viewer: ReportViewer | None = None  # the last report opened
        self.toolbar.addWidget(self.report_button)
        self.finish_toolbar()
        self.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)
        self.table.doubleClicked.connect(lambda _i: self.open_report())
        self.retranslate()

    def _state(self, row: PerformanceRow) -> str:
        now = self.clock.now()
        if row.starts_at <= now < row.ends_at:
            return self.tr("on now: recording")
        if now < row.starts_at:
            return self.tr("scheduled")
        return {
            "done": self.tr("analysed: %1 finding(s)").replace("%1", str(row.findings)),
            "no_recording": self.tr("no recording"),
            "failed": self.tr("analysis failed"),
            "running": self.tr("analysing"),
        }.get(row.analysis_state, self.tr("waiting for analysis"))

    def _columns(self) -> list[Column]:
        return [
            Column(lambda: self.tr("Approval number"), lambda r: r.approval_no),
            Column(lambda: self.tr("Venue"), lambda r: r.venue_name),
            Column(lambda: self.tr("Title"), lambda r: r.title),
            Column(lambda: self.tr("Starts"), lambda r: local_time(r.starts_at, "%m-%d %H:%M"),
                   sort_key=lambda r: r.starts_at.timestamp()),
            Column(lambda: self.tr("Ends"), lambda r: local_time(r.ends_at, "%m-%d %H:%M"),
                   sort_key=lambda r: r.ends_at.timestamp()),
            Column(lambda: self.tr("Troupe"), lambda r: r.troupe),
            Column(lambda: self.tr("State"), self._state,
                   background=lambda r: "#ffb3b3" if r.findings else None),
        ]

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.report_button.setText(self.tr("Open report"))
        self.retranslate_table(self.tr("Filter: approval number, venue, title…"))

    @Slot()
    def open_report(self) -> None:
        """Open the selected show's analysis report (HTML) in the console's report viewer."""
        row_id = self.selected_id()
        row = self.model.row_by_id(row_id) if row_id is not None else None
        if row is not None and row.report_path:
            self.viewer = show_report(Path(row.report_path), self.window())
