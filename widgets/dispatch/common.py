"""Small pieces the dispatch dialogs share: message line, shortcuts, number formats, colours."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QWidget

from app.dispatch.timers import TimerLevel

#: Background colours of an incident timer (normal: none).
TIMER_COLOURS: dict[TimerLevel, str] = {
    TimerLevel.AMBER: "#ffcc66",
    TimerLevel.RED: "#ff6b6b",
}

_MESSAGE_STYLE = {
    "error": "color: #b00020; font-weight: bold;",
    "ok": "color: #1b7f3b; font-weight: bold;",
    "info": "color: #444;",
}


def timer_colour(level: TimerLevel) -> str | None:
    """Background colour of a timer cell at ``level`` (None: normal)."""
    return TIMER_COLOURS.get(level)


def format_elapsed(seconds: float) -> str:
    """``mm:ss`` below an hour, ``h:mm:ss`` above."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class MessageLine(QLabel):
    """One line for the result of the last action: an error, a success, or information."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = ""
        self.hide()

    def show_message(self, text: str, kind: str = "info") -> None:
        """Show ``text`` styled as ``error``, ``ok`` or ``info``."""
        self.kind = kind
        self.setStyleSheet(_MESSAGE_STYLE.get(kind, ""))
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        """Hide the line."""
        self.kind = ""
        self.clear()
        self.hide()


def add_submit_shortcuts(widget: QWidget, slot: Callable[[], object]) -> list[QShortcut]:
    """Ctrl+Enter (both Enter keys) anywhere inside ``widget`` runs ``slot``."""
    shortcuts = []
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        sc = QShortcut(QKeySequence(Qt.KeyboardModifier.ControlModifier | key), widget)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(slot)
        shortcuts.append(sc)
    return shortcuts
