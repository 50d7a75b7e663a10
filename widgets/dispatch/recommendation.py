"""The recommendation list: which unit to send, best first, each row saying why.

One action assigns the selected unit: Enter, Ctrl+Enter, a double click or the button. After
the assignment the panel shows the delivery state of the order SDS as the radio bridge
reports it (queued → accepted → sent → delivered, or failed).

Below the offered units, greyed out, are the units that may not go, each saying why (off duty,
out of service, busy, another district); they cannot be selected or assigned. The header says
which units this incident may get from this console.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from PySide6.QtCore import QModelIndex, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.dispatch.recommend import Recommendation, RecommendationSet
from app.dispatch.texts import exclusion_text, offer_notes, offer_rule_text
from app.labels import label
from models.enums import RadioMessageState
from widgets.dispatch.common import MessageLine, add_submit_shortcuts
from widgets.row_model import ROW_ROLE, Column, RowTableModel
from widgets.style import UNIT_STATUS_COLOURS

_ORDER_STYLE = {
    RadioMessageState.DELIVERED: "ok",
    RadioMessageState.FAILED: "error",
    RadioMessageState.UNCONFIRMED: "error",
    RadioMessageState.CANCELLED: "error",
}


_EXCLUDED_TEXT = "#8a8a8a"


def _excluded_grey(row: Recommendation) -> str | None:
    """Offered units keep the table's text colour; the ones not offered are grey."""
    return None if row.assignable else _EXCLUDED_TEXT


