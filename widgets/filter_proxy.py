"""Sorting and filtering for the panels' tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from widgets.row_model import ROW_ROLE, SORT_ROLE


class RowFilterProxy(QSortFilterProxyModel):
    """Sorts by each column's sort key; filters by free text and an optional row predicate.

    The text filter matches when every word appears in some column (case-insensitive), so
    "朝阳 在途" finds the Chaoyang units that are en route.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
        self._words: list[str] = []
        self._predicate: Callable[[Any], bool] | None = None

    def set_text(self, text: str) -> None:
        """Filter by words (space separated)."""
        self.beginFilterChange()
        self._words = [w.casefold() for w in text.split()]
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_predicate(self, predicate: Callable[[Any], bool] | None) -> None:
        """Show only rows for which ``predicate(row)`` is true (None: all rows)."""
        self.beginFilterChange()
        self._predicate = predicate
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        row = model.data(model.index(source_row, 0, source_parent), ROW_ROLE)
        if self._predicate is not None and not self._predicate(row):
            return False
        if not self._words:
            return True
        texts = " ".join(
            str(model.data(model.index(source_row, c, source_parent),
                           Qt.ItemDataRole.DisplayRole) or "")
            for c in range(model.columnCount(source_parent))
        ).casefold()
        return all(w in texts for w in self._words)

    def lessThan(
        self, left: QModelIndex | QPersistentModelIndex,
        right: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        a = left.data(SORT_ROLE)  # SortKey objects (see widgets.row_model)
        b = right.data(SORT_ROLE)
        if a is None or b is None:
            return a is None and b is not None
        return bool(a < b)
