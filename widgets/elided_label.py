"""A one-line label that shortens its text with "…" instead of widening the window.

Long generated texts (alarm texts, link states, notices) must never force the main window
wider than the screen: :class:`ElidedLabel` asks for its whole text when there is room
(``sizeHint``) but accepts a few characters (``minimumSizeHint``) and then draws the text
elided; :meth:`text` and the tooltip keep the whole text.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

#: Characters of the text a squeezed label still shows before the "…".
MIN_CHARS = 2


class ElidedLabel(QLabel):
    """Plain one-line text, elided on the right when narrower than the text.

    An optional coloured marker ("●", e.g. a link state) is drawn before the text and is
    never elided. The tooltip is the whole text unless one is set with :meth:`setToolTip`
    after the text.
    """

    MARKER = "●"

    def __init__(self, parent: QWidget | None = None, *, min_chars: int = MIN_CHARS) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._marker: QColor | None = None
        self._min_chars = min_chars

    def set_marker(self, colour: str | None) -> None:
        """Draw a dot in ``colour`` before the text (None: no dot)."""
        self._marker = QColor(colour) if colour else None
        self.updateGeometry()
        self.update()

    def marker_colour(self) -> str | None:
        """The dot's colour as ``#rrggbb`` (None: no dot)."""
        return self._marker.name() if self._marker is not None else None

    def is_elided(self) -> bool:
        """Whether the text is drawn shortened now."""
        return self._shown_text() != self.text()

    def shown_text(self) -> str:
        """The text as drawn now (elided when the label is too narrow)."""
        return self._shown_text()

    # ------------------------------------------------------------------ sizes
    def _marker_width(self) -> int:
        if self._marker is None:
            return 0
        fm = self.fontMetrics()
        return fm.horizontalAdvance(self.MARKER + " ")

    def _frame_width(self) -> int:
        m = self.contentsMargins()
        return m.left() + m.right() + 2 * self.margin() + max(0, self.indent())

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        hint = super().sizeHint()
        width = self._frame_width() + self._marker_width() + fm.horizontalAdvance(self.text()) + 2
        return QSize(width, hint.height())

    def minimumSizeHint(self) -> QSize:
        fm = self.fontMetrics()
        text = self.text()
        head = text[:self._min_chars] + ("…" if len(text) > self._min_chars else "")
        width = self._frame_width() + self._marker_width() + fm.horizontalAdvance(head) + 2
        return QSize(min(width, self.sizeHint().width()), super().minimumSizeHint().height())

    # ------------------------------------------------------------------ drawing
    def _text_rect(self) -> QRect:
        rect = self.contentsRect()
        pad = self.margin()
        return rect.adjusted(pad + self._marker_width(), pad, -pad, -pad)

    def _shown_text(self) -> str:
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                             max(0, self._text_rect().width()))

    def paintEvent(self, event: QPaintEvent) -> None:
        del event
        painter = QPainter(self)
        rect = self.contentsRect().adjusted(self.margin(), self.margin(), -self.margin(),
                                            -self.margin())
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        if self._marker is not None:
            painter.setPen(self._marker)
            painter.drawText(rect, align, self.MARKER)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self._text_rect(), align, self._shown_text())
        painter.end()

    def setText(self, text: str) -> None:
        """Set the whole text (also the tooltip); drawn elided when too narrow."""
        super().setText(text)
        super().setToolTip(text)
        self.updateGeometry()
