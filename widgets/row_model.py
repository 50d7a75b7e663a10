"""A table model over immutable rows that updates in place.

:meth:`RowTableModel.set_rows` compares the new rows with the shown ones by id: changed rows
emit ``dataChanged``, vanished rows are removed and new rows appended, so selection, scroll
position and sorting survive a refresh — the dispatcher's place in the list never jumps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header and how to show and sort a row."""

    header: Callable[[], str]
    display: Callable[[Any], str]
    sort_key: Callable[[Any], Any] | None = None
    background: Callable[[Any], str | None] | None = None
    tooltip: Callable[[Any], str] | None = None
    align_center: bool = False


class RowTableModel(QAbstractTableModel):
    """Rows with an ``id`` attribute, shown through :class:`Column` definitions."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Any] = []
        self._index: dict[Any, int] = {}

    # ------------------------------------------------------------------ Qt API
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].header()
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.display(row)
        if role == SORT_ROLE:
            return col.sort_key(row) if col.sort_key else col.display(row)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.BackgroundRole and col.background is not None:
            colour = col.background(row)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole and col.tooltip is not None:
            return col.tooltip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_center:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    # ------------------------------------------------------------------ updates
    @property
    def rows(self) -> list[Any]:
        """The rows in model order."""
        return list(self._rows)

    def row_by_id(self, row_id: Any) -> Any | None:
        """The row with ``row_id``, if shown."""
        pos = self._index.get(row_id)
        return None if pos is None else self._rows[pos]

    def position(self, row_id: Any) -> int | None:
        """Model row number of ``row_id``."""
        return self._index.get(row_id)

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show ``rows``: update changed ones, remove vanished, append new (by ``id``)."""
        new_by_id = {r.id: r for r in rows}
        # removals, from the bottom so positions stay valid
        for pos in range(len(self._rows) - 1, -1, -1):
            if self._rows[pos].id not in new_by_id:
                self.beginRemoveRows(QModelIndex(), pos, pos)
                del self._rows[pos]
                self.endRemoveRows()
        self._index = {r.id: i for i, r in enumerate(self._rows)}
        last_col = len(self._columns) - 1
        for pos, old in enumerate(self._rows):
            new = new_by_id[old.id]
            if new != old:
                self._rows[pos] = new
                self.dataChanged.emit(self.index(pos, 0), self.index(pos, last_col))
        added = [r for r in rows if r.id not in self._index]
        if added:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(added) - 1)
            self._rows.extend(added)
            self.endInsertRows()
        self._index = {r.id: i for i, r in enumerate(self._rows)}

    def retranslate(self) -> None:
        """Headers and labels changed language."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self._columns) - 1))
