"""Status bar: each subsystem's link state and the Beijing time."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QTimer, Slot
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.bridge import LinkState, Subsystem
from app.i18n import QT_TRANSLATE_NOOP
from app.labels import SHANGHAI

_SUBSYSTEM_NAMES = {
    Subsystem.DATABASE: QT_TRANSLATE_NOOP("Subsystem", "Database"),
    Subsystem.RADIO: QT_TRANSLATE_NOOP("Subsystem", "Radio"),
    Subsystem.VEHICLES: QT_TRANSLATE_NOOP("Subsystem", "Vehicle positioning"),
    Subsystem.VIDEO: QT_TRANSLATE_NOOP("Subsystem", "Video"),
    Subsystem.SPEECH: QT_TRANSLATE_NOOP("Subsystem", "Speech analysis"),
    Subsystem.MAP: QT_TRANSLATE_NOOP("Subsystem", "Map"),
}
_STATE_NAMES = {
    LinkState.NOT_CONFIGURED: QT_TRANSLATE_NOOP("LinkState", "not configured"),
    LinkState.CONNECTING: QT_TRANSLATE_NOOP("LinkState", "connecting"),
    LinkState.UP: QT_TRANSLATE_NOOP("LinkState", "connected"),
    LinkState.DEGRADED: QT_TRANSLATE_NOOP("LinkState", "degraded"),
    LinkState.DOWN: QT_TRANSLATE_NOOP("LinkState", "down"),
}
_STATE_COLOURS = {
    LinkState.NOT_CONFIGURED: "#9e9e9e",
    LinkState.CONNECTING: "#f0a000",
    LinkState.UP: "#2e9d4a",
    LinkState.DEGRADED: "#f0a000",
    LinkState.DOWN: "#d92b2b",
}


def subsystem_name(subsystem: Subsystem) -> str:
    """Translated name of a subsystem."""
    return QCoreApplication.translate("Subsystem", _SUBSYSTEM_NAMES[subsystem])


def state_name(state: LinkState) -> str:
    """Translated name of a link state."""
    return QCoreApplication.translate("LinkState", _STATE_NAMES[state])


class LinkStatusBar(QStatusBar):
    """One indicator per subsystem (coloured dot, name, state; detail in the tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("linkStatusBar")
        self._labels: dict[Subsystem, QLabel] = {}
        self._states: dict[Subsystem, tuple[LinkState, str]] = {}
        for subsystem in Subsystem:
            lbl = QLabel(self)
            lbl.setObjectName(f"link_{subsystem.value}")
            self._labels[subsystem] = lbl
            self._states[subsystem] = (LinkState.NOT_CONFIGURED, "")
            self.addPermanentWidget(lbl)
            self._render(subsystem)
        self.clock = QLabel(self)
        self.clock.setObjectName("clock")
        self.addPermanentWidget(self.clock)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(1000)
        self._tick()

    @Slot(str, str, str)
    def set_link_state(self, subsystem: str, state: str, detail: str) -> None:
        """Show a subsystem's new state (connected to UiBridge.link_state_changed)."""
        sub = Subsystem(subsystem)
        self._states[sub] = (LinkState(state), detail)
        self._render(sub)

    def state_of(self, subsystem: Subsystem) -> LinkState:
        """The state shown for ``subsystem``."""
        return self._states[subsystem][0]

    def text_of(self, subsystem: Subsystem) -> str:
        """The indicator's plain text."""
        state, _ = self._states[subsystem]
        return f"{subsystem_name(subsystem)}: {state_name(state)}"

    def retranslate(self) -> None:
        """Re-render every indicator in the current language."""
        for sub in Subsystem:
            self._render(sub)

    def _render(self, subsystem: Subsystem) -> None:
        state, detail = self._states[subsystem]
        lbl = self._labels[subsystem]
        lbl.setText(
            f'<span style="color:{_STATE_COLOURS[state]}">●</span> '
            f"{subsystem_name(subsystem)}: {state_name(state)}"
        )
        lbl.setToolTip(detail)

    @Slot()
    def _tick(self) -> None:
        now = dt.datetime.now(SHANGHAI)
        self.clock.setText(now.strftime("%Y-%m-%d %H:%M:%S"))
