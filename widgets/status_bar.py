"""Status bar: each subsystem's link state and the Beijing time."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.bridge import LinkState, Subsystem
from app.i18n import QT_TRANSLATE_NOOP
from app.labels import SHANGHAI
from models.clock import utcnow
from widgets.elided_label import ElidedLabel

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
    """One indicator per subsystem (coloured dot, name, state; detail in the tooltip), and
    notices that stay until their source clears them (unlike ``showMessage``, which other
    messages replace), e.g. the map reloading after its renderer died.

    Signals:
        notice_changed(str): the notice text now shown ("" when none).
    """

    notice_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("linkStatusBar")
        self._labels: dict[Subsystem, ElidedLabel] = {}
        self._states: dict[Subsystem, tuple[LinkState, str]] = {}
        for subsystem in Subsystem:
            lbl = ElidedLabel(self)  # elided when the window is narrow: never wider than it
            lbl.setObjectName(f"link_{subsystem.value}")
            self._labels[subsystem] = lbl
            self._states[subsystem] = (LinkState.NOT_CONFIGURED, "")
            self.addPermanentWidget(lbl)
            self._render(subsystem)
        self._notices: dict[str, str] = {}
        self.notice = ElidedLabel(self)
        self.notice.setObjectName("notice")
        self.notice.setStyleSheet("color: #b45309; font-weight: bold")
        self.notice.hide()
        self.insertPermanentWidget(0, self.notice)
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

    def set_notice(self, source: str, text: str) -> None:
        """Show ``text`` for ``source`` (e.g. ``"map"``) until the same source sends ""."""
        if text:
            self._notices[source] = text
        elif self._notices.pop(source, None) is None:
            return
        shown = "　".join(self._notices.values())
        if shown == self.notice.text() and self.notice.isHidden() != bool(shown):
            return
        self.notice.setText(shown)
        self.notice.setVisible(bool(shown))
        self.notice_changed.emit(shown)

    def notice_text(self) -> str:
        """The notices shown now ("" when none)."""
        return self.notice.text() if self._notices else ""

    def retranslate(self) -> None:
        """Re-render every indicator in the current language."""
        for sub in Subsystem:
            self._render(sub)

    def _render(self, subsystem: Subsystem) -> None:
        state, detail = self._states[subsystem]
        lbl = self._labels[subsystem]
        lbl.set_marker(_STATE_COLOURS[state])
        lbl.setText(f"{subsystem_name(subsystem)}: {state_name(state)}")
        lbl.setToolTip(f"{lbl.text()}\n{detail}" if detail else lbl.text())

    @Slot()
    def _tick(self) -> None:
        now = utcnow().astimezone(SHANGHAI)
        self.clock.setText(now.strftime("%Y-%m-%d %H:%M:%S"))
