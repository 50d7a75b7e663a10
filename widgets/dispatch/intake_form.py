"""The intake form: a hotline complaint typed in while the caller is on the line.

Keyboard first: the fields follow the order of the call (source, caller, phone, what, how
urgent, where, details), Tab moves on, Enter creates the incident (Ctrl+Enter from the
description), Esc cancels. The venue box completes from the venues it was given, by name,
licence number or address; a point picked on the map selects the nearest venue. Likely
duplicates (same venue and category, still open) are listed as soon as both are known, and
the call can be merged into one of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.dispatch.duplicates import DuplicateRow
from app.dispatch.intake import (
    INTAKE_SOURCES,
    MAX_CALLER,
    IntakeRequest,
    VenueChoice,
    nearest_venue,
    normalise_phone,
    search_venues,
    suggested_priority,
)
from app.labels import label, local_time
from models.enums import IncidentCategory, IncidentPriority, IncidentSource
from widgets.dispatch.common import MessageLine, add_submit_shortcuts

#: Categories the system raises by itself; a complaint never has them.
SYSTEM_CATEGORIES = frozenset({
    IncidentCategory.OFFICER_EMERGENCY, IncidentCategory.VEHICLE_ALARM,
    IncidentCategory.GEOFENCE_ALARM, IncidentCategory.INSPECTION,
})
_VENUE_ROLE = Qt.ItemDataRole.UserRole + 1
_MAX_COMPLETIONS = 20


class IntakeForm(QDialog):
    """The complaint intake dialog. Give it the venues and districts the console may use.

    It never touches the database: it asks for duplicates and hands the finished request
    out through signals, and is told the answers through :meth:`show_duplicates`,
    :meth:`accept` (created) and :meth:`show_refusal`.

    Signals:
        duplicates_wanted(int, str): venue id and category value of the complaint so far.
        submitted(object): the IntakeRequest the dispatcher confirmed.
    """

    duplicates_wanted = Signal(int, str)
    submitted = Signal(object)

    def __init__(self, venues: Sequence[VenueChoice], districts: Mapping[str, str], *,
                 default_district: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intakeForm")
        self.setMinimumWidth(560)
        self._venues = list(venues)
        self._by_id = {v.id: v for v in self._venues}
        self._venue: VenueChoice | None = None
        self._location: tuple[float, float] | None = None
        self._priority_touched = False
        self._busy = False

        self.source_combo = QComboBox(self)
        for source in INTAKE_SOURCES:
            self.source_combo.addItem(label(source), source.value)
        self.caller_edit = QLineEdit(self)
        self.caller_edit.setMaxLength(MAX_CALLER)
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setMaxLength(32)
        self.category_combo = QComboBox(self)
        for category in IncidentCategory:
            if category not in SYSTEM_CATEGORIES:
                self.category_combo.addItem(label(category), category.value)
        self.priority_combo = QComboBox(self)
        for priority in IncidentPriority:
            self.priority_combo.addItem(label(priority), int(priority))
        self.venue_edit = QLineEdit(self)
        self.venue_edit.setObjectName("intakeVenue")
        self.venue_edit.setClearButtonEnabled(True)
        self.venue_info = QLabel(self)
        self.venue_info.setWordWrap(True)
        self.district_combo = QComboBox(self)
        self.district_combo.addItem("", None)
        for adcode, name in districts.items():
            self.district_combo.addItem(name, adcode)
        if default_district is not None:
            self.district_combo.setCurrentIndex(max(0, self.district_combo.findData(
                default_district)))
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMinimumHeight(70)

        self.duplicates_box = QGroupBox(self)
        self.duplicates_list = QListWidget(self.duplicates_box)
        self.duplicates_list.setMaximumHeight(90)
        self.merge_check = QCheckBox(self.duplicates_box)
        dup_layout = QVBoxLayout(self.duplicates_box)
        dup_layout.addWidget(self.duplicates_list)
        dup_layout.addWidget(self.merge_check)
        self.duplicates_box.hide()

        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        self.form = QFormLayout()
        self._labels = [QLabel(self) for _ in range(8)]
        for lbl, field in zip(self._labels, (
                self.source_combo, self.caller_edit, self.phone_edit, self.category_combo,
                self.priority_combo, self.venue_edit, self.district_combo,
                self.description_edit), strict=True):
            lbl.setBuddy(field)
            self.form.addRow(lbl, field)
        self.form.insertRow(6, "", self.venue_info)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.duplicates_box)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        order = (self.source_combo, self.caller_edit, self.phone_edit, self.category_combo,
                 self.priority_combo, self.venue_edit, self.district_combo,
                 self.description_edit, self.duplicates_list, self.merge_check, self.ok_button,
                 self.buttons.button(QDialogButtonBox.StandardButton.Cancel))
        for a, b in itertools.pairwise(order):
            QWidget.setTabOrder(a, b)

        self._venue_model = QStandardItemModel(self)
        self.completer = QCompleter(self._venue_model, self)
        self.completer.setWidget(self.venue_edit)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(12)
        # the QModelIndex overload (PySide's stubs do not know signals can be indexed)
        self.completer.activated[QModelIndex].connect(  # type: ignore[index]
            self._completion_activated)
        self.venue_edit.textEdited.connect(self._venue_text_edited)
        self.category_combo.currentIndexChanged.connect(self._category_changed)
        self.priority_combo.activated.connect(self._priority_chosen)
        add_submit_shortcuts(self, self.submit)

        self._category_changed()
        self._show_venue()
        self.retranslate()
        self.caller_edit.setFocus()

    # ------------------------------------------------------------------ texts
    def retranslate(self) -> None:
        """Set every visible text (also after a language change)."""
        self.setWindowTitle(self.tr("New complaint"))
        for lbl, text in zip(self._labels, (
                self.tr("&Source"), self.tr("C&aller"), self.tr("&Phone"),
                self.tr("Ca&tegory"), self.tr("P&riority"), self.tr("&Venue"),
                self.tr("&District"), self.tr("D&escription")), strict=True):
            lbl.setText(text)
        self.caller_edit.setPlaceholderText(self.tr("Name as given (may stay empty)"))
        self.phone_edit.setPlaceholderText(self.tr("Caller's number (may stay empty)"))
        self.venue_edit.setPlaceholderText(self.tr("Name, licence number or address…"))
        self.description_edit.setPlaceholderText(
            self.tr("What the caller reports (Ctrl+Enter creates the incident)"))
        self.duplicates_box.setTitle(self.tr("Likely duplicates (same venue and category, "
                                             "still open)"))
        self.merge_check.setText(self.tr("&Merge this call into the selected incident"))
        self.ok_button.setText(self.tr("Create incident"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self._show_venue()

    # ------------------------------------------------------------------ venue
    @property
    def venue(self) -> VenueChoice | None:
        """The venue chosen so far."""
        return self._venue

    def set_venue(self, venue_id: int | None) -> bool:
        """Choose a venue by id (e.g. picked on the map); False if it is not offered here."""
        venue = self._by_id.get(venue_id) if venue_id is not None else None
        if venue_id is not None and venue is None:
            return False
        self._venue = venue
        self._location = None
        self.venue_edit.setText(venue.name if venue else "")
        self._show_venue()
        self._ask_duplicates()
        return True

    def set_location(self, lat: float, lon: float, district_adcode: str | None) -> None:
        """A point clicked on the map: its nearest venue (within 300 m), else the point itself."""
        near = nearest_venue(self._venues, lat, lon)
        if near is not None:
            self.set_venue(near.id)
            return
        self._venue = None
        self._location = (lat, lon)
        self.venue_edit.clear()
        if district_adcode is not None:
            self.district_combo.setCurrentIndex(max(0, self.district_combo.findData(
                district_adcode)))
        self._show_venue()

    def completions(self) -> list[VenueChoice]:
        """The venues the completion list offers now."""
        return [self._by_id[self._venue_model.item(r).data(_VENUE_ROLE)]
                for r in range(self._venue_model.rowCount())]

    @Slot(str)
    def _venue_text_edited(self, text: str) -> None:
        self._venue = None
        self._location = None
        self._show_venue()
        self._venue_model.clear()
        for venue in search_venues(self._venues, text, _MAX_COMPLETIONS):
            item = QStandardItem(f"{venue.name}　{venue.address}　{venue.licence_no}")
            item.setData(venue.id, _VENUE_ROLE)
            item.setEditable(False)
            self._venue_model.appendRow(item)
        if self._venue_model.rowCount():
            self.completer.complete()
        elif (popup := self.completer.popup()) is not None:
            popup.hide()

    @Slot(QModelIndex)
    def _completion_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        venue_id = index.data(_VENUE_ROLE)
        if venue_id is not None:
            self.set_venue(int(venue_id))

    def _show_venue(self) -> None:
        venue = self._venue
        if venue is not None:
            self.venue_info.setText(
                self.tr("%1 · %2 · licence %3 · grade %4")
                .replace("%1", venue.district_name).replace("%2", venue.address)
                .replace("%3", venue.licence_no).replace("%4", label(venue.grade)))
            index = self.district_combo.findData(venue.district_adcode)
            if index >= 0:
                self.district_combo.setCurrentIndex(index)
        elif self._location is not None:
            self.venue_info.setText(self.tr("Map point %1, %2 (no venue nearby)")
                                    .replace("%1", f"{self._location[0]:.5f}")
                                    .replace("%2", f"{self._location[1]:.5f}"))
        else:
            self.venue_info.setText(self.tr("No venue chosen"))
        self.district_combo.setEnabled(venue is None)

    # ------------------------------------------------------------------ category, priority
    @property
    def category(self) -> IncidentCategory:
        """The category chosen."""
        return IncidentCategory(self.category_combo.currentData())

    @Slot()
    def _category_changed(self) -> None:
        if not self._priority_touched:
            self.priority_combo.setCurrentIndex(
                self.priority_combo.findData(int(suggested_priority(self.category))))
        self._ask_duplicates()

    @Slot(int)
    def _priority_chosen(self, _index: int) -> None:
        self._priority_touched = True

    # ------------------------------------------------------------------ duplicates
    def _ask_duplicates(self) -> None:
        self.show_duplicates([])
        if self._venue is not None:
            self.duplicates_wanted.emit(self._venue.id, self.category.value)

    @Slot(object)
    def show_duplicates(self, rows: Sequence[DuplicateRow]) -> None:
        """List likely duplicates (answers for another venue or category are ignored)."""
        venue = self._venue
        rows = [r for r in rows
                if venue is not None and r.venue_id == venue.id and r.category is self.category]
        self.duplicates_list.clear()
        for r in rows:
            item = QListWidgetItem(f"{r.number}　{local_time(r.reported_at, '%H:%M')}　"
                                   f"{label(r.status)}　{r.title}", self.duplicates_list)
            item.setData(Qt.ItemDataRole.UserRole, r.id)
        if rows:
            self.duplicates_list.setCurrentRow(0)
        else:
            self.merge_check.setChecked(False)
        self.duplicates_box.setVisible(bool(rows))

    def selected_duplicate(self) -> int | None:
        """Id of the duplicate selected in the list."""
        item = self.duplicates_list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    # ------------------------------------------------------------------ submit
    def request(self) -> IntakeRequest | None:
        """The request the form holds, or None after showing what is missing."""
        if self._venue is None and self.venue_edit.text().strip():
            matches = search_venues(self._venues, self.venue_edit.text(), 2)
            if len(matches) == 1:
                self.set_venue(matches[0].id)
            else:
                self._error(self.tr("Pick the venue from the list, or clear the venue field."),
                            self.venue_edit)
                return None
        district = self._venue.district_adcode if self._venue else \
            self.district_combo.currentData()
        if self._venue is None and not district:
            self._error(self.tr("Choose a venue or a district."), self.venue_edit)
            return None
        try:
            phone = normalise_phone(self.phone_edit.text())
        except ValueError:
            self._error(self.tr("The phone number may contain only digits, spaces, hyphens and "
                                "brackets (5 to 20 digits)."), self.phone_edit)
            return None
        merge_into = self.selected_duplicate() if (
            self.merge_check.isChecked() and self.duplicates_box.isVisible()) else None
        lat, lon = self._location if self._location else (None, None)
        return IntakeRequest(
            source=IncidentSource(self.source_combo.currentData()), category=self.category,
            priority=IncidentPriority(self.priority_combo.currentData()),
            description=self.description_edit.toPlainText().strip(),
            caller_name=self.caller_edit.text().strip(), caller_phone=phone,
            venue_id=self._venue.id if self._venue else None,
            district_adcode=None if self._venue else district, lat=lat, lon=lon,
            merge_into=merge_into,
        )

    @Slot()
    def submit(self) -> None:
        """Check the form and hand the request out (nothing happens while one is pending)."""
        if self._busy:
            return
        request = self.request()
        if request is None:
            return
        self.set_busy(True)
        self.message.show_message(self.tr("Saving…"))
        self.submitted.emit(request)

    def set_busy(self, busy: bool) -> None:
        """While busy the form waits for the answer to its request."""
        self._busy = busy
        self.ok_button.setEnabled(not busy)

    @Slot(str)
    def show_refusal(self, text: str) -> None:
        """The request was refused: show why and let the dispatcher correct it."""
        self.set_busy(False)
        self.message.show_message(text, "error")

    def _error(self, text: str, field: QWidget) -> None:
        self.message.show_message(text, "error")
        field.setFocus()
