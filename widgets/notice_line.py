"""A one-line notice under the alarm bar: what just happened (evidence saved, …), for a while.

Not an alarm: nothing to acknowledge. The newest notice replaces the one shown; it hides again
after ``timeout_ms``. Clicking it hides it at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget

_STYLES = {
    "info": "background: #e6f4ea; color: #0d652d; border-bottom: 1px solid #b7dfc2;",
    "error": "background: #fce8e6; color: #a50e0e; border-bottom: 1px solid #f4c7c3;",
}


class NoticeLine(QLabel):
    """A notice line that shows the newest notice for a few seconds."""

    def __init__(self, parent: QWidget | None = None, *, timeout_ms: int = 8000) -> None:
        super().__init__(parent)
        self.setObjectName("noticeLine")
        self.setWordWrap(False)
        self.setContentsMargins(8, 3, 8, 3)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.timeout_ms = timeout_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    def show_notice(self, text: str, kind: str = "info") -> None:
        """Show ``text`` (``info`` or ``error``) for ``timeout_ms``."""
        self.setStyleSheet(f"QLabel#noticeLine {{ {_STYLES.get(kind, _STYLES['info'])} }}")
        self.setText(text)
        self.setToolTip(text)
        self.show()
        self._timer.start(self.timeout_ms)

    @Slot()
    def dismiss(self) -> None:
        """Hide the notice."""
        self._timer.stop()
        self.hide()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.dismiss()
        super().mousePressEvent(event)
