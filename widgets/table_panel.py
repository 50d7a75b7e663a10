"""Base of the list panels: a filter box, a count, and a live, sortable table of rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from widgets.filter_proxy import RowFilterProxy
from widgets.row_model import ROW_ROLE, Column, RowTableModel

_MAX_INITIAL_WIDTH = 220


class ElidedTooltipDelegate(QStyledItemDelegate):
    """Cells are elided with "…"; a cell whose text does not fit shows it in full on hover.

    Columns with a tooltip of their own keep it.
    """

    def cell_tooltip(self, view: QAbstractItemView,
                     index: QModelIndex | QPersistentModelIndex) -> str:
        """What hovering the cell shows: its own tooltip, else its text when it is cut."""
        own = index.data(Qt.ItemDataRole.ToolTipRole)
        if own:
            return str(own)
        option = QStyleOptionViewItem()
        option.initFrom(view.viewport())
        option.rect = view.visualRect(index)
        self.initStyleOption(option, index)
        text = option.text
        if not text or option.rect.isEmpty():
            return ""
        style = view.style() or QApplication.style()
        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        fits = option.fontMetrics.horizontalAdvance(text) <= area.width() - 2 * margin
        return "" if fits else text

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,
                  option: QStyleOptionViewItem,
                  index: QModelIndex | QPersistentModelIndex) -> bool:
        if event is not None and view is not None and event.type() == QEvent.Type.ToolTip \
                and index.isValid():
            text = self.cell_tooltip(view, index)
            if text:
                QToolTip.showText(event.globalPos(), text, view.viewport(),
                                  view.visualRect(index))
                return True
            QToolTip.hideText()
            event.ignore()
            return True
        return super().helpEvent(event, view, option, index)


class RowTablePanel(QWidget):
    """A filterable table of rows with ``id``s. Subclasses give columns and extra filters.

    A refresh never moves the selection to another row: if the selected row disappears, the
    selection is cleared (a dispatcher must never act on a row they did not pick).

    Signals:
        row_selected(int): the id of the row the user selected.
    """

    row_selected = Signal(int)

    def __init__(self, name: str, columns: Sequence[Column], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Panel")
        self.model = RowTableModel(columns, self)
        self.proxy = RowFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._sized = False
        self._refreshing = False

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName(f"{name}Filter")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.count_label = QLabel(self)

        self.table = QTableView(self)
        self.table.setObjectName(f"{name}Table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tooltips = ElidedTooltipDelegate(self.table)
        self.table.setItemDelegate(self.tooltips)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):
            signal.connect(self._update_count)

        self.toolbar = QHBoxLayout()
        self.toolbar.addWidget(self.filter_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(self.toolbar)
        layout.addWidget(self.table)

    def finish_toolbar(self) -> None:
        """Put the count at the end of the toolbar (after the subclass's own filters)."""
        self.toolbar.addWidget(self.count_label)

    # ------------------------------------------------------------------ rows
    @Slot(object)
    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show the latest rows (from a live query)."""
        selected = self.selected_id()
        self._refreshing = True
        try:
            self.model.set_rows(rows)
        finally:
            self._refreshing = False
        if selected is not None and self.selected_id() != selected:
            # the selected row vanished or was filtered out (an incident just closed): Qt
            # moved the selection to a neighbour; a dispatcher must not act on that one
            self.table.selectionModel().clear()
            self.table.setCurrentIndex(QModelIndex())
        if rows and not self._sized:
            self._sized = True
            self.table.resizeColumnsToContents()
            header = self.table.horizontalHeader()
            for col in range(self.model.columnCount()):
                header.resizeSection(col, min(header.sectionSize(col), _MAX_INITIAL_WIDTH))
        self._update_count()

    def select_id(self, row_id: Any) -> bool:
        """Select and reveal a row. False if it is not shown (absent or filtered out)."""
        pos = self.model.position(row_id)
        if pos is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(pos, 0))
        if not index.isValid():
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def selected_id(self) -> Any | None:
        """Id of the selected row, if any."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = self.proxy.data(rows[0], ROW_ROLE)
        return None if row is None else row.id

    def retranslate_table(self, placeholder: str) -> None:
        """Headers, cells and the filter's placeholder in the current language."""
        self.filter_edit.setPlaceholderText(placeholder)
        self.model.retranslate()
        self._update_count()

    # ------------------------------------------------------------------ slots
    @Slot()
    def _update_count(self) -> None:
        self.count_label.setText(
            self.tr("%1 of %2").replace("%1", str(self.proxy.rowCount()))
            .replace("%2", str(self.model.rowCount()))
        )

    @Slot(QItemSelection, QItemSelection)
    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes and not self._refreshing:  # a refresh never selects a row by itself
            row = self.proxy.data(indexes[0], ROW_ROLE)
            if row is not None:
                self.row_selected.emit(row.id)

