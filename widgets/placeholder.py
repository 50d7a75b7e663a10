"""A panel for a subsystem that this console has not configured (or that is not built yet).

It says so plainly instead of pretending: the dispatcher sees what is missing and where it is
configured.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class NotConfiguredPanel(QWidget):
    """A centred title and explanation."""

    def __init__(self, title: str, detail: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel(title, self)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.detail_label = QLabel(detail, self)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_label.setWordWrap(True)
        self.detail_label.setStyleSheet("color: #666;")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title_label)
        layout.addWidget(self.detail_label)
        layout.addStretch(1)

    def set_texts(self, title: str, detail: str) -> None:
        """Change both texts (language change)."""
        self.title_label.setText(title)
        self.detail_label.setText(detail)
