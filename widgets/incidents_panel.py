"""The incidents panel: open incidents (and today's closed ones), live, most urgent first."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QWidget

from app.dispatch.timers import TimerInputs, TimerPhase, TimerReading, timer_reading
from app.labels import label, local_time
from models.clock import utcnow
from models.enums import IncidentCategory, IncidentPriority, IncidentSource, IncidentStatus
from widgets.dispatch.common import format_elapsed, timer_colour
from widgets.row_model import Column
from widgets.style import INCIDENT_STATUS_COLOURS, PRIORITY_COLOURS
from widgets.table_panel import RowTablePanel


def _priority_label(value: int) -> str:
    try:
        return label(IncidentPriority(value))
    except ValueError:
        return str(value)


def _enum_label(enum_cls: type[IncidentCategory] | type[IncidentSource], value: str) -> str:
    try:
        return label(enum_cls(value))
    except ValueError:
        return value


class IncidentsPanel(RowTablePanel):
    """Table of incidents, most urgent first, with a text filter and an open-only switch.

    Signals:
        incident_selected(int): the id of the incident the dispatcher selected.
    """

    incident_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        self._timers: dict[int, TimerInputs] = {}
        super().__init__("incidents", self._columns(), parent)
        self.row_selected.connect(self.incident_selected)
        self.open_only = QCheckBox(self)
        self.open_only.setObjectName("incidentsOpenOnly")
        self.open_only.setChecked(True)
        self.open_only.toggled.connect(self._open_only_changed)
        self.toolbar.addWidget(self.open_only)
        self.finish_toolbar()
        self.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
        self._open_only_changed(True)
        self._clock = QTimer(self)
        self._clock.timeout.connect(self._tick)
        self._clock.start(1000)
        self.retranslate()

    def _columns(self) -> list[Column]:
        return [
            Column(lambda: self.tr("Number"), lambda r: r.number),
            Column(lambda: self.tr("Reported"), lambda r: local_time(r.reported_at),
                   sort_key=lambda r: r.reported_at.timestamp()),
            Column(lambda: self.tr("Priority"), lambda r: _priority_label(r.priority),
                   # most urgent first, then the oldest first within a priority
                   sort_key=lambda r: (r.priority, r.reported_at.timestamp()),
                   background=lambda r: PRIORITY_COLOURS.get(r.priority), align_center=True),
            Column(lambda: self.tr("Status"), lambda r: label(r.status),
                   background=lambda r: INCIDENT_STATUS_COLOURS.get(r.status)),
            Column(lambda: self.tr("Timer"), self._timer_text,
                   sort_key=self._timer_sort_key,
                   background=self._timer_background,
                   tooltip=self._timer_tooltip, align_center=True),
            Column(lambda: self.tr("Category"),
                   lambda r: _enum_label(IncidentCategory, r.category)),
            Column(lambda: self.tr("Venue"), lambda r: r.venue_name),
            Column(lambda: self.tr("District"), lambda r: r.district_name),
            Column(lambda: self.tr("Units"), lambda r: "、".join(r.units)),
            Column(lambda: self.tr("Source"), lambda r: _enum_label(IncidentSource, r.source)),
            Column(lambda: self.tr("Summary"), lambda r: r.title, tooltip=lambda r: r.title),
        ]

    # ------------------------------------------------------------------ timers
    @Slot(object)
    def set_timers(self, inputs: list[TimerInputs]) -> None:
        """Timer inputs (dispatch and arrival times) of the open incidents."""
        first = not self._timers and bool(inputs)
        self._timers = {i.id: i for i in inputs}
        self._tick()
        if first:
            self.table.resizeColumnToContents(4)

    def _reading(self, row: object) -> TimerReading | None:
        # Looked up by the row's incident id, never by position: the incidents and the timer
        # inputs arrive from two queries, and a row inserted in between must not borrow its
        # neighbour's timer.
        status = getattr(row, "status", None)
        if isinstance(status, IncidentStatus) and not status.is_open:
            return None  # closed in this refresh: the timer inputs may still say open
        inputs = self._timers.get(getattr(row, "id", -1))
        if inputs is None and status is IncidentStatus.NEW:
            # a new incident whose timer inputs are not loaded yet: it waits since its report
            inputs = TimerInputs(row.id, row.priority, status, row.reported_at)  # type: ignore[attr-defined]
        if inputs is None:
            return None
        return timer_reading(inputs, utcnow())

    def _timer_sort_key(self, row: object) -> float:
        reading = self._reading(row)
        return reading.elapsed_s if reading is not None else -1.0

    def _timer_background(self, row: object) -> str | None:
        reading = self._reading(row)
        return timer_colour(reading.level) if reading is not None else None

    def _timer_text(self, row: object) -> str:
        reading = self._reading(row)
        if reading is None or reading.phase is TimerPhase.NONE:
            return ""
        return format_elapsed(reading.elapsed_s)

    def _timer_tooltip(self, row: object) -> str:
        reading = self._reading(row)
        if reading is None or reading.phase is TimerPhase.NONE:
            return ""
        phase = {TimerPhase.AWAITING_DISPATCH: self.tr("waiting for dispatch"),
                 TimerPhase.AWAITING_ARRIVAL: self.tr("unit on its way"),
                 TimerPhase.ON_SCENE: self.tr("unit on scene")}.get(reading.phase, "")
        red = local_time(reading.red_at) if reading.red_at else ""
        return self.tr("%1; red at %2").replace("%1", phase).replace("%2", red)

    @Slot()
    def _tick(self) -> None:
        column = 4  # the timer column
        rows = self.model.rowCount()
        if rows:
            self.model.dataChanged.emit(self.model.index(0, column),
                                        self.model.index(rows - 1, column))

    def retranslate(self) -> None:
        """Set every visible text (also after a language change)."""
        self.open_only.setText(self.tr("Open only"))
        self.retranslate_table(self.tr("Filter: number, venue, district, category…"))

    def select_incident(self, incident_id: int) -> bool:
        """Select and reveal an incident. False if it is not shown."""
        return self.select_id(incident_id)

    @Slot(bool)
    def _open_only_changed(self, checked: bool) -> None:
        self.proxy.set_predicate((lambda row: row.status.is_open) if checked else None)
        self._update_count()