class RecommendationPanel(QWidget):
    """Ranked units for one incident, and the assign action.

    Signals:
        assign_requested(int, int): incident id and the chosen unit's id.
        reassign_requested(int, int, int): incident id, unit taken off, unit put on.
    """

    assign_requested = Signal(int, int)
    reassign_requested = Signal(int, int, int)

    def __init__(self, district_names: Mapping[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recommendationPanel")
        self._districts = dict(district_names or {})
        self._set: RecommendationSet | None = None
        self._reassign_from: int | None = None
        self._busy = False

        self.header = QLabel(self)
        self.header.setWordWrap(True)
        self.model_label = QLabel(self)
        self.model_label.setStyleSheet("color: #555;")
        # units not offered: greyed, neither selectable nor enabled
        self.model = RowTableModel(self._columns(), self, enabled=lambda r: r.assignable)
        self.table = QTableView(self)
        self.table.setObjectName("recommendationTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.activated.connect(self._activated)
        self.assign_button = QPushButton(self)
        self.assign_button.setObjectName("assignButton")
        self.assign_button.clicked.connect(self.assign_selected)
        self.order_label = MessageLine(self)

        buttons = QHBoxLayout()
        buttons.addWidget(self.model_label, 1)
        buttons.addWidget(self.assign_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.header)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.order_label)
        add_submit_shortcuts(self, self.assign_selected)
        self.retranslate()

    def _columns(self) -> list[Column]:
        cols = [
            Column(lambda: self.tr("Rank"), lambda r: str(r.rank) if r.assignable else "—",
                   align_center=True),
            Column(lambda: self.tr("Call sign"), lambda r: r.call_sign),
            Column(lambda: self.tr("Status"), lambda r: label(r.status),
                   background=lambda r: UNIT_STATUS_COLOURS.get(r.status)
                   if r.assignable else None),
            Column(lambda: self.tr("District"), self._district),
            Column(lambda: self.tr("Distance km"),
                   lambda r: "" if r.distance_km is None else f"{r.distance_km:.1f}",
                   align_center=True),
            Column(lambda: self.tr("ETA min"),
                   lambda r: "" if r.eta_min is None else f"{r.eta_min:.0f}",
                   align_center=True),
            Column(lambda: self.tr("Today"), lambda r: str(r.workload_today),
                   align_center=True),
            Column(lambda: self.tr("Why"), self.reason_text, tooltip=self.reason_text),
        ]
        return [dataclasses.replace(c, foreground=_excluded_grey) for c in cols]

    def _district(self, r: Recommendation) -> str:
        if r.district_adcode is None:
            return self.tr("City corps")
        return self._districts.get(r.district_adcode, r.district_adcode)

    def reason_text(self, r: Recommendation) -> str:
        """Why the unit is where it is in the list (or not offered), in words."""
        parts: list[str] = []
        if not r.assignable:
            parts.append(exclusion_text(r, self._districts))
        if r.distance_km is None or r.eta_min is None or r.road_km is None:
            parts.append(self.tr("position unknown"))
        else:
            parts.append(self.tr("%1 km straight, about %2 km by road at %3 km/h: %4 min")
                         .replace("%1", f"{r.distance_km:.1f}")
                         .replace("%2", f"{r.road_km:.1f}")
                         .replace("%3", f"{r.speed_kmh:.0f}")
                         .replace("%4", f"{r.eta_min:.0f}"))
        parts.append(label(r.status))
        parts.extend(offer_notes(r))
        parts.append(self.tr("%1 task(s) today").replace("%1", str(r.workload_today)))
        if r.position_age_s is not None and r.stale:
            parts.append(self.tr("position %1 min old")
                         .replace("%1", str(int(r.position_age_s // 60))))
        if r.other_district and r.assignable:
            parts.append(self.tr("other district (incident escalated)"))
        return self.tr("; ").join(parts)

    def retranslate(self) -> None:
        """Set every visible text (also after a language change)."""
        self.assign_button.setText(self.tr("Reassign (Ctrl+Enter)") if self._reassign_from
                                   else self.tr("Assign (Ctrl+Enter)"))
        self.model.retranslate()
        self._show_header()

    # ------------------------------------------------------------------ data
    @Slot(object)
    def set_recommendations(self, rec_set: RecommendationSet,
                            reassign_from: int | None = None) -> None:
        """Show the ranked units for an incident; the best one is selected.

        With ``reassign_from`` (a unit id) the action reassigns the incident from that unit.
        """
        same_incident = self._set is not None and self._set.incident.id == rec_set.incident.id
        selected = self.selected_unit_id() if same_incident else None
        self._set = rec_set
        self._reassign_from = reassign_from
        self._busy = False
        self.model.set_rows([])  # keep the ranked order: rebuild rather than update in place
        self.model.set_rows([*rec_set.rows, *rec_set.excluded])
        if not same_incident:
            self.order_label.clear_message()
        if not (selected is not None and self.select_unit(selected)) and rec_set.rows:
            self.table.selectRow(0)
        self.assign_button.setEnabled(bool(rec_set.rows))
        self.retranslate()

    def _show_header(self) -> None:
        rs = self._set
        if rs is None:
            self.header.setText(self.tr("No incident selected"))
            self.model_label.clear()
            return
        text = self.tr("Incident %1: %2 unit(s) may go").replace("%1", rs.incident.number) \
            .replace("%2", str(len(rs.rows)))
        if not rs.rows:
            text += self.tr(" — no unit is available")
        if rs.excluded:
            text += self.tr("; %1 not offered (greyed, with the reason)").replace(
                "%1", str(len(rs.excluded)))
        self.header.setText(text + "\n" + offer_rule_text(rs, self._districts))
        m = rs.model
        self.model_label.setText(
            (self.tr("ETA from the fleet's history: detour ×%1, %2 km/h now (%3 trips)")
             if m.calibrated else
             self.tr("ETA from default speeds: detour ×%1, %2 km/h now"))
            .replace("%1", f"{m.detour_factor:.2f}")
            .replace("%2", f"{m.speed_at(rs.at):.0f}").replace("%3", str(m.windows)))

    def rows(self) -> list[Recommendation]:
        """The offered units in ranked order."""
        return [r for r in self.model.rows if r.assignable]

    def excluded_rows(self) -> list[Recommendation]:
        """The units listed greyed, not offered (each says why)."""
        return [r for r in self.model.rows if not r.assignable]

    def selected_unit_id(self) -> int | None:
        """Id of the selected unit."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = self.model.data(rows[0], ROW_ROLE)
        return None if row is None else int(row.id)

    def select_unit(self, unit_id: int) -> bool:
        """Select a unit's row; False if it is not listed."""
        pos = self.model.position(unit_id)
        if pos is None:
            return False
        self.table.selectRow(pos)
        return True

    # ------------------------------------------------------------------ actions
    @Slot(QModelIndex)
    def _activated(self, _index: QModelIndex) -> None:
        self.assign_selected()

    @Slot()
    def assign_selected(self) -> None:
        """Assign (or reassign to) the selected unit; once until the next answer."""
        unit_id = self.selected_unit_id()
        if self._set is None or unit_id is None or self._busy:
            return
        row = self.model.row_by_id(unit_id)
        if row is not None and not row.assignable:
            return  # greyed rows cannot be selected; never send one anyway
        self._busy = True
        self.assign_button.setEnabled(False)
        call_sign = row.call_sign if row is not None else str(unit_id)
        self.order_label.show_message(self.tr("Assigning %1…").replace("%1", call_sign))
        if self._reassign_from is not None:
            self.reassign_requested.emit(self._set.incident.id, self._reassign_from, unit_id)
        else:
            self.assign_requested.emit(self._set.incident.id, unit_id)

    @Slot(str)
    def show_refusal(self, text: str) -> None:
        """The assignment was refused: say why; the dispatcher may pick another unit."""
        self._busy = False
        self.assign_button.setEnabled(True)
        self.order_label.show_message(text, "error")

    def show_order_state(self, call_sign: str, state: RadioMessageState | None,
                         error: str = "") -> None:
        """Delivery state of the order sent to ``call_sign`` (None: the unit has no radio)."""
        self._busy = False
        self.assign_button.setEnabled(self.model.rowCount() > 0)
        if state is None:
            self.order_label.show_message(
                self.tr("%1 assigned; it has no radio — tell the crew by phone.")
                .replace("%1", call_sign), "error")
            return
        names = {
            RadioMessageState.QUEUED: self.tr("queued"),
            RadioMessageState.ACCEPTED: self.tr("accepted by the gateway radio"),
            RadioMessageState.SENT: self.tr("sent"),
            RadioMessageState.DELIVERED: self.tr("delivered"),
            RadioMessageState.FAILED: self.tr("failed"),
            RadioMessageState.RECEIVED: self.tr("received"),
            RadioMessageState.UNCONFIRMED: self.tr("unconfirmed: the radio did not confirm "
                                                   "transmission"),
            RadioMessageState.CANCELLED: self.tr("cancelled"),
        }
        text = self.tr("Order to %1: %2").replace("%1", call_sign).replace("%2", names[state])
        if error:
            text += f"（{error}）"
        self.order_label.show_message(text, _ORDER_STYLE.get(state, "info"))

    def order_message(self) -> str:
        """The order line's text (for tests and the status bar)."""
        return self.order_label.text()
