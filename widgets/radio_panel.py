"""The radio panel: link, talkgroup, who is talking, and the SDS log with delivery states."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.labels import local_time
from app.radio.service import CallActivity
from app.services.directory import RadioLogRow
from models.enums import RadioMessageState
from widgets.row_model import Column
from widgets.table_panel import RowTablePanel

_STATE_COLOURS = {
    RadioMessageState.QUEUED: "#fff3c4",
    RadioMessageState.ACCEPTED: "#ffe08a",
    RadioMessageState.SENT: "#b9d4ff",
    RadioMessageState.DELIVERED: "#bfe8c6",
    RadioMessageState.FAILED: "#ff8a80",
    RadioMessageState.UNCONFIRMED: "#ffb86b",
    RadioMessageState.CANCELLED: "#d9d9d9",
}


class SdsLog(RowTablePanel):
    """Newest SDS first: direction, peer, content and delivery state with its time.

    A queued outgoing message can be withdrawn (button, or right-click → Cancel sending).

    Signals:
        cancel_requested(int): the dispatcher cancels the outgoing message of this row.
    """

    cancel_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("sds", self._columns(), parent)
        self.cancel_action = QAction(self)
        self.cancel_action.setObjectName("sdsCancel")
        self.cancel_action.setEnabled(False)
        self.cancel_action.triggered.connect(self._cancel)
        self.table.addAction(self.cancel_action)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setDefaultAction(self.cancel_action)
        self.toolbar.addWidget(self.cancel_button)
        self.finish_toolbar()
        self.table.selectionModel().selectionChanged.connect(self._update_cancel)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.retranslate()

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show ``rows``; the cancel action follows the selected row's new state."""
        super().set_rows(rows)
        self._update_cancel()

    def cancellable_row(self) -> RadioLogRow | None:
        """The selected row when it is an outgoing message still queued, else None."""
        row_id = self.selected_id()
        row = self.model.row_by_id(row_id) if row_id is not None else None
        if isinstance(row, RadioLogRow) and row.outbound \
                and row.state is RadioMessageState.QUEUED:
            return row
        return None

    @Slot()
    def _update_cancel(self) -> None:
        self.cancel_action.setEnabled(self.cancellable_row() is not None)

    @Slot()
    def _cancel(self) -> None:
        row = self.cancellable_row()
        if row is not None:
            self.cancel_requested.emit(row.id)

    def _state_text(self, state: RadioMessageState) -> str:
        return {
            RadioMessageState.QUEUED: self.tr("queued"),
            RadioMessageState.ACCEPTED: self.tr("accepted by radio"),
            RadioMessageState.SENT: self.tr("sent"),
            RadioMessageState.DELIVERED: self.tr("delivered"),
            RadioMessageState.FAILED: self.tr("failed"),
            RadioMessageState.RECEIVED: self.tr("received"),
            RadioMessageState.UNCONFIRMED: self.tr("unconfirmed"),
            RadioMessageState.CANCELLED: self.tr("cancelled"),
        }[state]

    def cancel_refusal_text(self, reason: str) -> str:
        """A refusal reason of the radio bridge (English) in the current language."""
        if reason == "already cancelled":
            return self.tr("it was already cancelled")
        if reason.startswith("already "):
            word = reason.split()[1].rstrip(":")
            try:
                state = self._state_text(RadioMessageState(word))
            except (ValueError, KeyError):
                state = word
            return self.tr("the radio already has it (%1)").replace("%1", state)
        if "on the air" in reason:
            return self.tr("an earlier attempt may already be on the air")
        if "right now" in reason:
            return self.tr("it is being handed to the radio right now; try again")
        return reason

    def _columns(self) -> list[Column]:
        return [
            Column(lambda: self.tr("Time"), lambda r: local_time(r.at),
                   sort_key=lambda r: (r.at.timestamp(), r.id)),
            Column(lambda: self.tr("Dir."), lambda r: self.tr("out") if r.outbound
                   else self.tr("in"), align_center=True),
            Column(lambda: self.tr("Peer"),
                   lambda r: f"{r.peer} ({r.peer_issi})" if r.peer else str(r.peer_issi or "")),
            Column(lambda: self.tr("Message"), lambda r: r.content, tooltip=lambda r: r.content),
            Column(lambda: self.tr("State"), lambda r: self._state_text(r.state),
                   background=lambda r: _STATE_COLOURS.get(r.state),
                   tooltip=lambda r: r.error),
            Column(lambda: self.tr("State time"), lambda r: local_time(r.state_at),
                   sort_key=lambda r: r.state_at.timestamp()),
        ]

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.retranslate_table(self.tr("Filter: peer, text, state…"))
        self.cancel_action.setText(self.tr("Cancel sending"))
        self.cancel_action.setToolTip(
            self.tr("Withdraw the selected outgoing message while it is still queued"))


