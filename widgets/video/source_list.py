"""The wall's source list: body cameras by unit and venue devices, draggable onto tiles."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QMimeData, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.media.directory import MediaDirectory
from app.media.wallstate import ENTITY_MIME, EntityRef, encode_entity

_ROLE_REF = Qt.ItemDataRole.UserRole + 1


class _Tree(QTreeWidget):
    """A tree whose items drag as ``application/x-cedc-entity``."""

    def mimeTypes(self) -> list[str]:
        return [ENTITY_MIME]

    def mimeData(self, items: Sequence[QTreeWidgetItem]) -> QMimeData:
        mime = QMimeData()
        for item in items:
            ref = item.data(0, _ROLE_REF)
            if isinstance(ref, EntityRef):
                mime.setData(ENTITY_MIME, QByteArray(encode_entity(ref)))
                break
        return mime


class SourceList(QWidget):
    """Sources this console may show, grouped; drag one onto a tile or double-click it.

    Signals:
        entity_activated(object): an EntityRef was double-clicked (a source, or a unit's
            cameras when the unit's row is double-clicked).
    """

    entity_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoSourceList")
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter)
        self.tree = _Tree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.itemDoubleClicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree)
        self._cameras = QTreeWidgetItem(self.tree)
        self._venues = QTreeWidgetItem(self.tree)
        for group in (self._cameras, self._venues):
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.filter_edit.setPlaceholderText(self.tr("Filter sources"))
        self._cameras.setText(0, self.tr("Body cameras"))
        self._venues.setText(0, self.tr("Venues"))

    @Slot(object)
    def set_directory(self, directory: MediaDirectory) -> None:
        """Show the sources of ``directory``."""
        for group in (self._cameras, self._venues):
            group.takeChildren()
        for unit_id, cams in sorted(directory.unit_cameras.items(),
                                    key=lambda kv: directory.unit_names.get(kv[0], "")):
            sources = directory.sources_for("unit", unit_id)
            if not sources:
                continue
            unit_item = QTreeWidgetItem(self._cameras, [directory.unit_names.get(unit_id, "")])
            unit_item.setData(0, _ROLE_REF, EntityRef("unit", unit_id))
            for cam in cams:
                link = directory.cameras[cam]
                if link.source_id is None or link.source_id not in directory.sources:
                    continue
                item = QTreeWidgetItem(unit_item, [directory.sources[link.source_id].name])
                item.setData(0, _ROLE_REF, EntityRef("source", link.source_id))
        for _venue, ids in sorted(directory.venue_sources.items(),
                                 key=lambda kv: directory.venue_names.get(kv[0], "")):
            for sid in ids:
                if sid in directory.sources:
                    item = QTreeWidgetItem(self._venues, [directory.sources[sid].name])
                    item.setData(0, _ROLE_REF, EntityRef("source", sid))
        self._cameras.setExpanded(True)
        self._venues.setExpanded(True)
        self._filter(self.filter_edit.text())

    def count(self) -> int:
        """How many sources are listed."""
        n = self._venues.childCount()
        for unit in _children(self._cameras):
            n += unit.childCount()
        return n

    @Slot(str)
    def _filter(self, text: str) -> None:
        words = text.lower().split()

        def visit(item: QTreeWidgetItem, inherited: bool) -> bool:
            own = all(w in item.text(0).lower() for w in words)
            shown_child = False
            for child in _children(item):
                shown_child |= visit(child, inherited or own)
            visible = not words or own or inherited or shown_child
            item.setHidden(not visible)
            return visible

        for group in (self._cameras, self._venues):
            for child in _children(group):
                visit(child, False)

    @Slot(QTreeWidgetItem, int)
    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        ref = item.data(0, _ROLE_REF)
        if isinstance(ref, EntityRef):
            self.entity_activated.emit(ref)


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [c for c in (item.child(i) for i in range(item.childCount())) if c is not None]
