"""A table model over immutable rows that updates in place.

:meth:`RowTableModel.set_rows` compares the new rows with the shown ones by id: changed rows
emit ``dataChanged``, vanished rows are removed and new rows appended, so selection, scroll
position and sorting survive a refresh — the dispatcher's place in the list never jumps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header and how to show and sort a row."""

    header: Callable[[], str]
    display: Callable[[Any], str]
    sort_key: Callable[[Any], Any] | None = None
    background: Callable[[Any], str | None] | None = None
    tooltip: Callable[[Any], str] | None = None
    align_center: bool = False
    foreground: Callable[[Any], str | None] | None = None


class SortKey:
    """A column's sort value, kept as the Python object it is (Qt would convert tuples and
    datetimes); compares like the value, and falls back to text for mixed types."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: SortKey) -> bool:
        try:
            return bool(self.value < other.value)
        except TypeError:
            return str(self.value) < str(other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SortKey) and self.value == other.value

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SortKey({self.value!r})"


class RowTableModel(QStandardItemModel):
    """Rows with an ``id`` attribute, shown through :class:`Column` definitions.

    The cells are computed once, when a row arrives or changes, and kept in Qt's own item
    model: painting a table (every cell, several times a second while timers run) makes no
    call into Python, so it never waits for the interpreter lock that decoders and other
    workers share — under the demo load that wait made each table repaint take seconds.
    This class overrides none of the model's virtual functions for the same reason.

    Args:
        columns: the columns.
        enabled: whether a row can be selected and acted on (None: every row can).
    """

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None, *,
                 enabled: Callable[[Any], bool] | None = None) -> None:
        super().__init__(0, len(columns), parent)
        self._columns = list(columns)
        self._enabled = enabled
        self._rows: list[Any] = []
        self._index: dict[Any, int] = {}
        self._set_headers()

    # ------------------------------------------------------------------ cells
    def _set_headers(self) -> None:
        self.setHorizontalHeaderLabels([c.header() for c in self._columns])

    def _fill(self, item: QStandardItem, col: Column, row: Any, enabled: bool) -> None:
        item.setData(col.display(row), Qt.ItemDataRole.DisplayRole)
        item.setData(SortKey(col.sort_key(row) if col.sort_key else col.display(row)),
                     SORT_ROLE)
        item.setData(row, ROW_ROLE)
        colour = col.background(row) if col.background is not None else None
        item.setData(QBrush(QColor(colour)) if colour else None, Qt.ItemDataRole.BackgroundRole)
        fg = col.foreground(row) if col.foreground is not None else None
        item.setData(QBrush(QColor(fg)) if fg else None, Qt.ItemDataRole.ForegroundRole)
        if col.tooltip is not None:
            item.setData(col.tooltip(row), Qt.ItemDataRole.ToolTipRole)
        if col.align_center:
            item.setData(int(Qt.AlignmentFlag.AlignCenter), Qt.ItemDataRole.TextAlignmentRole)
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled if enabled \
            else Qt.ItemFlag.NoItemFlags
        if item.flags() != flags:
            item.setFlags(flags)

    def _items(self, row: Any) -> list[QStandardItem]:
        enabled = self._enabled(row) if self._enabled is not None else True
        items = []
        for col in self._columns:
            item = QStandardItem()
            self._fill(item, col, row, enabled)
            items.append(item)
        return items

    def _refill(self, pos: int, row: Any) -> None:
        enabled = self._enabled(row) if self._enabled is not None else True
        for c, col in enumerate(self._columns):
            item = self.item(pos, c)
            if item is not None:
                self._fill(item, col, row, enabled)

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
                self.removeRow(pos)
                del self._rows[pos]
        self._index = {r.id: i for i, r in enumerate(self._rows)}
        for pos, old in enumerate(self._rows):
            new = new_by_id[old.id]
            if new != old:
                self._rows[pos] = new
                self._refill(pos, new)
        added = [r for r in rows if r.id not in self._index]
        for row in added:
            self._rows.append(row)
            self.appendRow(self._items(row))
        self._index = {r.id: i for i, r in enumerate(self._rows)}

    def retranslate(self) -> None:
        """Headers and labels changed language."""
        self._set_headers()
        for pos, row in enumerate(self._rows):
            self._refill(pos, row)
