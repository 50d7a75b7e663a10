"""The evidence list (证据): every snapshot, clip and recording this console may see.

Rows come from :func:`app.media.evidence.load_evidence` through a live query on the reader
pool; the dialog only shows them. "Open file" and "Open folder" go through the desktop and say
in the dialog when the desktop cannot open them (and where the file is).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.labels import local_time
from app.media.evidence import EvidenceRow
from models.enums import EvidenceKind
from widgets.report_viewer import open_folder
from widgets.row_model import Column
from widgets.table_panel import RowTablePanel

log = logging.getLogger("widgets.evidence_dialog")

# Captures made by a dispatcher (the kind filter's first choice).
_CAPTURES = (EvidenceKind.SNAPSHOT, EvidenceKind.CLIP)


def size_text(size: int) -> str:
    """Bytes as "1.2 MB" (decimal units, as file managers show them)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"  # pragma: no cover


class EvidencePanel(RowTablePanel):
    """The table of evidence items, newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("evidence", self._columns(), parent)
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("evidenceKind")
        for _ in range(3):
            self.kind_combo.addItem("")
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.toolbar.addWidget(self.kind_combo)
        self.finish_toolbar()
        self.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.retranslate()
        self._kind_changed(0)

    def kind_text(self, kind: EvidenceKind) -> str:
        """The translated name of an evidence kind."""
        return {
            EvidenceKind.SNAPSHOT: self.tr("Snapshot"),
            EvidenceKind.CLIP: self.tr("Clip"),
            EvidenceKind.RECORDING: self.tr("Recording"),
            EvidenceKind.REPORT: self.tr("Report"),
            EvidenceKind.DOCUMENT: self.tr("Document"),
        }.get(kind, kind.value)

    def _columns(self) -> list[Column]:
        return [
            Column(lambda: self.tr("Kind"), lambda r: self.kind_text(r.kind)),
            Column(lambda: self.tr("Source"), lambda r: r.source_name or r.note),
            Column(lambda: self.tr("Captured at"),
                   lambda r: local_time(r.captured_at, "%Y-%m-%d %H:%M:%S"),
                   sort_key=lambda r: r.captured_at.timestamp()),
            Column(lambda: self.tr("Size"), lambda r: size_text(r.size_bytes),
                   sort_key=lambda r: r.size_bytes),
            Column(lambda: self.tr("SHA-256"), lambda r: r.sha256, tooltip=lambda r: r.sha256),
            Column(lambda: self.tr("Incident"), lambda r: r.incident_number),
            Column(lambda: self.tr("Captured by"), lambda r: r.captured_by),
            Column(lambda: self.tr("File"), lambda r: r.path, tooltip=lambda r: r.path),
        ]

    def retranslate(self) -> None:
        """Texts in the current language."""
        for index, text in enumerate((self.tr("Snapshots and clips"), self.tr("Recordings"),
                                      self.tr("All evidence"))):
            self.kind_combo.setItemText(index, text)
        self.retranslate_table(self.tr("Filter: source, incident, SHA-256, file…"))

    @Slot(int)
    def _kind_changed(self, index: int) -> None:
        kinds: tuple[EvidenceKind, ...] | None = (
            _CAPTURES if index == 0 else (EvidenceKind.RECORDING,) if index == 1 else None)
        self.proxy.set_predicate(None if kinds is None else (lambda r: r.kind in kinds))
        self._update_count()

    def selected_row(self) -> EvidenceRow | None:
        """The selected evidence item."""
        row_id = self.selected_id()
        row = self.model.row_by_id(row_id) if row_id is not None else None
        return row if isinstance(row, EvidenceRow) else None


class EvidenceDialog(QDialog):
    """The evidence list with "Open file" and "Open folder" (a window of its own).

    Args:
        opener: opens a URL on the desktop (``QDesktopServices.openUrl``; tests pass their own).
    """

    def __init__(self, parent: QWidget | None = None, *,
                 opener: Callable[[QUrl], bool] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidenceDialog")
        self._opener = opener or QDesktopServices.openUrl
        self.panel = EvidencePanel(self)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("evidenceMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_file_button = QPushButton(self)
        self.open_file_button.setObjectName("evidenceOpenFile")
        self.open_file_button.clicked.connect(self.open_file)
        self.open_folder_button = QPushButton(self)
        self.open_folder_button.setObjectName("evidenceOpenFolder")
        self.open_folder_button.clicked.connect(self.open_folder)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.close)
        self.panel.table.doubleClicked.connect(lambda _i: self.open_file())

        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        buttons.addWidget(self.open_file_button)
        buttons.addWidget(self.open_folder_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel, 1)
        layout.addLayout(buttons)
        self.resize(1100, 560)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.setWindowTitle(self.tr("Evidence"))
        self.open_file_button.setText(self.tr("Open file"))
        self.open_folder_button.setText(self.tr("Open folder"))
        self.close_button.setText(self.tr("Close"))
        self.panel.retranslate()

    @Slot(object)
    def set_rows(self, rows: list[EvidenceRow]) -> None:
        """Show the latest evidence rows (from the live query)."""
        self.panel.set_rows(rows)

    @Slot(str)
    def load_failed(self, message: str) -> None:
        """The list could not be read (the last rows stay shown)."""
        self.message_label.setText(self.tr("The evidence list could not be read: %1")
                                   .replace("%1", message))

    def _selected_file(self) -> Path | None:
        row = self.panel.selected_row()
        if row is None:
            self.message_label.setText(self.tr("Select an evidence item first."))
            return None
        path = Path(row.path)
        if not path.exists():
            self.message_label.setText(self.tr("The file is no longer there: %1")
                                       .replace("%1", row.path))
            return None
        return path

    @Slot()
    def open_file(self) -> bool:
        """Open the selected item's file with the desktop's program for it."""
        path = self._selected_file()
        if path is None:
            return False
        if self._opener(QUrl.fromLocalFile(str(path))):
            self.message_label.clear()
            return True
        log.warning("no program could open %s", path,
                    extra={"event": "open_file_failed", "path": str(path)})
        self.message_label.setText(
            self.tr("No program on this desktop opens this file. It is at %1")
            .replace("%1", str(path)))
        return False

    @Slot()
    def open_folder(self) -> bool:
        """Show the selected item's folder in the desktop's file manager."""
        path = self._selected_file()
        if path is None:
            return False
        if open_folder(path, self._opener):
            self.message_label.clear()
            return True
        self.message_label.setText(
            self.tr("No file manager could be started on this desktop. The file is in %1")
            .replace("%1", str(path.parent)))
        return False