class RadioPanel(QWidget):
    """Radio link, talkgroup selection, live call strip, SDS log and a send box.

    Signals:
        send_requested(int, str): the dispatcher sends a text to an ISSI.
        talkgroup_requested(int): the dispatcher selects a talkgroup (GSSI).
        cancel_requested(int): the dispatcher cancels a queued outgoing SDS (log row id).
    """

    send_requested = Signal(int, str)
    talkgroup_requested = Signal(int)
    cancel_requested = Signal(int)

    def __init__(self, talkgroups: list[tuple[int, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("radioPanel")
        self.link_label = QLabel(self)
        self.link_label.setObjectName("radioLink")
        self.group_combo = QComboBox(self)
        self.group_combo.setObjectName("radioTalkgroup")
        self._talkgroups = list(talkgroups)
        for gssi, name in talkgroups:
            self.group_combo.addItem(f"{name} ({gssi})", gssi)
        self.group_button = QPushButton(self)
        self.group_button.clicked.connect(self._select_group)
        self.call_label = QLabel(self)
        self.call_label.setObjectName("radioCallStrip")
        self.call_label.setMinimumHeight(28)
        self.log = SdsLog(self)
        self.log.cancel_requested.connect(self.cancel_requested)
        self.dest_combo = QComboBox(self)
        self.dest_combo.setObjectName("radioDestination")
        self.dest_combo.setEditable(True)
        self.dest_combo.setMinimumWidth(180)
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("radioText")
        self.text_edit.returnPressed.connect(self._send)
        self.send_button = QPushButton(self)
        self.send_button.setObjectName("radioSend")
        self.send_button.clicked.connect(self._send)

        top = QHBoxLayout()
        top.addWidget(self.link_label, 1)
        top.addWidget(self.group_combo)
        top.addWidget(self.group_button)
        send = QHBoxLayout()
        send.addWidget(self.dest_combo)
        send.addWidget(self.text_edit, 1)
        send.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.call_label)
        layout.addWidget(self.log, 1)
        layout.addLayout(send)
        self._link = ("connecting", "")
        self._talking: CallActivity | None = None
        self._group: int | None = None
        self.retranslate()

    # ------------------------------------------------------------------ texts
    def retranslate(self) -> None:
        """Texts in the current language."""
        self.group_button.setText(self.tr("Select talkgroup"))
        self.text_edit.setPlaceholderText(self.tr("Text to the selected radio (Enter sends)"))
        self.send_button.setText(self.tr("Send"))
        self.log.retranslate()
        self._render_link()
        self._render_call()

    # ------------------------------------------------------------------ slots
    @Slot(str, str)
    def set_link(self, state: str, detail: str) -> None:
        """Show the link state of the gateway radio."""
        self._link = (state, detail)
        self._render_link()

    @Slot(int)
    def set_talkgroup(self, gssi: int) -> None:
        """Show the talkgroup the gateway radio is attached to."""
        self._group = gssi
        idx = self.group_combo.findData(gssi)
        if idx >= 0:
            self.group_combo.setCurrentIndex(idx)
        self._render_link()

    @Slot(object)
    def show_call(self, activity: CallActivity) -> None:
        """Update the call strip from a call event."""
        if activity.kind == "talking":
            self._talking = activity
        elif activity.kind in ("ceased", "ended"):
            self._talking = None
        self._render_call()

    @Slot(object)
    def set_log_rows(self, rows: list[RadioLogRow]) -> None:
        """Show the SDS log."""
        self.log.set_rows(rows)

    def set_destinations(self, destinations: list[tuple[str, int]]) -> None:
        """Radios the dispatcher can text: (label, ISSI); the talkgroups follow them (a group
        text asks for no delivery report)."""
        current = self.dest_combo.currentData()
        self.dest_combo.clear()
        for text, issi in destinations:
            self.dest_combo.addItem(f"{text} ({issi})", issi)
        for gssi, name in self._talkgroups:
            self.dest_combo.addItem(
                self.tr("Talkgroup %1").replace("%1", f"{name} ({gssi})"), gssi)
        idx = self.dest_combo.findData(current)
        if idx >= 0:
            self.dest_combo.setCurrentIndex(idx)

    # ------------------------------------------------------------------ internals
    def _render_link(self) -> None:
        state, detail = self._link
        names = {"up": self.tr("connected"), "connecting": self.tr("connecting"),
                 "down": self.tr("link down"), "stopped": self.tr("stopped")}
        colour = {"up": "#2e9d4a", "down": "#d92b2b"}.get(state, "#f0a000")
        talkgroup = self.tr("talkgroup")
        gateway = self.tr("Gateway radio")
        group = f" · {talkgroup} {self._group}" if self._group else ""
        self.link_label.setText(
            f'<span style="color:{colour}">●</span> {gateway}: {names.get(state, state)}{group}'
        )
        self.link_label.setToolTip(detail)

    def _render_call(self) -> None:
        if self._talking is None:
            self.call_label.setText(self.tr("No one is talking"))
            self.call_label.setStyleSheet("color: #666; padding: 4px;")
        else:
            self.call_label.setText(
                self.tr("Talking: a radio outside this district") if self._talking.outside
                else self.tr("Talking: %1").replace("%1", self._talking.talker))
            self.call_label.setStyleSheet(
                "background: #2e9d4a; color: white; font-weight: bold; padding: 4px;")

    @Slot()
    def _select_group(self) -> None:
        gssi = self.group_combo.currentData()
        if gssi is not None:
            self.talkgroup_requested.emit(int(gssi))

    @Slot()
    def _send(self) -> None:
        text = self.text_edit.text().strip()
        issi = self.dest_combo.currentData()
        if issi is None:
            typed = self.dest_combo.currentText().strip()
            issi = int(typed) if typed.isdigit() else None
        if not text or issi is None:
            return
        self.send_requested.emit(int(issi), text)
        self.text_edit.clear()
