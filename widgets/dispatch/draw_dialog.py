"""The double-random draw dialog (双随机): parameters, the drawn list, seed, hashes, verify.

A draw is made in two steps. "Commit seed" stores the draw pending with the SHA-256 of a
seed the console takes from the operating system's CSPRNG and shows that hash; nobody types
or sees the seed. "Run the draw" then draws from the committed candidates, queues the
inspection tasks and reveals the seed, so anyone can check it against the hash shown before.
The dialog shows what was drawn with each venue's weight and inspectors, the seed, the method
and the SHA-256 of the result. "Verify" re-runs the stored draw from its record alone; "Copy
record" puts the record (JSON) on the clipboard for anyone who wants to check it elsewhere.
A typed seed only verifies a stored draw (by its number): that is a verification, recorded in
the audit log, never an official draw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.dispatch.draw import (
    DEFAULT_GRADE_WEIGHTS,
    MAX_WEIGHT,
    DrawOutcome,
    DrawParams,
    DrawSummary,
    Reproduction,
    check_draw,
    check_seed,
)
from app.dispatch.texts import refusal_text
from app.labels import label, local_time
from models.dispatch import DrawState
from models.enums import CreditGrade
from models.jurisdiction import CITY
from widgets.dispatch.common import MessageLine

_GRADES = ("D", "C", "B", "A")


class DrawDialog(QDialog):
    """Parameters on the left, the result on the right, past draws on top.

    Signals:
        draw_requested(object): DrawParams of a draw to commit (the seed is the console's).
        run_requested(int): the id of the pending draw to run.
        verify_requested(str, str): a stored draw's number and a typed seed to verify it with.
        draw_wanted(int): the id of a past draw to show.
    """

    draw_requested = Signal(object)
    run_requested = Signal(int)
    verify_requested = Signal(str, str)
    draw_wanted = Signal(int)

    def __init__(self, districts: Mapping[str, str], *, jurisdiction_adcode: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drawDialog")
        self._outcome: DrawOutcome | None = None
        self._runnable = False

        self.history_label = QLabel(self)
        self.history_combo = QComboBox(self)
        self.history_combo.activated.connect(self._history_chosen)
        self.history_label.setBuddy(self.history_combo)

        self.params_box = QGroupBox(self)
        self.scope_combo = QComboBox(self)
        if jurisdiction_adcode is None:
            self.scope_combo.addItem("", CITY)
            for adcode, name in districts.items():
                self.scope_combo.addItem(name, adcode)
        else:
            self.scope_combo.addItem(districts.get(jurisdiction_adcode, jurisdiction_adcode),
                                     jurisdiction_adcode)
        self.count_spin = self._spin(1, 1000, 10)
        self.team_spin = self._spin(2, 5, 2)
        self.max_tasks_spin = self._spin(1, 50, 2)
        self.weight_spins = {g: self._spin(0, MAX_WEIGHT, DEFAULT_GRADE_WEIGHTS[g])
                             for g in _GRADES}
        self.recent_spin = self._spin(0, 3650, 90)
        self.conflict_spin = self._spin(0, 3650, 365)
        self.draw_button = QPushButton(self)
        self.draw_button.setObjectName("drawButton")
        self.draw_button.setDefault(True)
        self.draw_button.clicked.connect(self.request_draw)
        self.params_box.setMaximumWidth(540)
        self.form = QFormLayout(self.params_box)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form_labels: list[QLabel] = []
        fields: list[QWidget] = [self.scope_combo, self.count_spin, self.team_spin,
                                 self.max_tasks_spin, *self.weight_spins.values(),
                                 self.recent_spin, self.conflict_spin]
        for field in fields:
            lbl = QLabel(self)
            lbl.setBuddy(field)
            self._form_labels.append(lbl)
            self.form.addRow(lbl, field)
        self.form.addRow(self.draw_button)

        # A typed seed only verifies a stored draw; it never makes one.
        self.reproduce_box = QGroupBox(self)
        self.reproduce_box.setMaximumWidth(540)
        self.number_edit = QLineEdit(self)
        self.number_edit.setObjectName("verifyNumber")
        self.number_edit.setMaxLength(20)
        self.seed_edit = QLineEdit(self)
        self.seed_edit.setObjectName("verifySeed")
        self.seed_edit.setMaxLength(64)
        self.seed_edit.setMinimumWidth(200)
        self.verify_seed_button = QPushButton(self)
        self.verify_seed_button.setObjectName("verifySeedButton")
        self.verify_seed_button.clicked.connect(self.request_seed_verification)
        self.reproduce_message = MessageLine(self)
        self.reproduce_form = QFormLayout(self.reproduce_box)
        self.reproduce_form.setFieldGrowthPolicy(
            QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.reproduce_note = QLabel(self)
        self.reproduce_note.setWordWrap(True)
        self._reproduce_labels = [QLabel(self), QLabel(self)]
        self.reproduce_form.addRow(self.reproduce_note)
        for lbl, edit in zip(self._reproduce_labels, (self.number_edit, self.seed_edit),
                             strict=True):
            lbl.setBuddy(edit)
            self.reproduce_form.addRow(lbl, edit)
        self.reproduce_form.addRow(self.verify_seed_button)
        self.reproduce_form.addRow(self.reproduce_message)

        self.result_box = QGroupBox(self)
        self.summary = QLabel(self.result_box)
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 7, self.result_box)
        self.table.setObjectName("drawTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.state_value = QLabel(self)
        self.seed_hash_value = self._selectable(mono)
        self.seed_hash_value.setObjectName("seedHash")
        self.seed_value = self._selectable(mono)
        self.method_value = self._selectable(mono)
        self.hash_value = self._selectable(mono)
        self.record_hash_value = self._selectable(mono)
        self.hashes = QFormLayout()
        self._hash_labels = [QLabel(self) for _ in range(6)]
        for lbl, value in zip(self._hash_labels, (self.state_value, self.seed_hash_value,
                                                  self.seed_value, self.method_value,
                                                  self.hash_value, self.record_hash_value),
                              strict=True):
            self.hashes.addRow(lbl, value)
        self.run_button = QPushButton(self)
        self.run_button.setObjectName("runDrawButton")
        self.run_button.clicked.connect(self.request_run)
        self.run_button.setEnabled(False)
        self.verify_button = QPushButton(self)
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.clicked.connect(self.verify)
        self.copy_button = QPushButton(self)
        self.copy_button.clicked.connect(self.copy_record)
        self.verify_message = MessageLine(self)
        result_buttons = QHBoxLayout()
        result_buttons.addWidget(self.run_button)
        result_buttons.addWidget(self.verify_button)
        result_buttons.addWidget(self.copy_button)
        result_buttons.addStretch(1)
        result_layout = QVBoxLayout(self.result_box)
        result_layout.addWidget(self.summary)
        result_layout.addWidget(self.table, 1)
        result_layout.addLayout(self.hashes)
        result_layout.addLayout(result_buttons)
        result_layout.addWidget(self.verify_message)

        self.message = MessageLine(self)
        top = QHBoxLayout()
        top.addWidget(self.history_label)
        top.addWidget(self.history_combo, 1)
        left = QVBoxLayout()
        left.addWidget(self.params_box)
        left.addWidget(self.reproduce_box)
        left.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addWidget(self.result_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        self._show_result_enabled(False)
        self.resize(1100, 720)
        self.retranslate()
        self.count_spin.setFocus()

    def _spin(self, lo: int, hi: int, value: int) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(lo, hi)
        spin.setValue(value)
        return spin

    def _selectable(self, font: QFont) -> QLabel:
        value = QLabel(self)
        value.setFont(font)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                      | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        value.setWordWrap(True)
        return value

    def retranslate(self) -> None:
        """Set every visible text (also after a language change)."""
        self.setWindowTitle(self.tr("Double-random inspection draw"))
        self.history_label.setText(self.tr("&Past draws"))
        self.params_box.setTitle(self.tr("Parameters"))
        if self.scope_combo.itemData(0) == CITY:
            self.scope_combo.setItemText(0, self.tr("Whole city"))
        texts = [self.tr("&Venues from"), self.tr("&Number of venues"),
                 self.tr("&Inspectors per venue"), self.tr("&Most tasks per inspector"),
                 *[self.tr("Weight of grade %1").replace("%1", label(CreditGrade(g)))
                   for g in _GRADES],
                 self.tr("Skip venues inspected in the last (days)"),
                 self.tr("Inspector avoids a venue inspected in the last (days)")]
        for lbl, text in zip(self._form_labels, texts, strict=True):
            lbl.setText(text)
        self.draw_button.setText(self.tr("&Commit seed (step 1 of 2)"))
        self.draw_button.setToolTip(self.tr(
            "Stores the draw with the SHA-256 of a seed the console takes from the operating "
            "system's secure random generator. Nobody chooses or sees the seed before the "
            "draw runs."))
        self.reproduce_box.setTitle(self.tr("Verify a stored draw with a seed"))
        self.reproduce_note.setText(self.tr(
            "A typed seed only verifies or reproduces a stored draw; it never makes an "
            "official draw or tasks."))
        for lbl, text in zip(self._reproduce_labels,
                             (self.tr("Draw &number"), self.tr("&Seed")), strict=True):
            lbl.setText(text)
        self.number_edit.setPlaceholderText(self.tr("e.g. SJ20261127-01"))
        self.seed_edit.setPlaceholderText(self.tr("the seed the draw revealed"))
        self.verify_seed_button.setText(self.tr("Verify &with this seed"))
        self.result_box.setTitle(self.tr("Result"))
        self.table.setHorizontalHeaderLabels([
            self.tr("#"), self.tr("Venue"), self.tr("Licence"), self.tr("Grade"),
            self.tr("Weight (share)"), self.tr("Inspectors"), self.tr("Task")])
        for lbl, text in zip(self._hash_labels, (self.tr("State"),
                                                 self.tr("Seed SHA-256 (committed)"),
                                                 self.tr("Seed"), self.tr("Method"),
                                                 self.tr("Result SHA-256"),
                                                 self.tr("Inputs SHA-256")), strict=True):
            lbl.setText(text)
        self.run_button.setText(self.tr("&Run the draw (step 2 of 2)"))
        self.verify_button.setText(self.tr("&Verify"))
        self.copy_button.setText(self.tr("&Copy record (JSON)"))
        self._show_summary()

    # ------------------------------------------------------------------ parameters
    def params(self) -> DrawParams:
        """The parameters as set."""
        return DrawParams(
            scope=str(self.scope_combo.currentData()), venue_count=self.count_spin.value(),
            inspectors_per_team=self.team_spin.value(),
            grade_weights={g: self.weight_spins[g].value() for g in _GRADES},
            recent_days=self.recent_spin.value(), conflict_days=self.conflict_spin.value(),
            max_tasks_per_inspector=self.max_tasks_spin.value(),
        )

    @Slot()
    def request_draw(self) -> None:
        """Ask to commit a draw with these parameters (one at a time)."""
        if not any(self.weight_spins[g].value() for g in _GRADES):
            self.message.show_message(self.tr("At least one grade needs a weight above 0."),
                                      "error")
            return
        self.draw_button.setEnabled(False)
        self.run_button.setEnabled(False)
        self.message.show_message(self.tr("Committing the seed…"))
        self.draw_requested.emit(self.params())

    @Slot()
    def request_run(self) -> None:
        """Run the pending draw shown (its seed hash is on screen)."""
        o = self._outcome
        if o is None or o.record.state is not DrawState.PENDING:
            return
        self.run_button.setEnabled(False)
        self.draw_button.setEnabled(False)
        self.message.show_message(self.tr("Drawing…"))
        self.run_requested.emit(o.record.id)

    @Slot(str)
    def show_refusal(self, text: str) -> None:
        """The draw was refused: say why."""
        self.draw_button.setEnabled(True)
        self.run_button.setEnabled(self._runnable)
        self.message.show_message(text, "error")

    # ------------------------------------------------------------------ typed seed
    @Slot()
    def request_seed_verification(self) -> None:
        """Ask to verify a stored draw with the typed seed (never an official draw)."""
        number = self.number_edit.text().strip()
        seed = self.seed_edit.text().strip()
        if not number:
            self.reproduce_message.show_message(self.tr("Enter the number of a stored draw."),
                                                "error")
            self.number_edit.setFocus()
            return
        try:
            check_seed(seed)
        except ValueError:
            self.reproduce_message.show_message(
                self.tr("A seed is 1 to 64 letters, digits, '_', '.' or '-'."), "error")
            self.seed_edit.setFocus()
            return
        self.verify_seed_button.setEnabled(False)
        self.reproduce_message.show_message(self.tr("Verifying…"))
        self.verify_requested.emit(number, seed)

    @Slot(object)
    def show_reproduction(self, rep: Reproduction) -> None:
        """The answer to a typed-seed verification, marked as not an official draw."""
        self.verify_seed_button.setEnabled(True)
        if rep.ok:
            self.reproduce_message.show_message(
                self.tr("VERIFICATION ONLY, not an official draw: this seed is the one "
                        "committed for draw %1 (SHA-256 %2) and re-running the draw with it "
                        "gives the stored %3 venues and inspectors.")
                .replace("%1", rep.number).replace("%2", rep.seed_sha256[:16] + "…")
                .replace("%3", str(rep.venues)), "ok")
        else:
            self.reproduce_message.show_message(
                self.tr("VERIFICATION ONLY, not an official draw: draw %1 does NOT match this "
                        "seed: %2").replace("%1", rep.number)
                .replace("%2", "; ".join(rep.problems)), "error")

    @Slot(str)
    def show_verification_refusal(self, text: str) -> None:
        """A typed-seed verification was refused: say why."""
        self.verify_seed_button.setEnabled(True)
        self.reproduce_message.show_message(text, "error")

    # ------------------------------------------------------------------ result
    @Slot(object)
    def show_outcome(self, outcome: DrawOutcome, runnable: bool = True) -> None:
        """Show a draw (just committed, just run or loaded from the history).

        ``runnable``: a pending draw can be run from here (this console holds its seed).
        """
        self._outcome = outcome
        record = outcome.record
        pending = record.state is DrawState.PENDING
        self._runnable = pending and runnable
        self.draw_button.setEnabled(True)
        self.run_button.setEnabled(self._runnable)
        if self._runnable:
            self.run_button.setFocus()
        if not pending:
            self.number_edit.setText(record.number)
        self.message.clear_message()
        self.verify_message.clear_message()
        self.table.setRowCount(len(outcome.tasks))
        for row, task in enumerate(outcome.tasks):
            share = task.weight / outcome.pool_weight if outcome.pool_weight else 0.0
            cells = (str(task.seq), task.venue_name, task.licence_no, task.grade,
                     f"{task.weight}（{share:.1%}）", "、".join(task.inspectors),
                     task.incident_number)
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.state_value.setText(self._state_text(record.state, record.seed_committed))
        # in groups of eight, so it can be read out and noted down before the draw runs
        self.seed_hash_value.setText(" ".join(record.seed_sha256[k:k + 8]
                                              for k in range(0, len(record.seed_sha256), 8)))
        self.seed_hash_value.setToolTip(record.seed_sha256)
        self.seed_value.setText(record.seed if not pending
                                else self.tr("(revealed when the draw runs)"))
        self.method_value.setText(record.method)
        self.hash_value.setText(record.result_sha256)
        self.record_hash_value.setText(record.record_sha256)
        self._show_result_enabled(not pending)
        self._show_summary()

    def _state_text(self, state: DrawState, committed: bool) -> str:
        if state is DrawState.PENDING:
            return self.tr("Seed committed, not drawn yet")
        if state is DrawState.FAILED:
            return self.tr("Failed: nothing was drawn")
        if not committed:
            return self.tr("Drawn (before seed commitment: the seed could be typed in)")
        return self.tr("Drawn with the committed seed")

    def _show_summary(self) -> None:
        o = self._outcome
        if o is None:
            self.summary.setText(self.tr("No draw yet."))
            return
        if o.record.state is DrawState.PENDING:
            self.summary.setText(
                self.tr("Draw %1 committed at %2 by %3 from %4 candidate venues. Its seed's "
                        "SHA-256 is below: note it down, then run the draw. The seed is "
                        "revealed with the result and must match this hash.")
                .replace("%1", o.record.number)
                .replace("%2", local_time(o.record.created_at, "%Y-%m-%d %H:%M:%S"))
                .replace("%3", o.record.actor).replace("%4", str(o.pool_size)))
            return
        refusal = o.record.failure_refusal()
        if refusal is not None:
            self.summary.setText(
                self.tr("Draw %1 was run and drew nothing: %2")
                .replace("%1", o.record.number).replace("%2", refusal_text(refusal)))
            return
        self.summary.setText(
            self.tr("Draw %1 at %2 by %3: %4 of %5 candidate venues (excluded: %6).")
            .replace("%1", o.record.number).replace("%2", local_time(o.record.created_at,
                                                                     "%Y-%m-%d %H:%M"))
            .replace("%3", o.record.actor).replace("%4", str(len(o.tasks)))
            .replace("%5", str(o.pool_size)).replace("%6", str(len(o.record.excluded()))))

    def _show_result_enabled(self, enabled: bool) -> None:
        self.verify_button.setEnabled(enabled)
        self.copy_button.setEnabled(enabled)

    @property
    def outcome(self) -> DrawOutcome | None:
        """The draw shown."""
        return self._outcome

    @Slot()
    def verify(self) -> bool:
        """Re-run the shown draw from its stored record and say whether it matches."""
        if self._outcome is None:
            return False
        problems = check_draw(self._outcome.record)
        if problems:
            self.verify_message.show_message(
                self.tr("Verification FAILED: %1").replace("%1", "; ".join(problems)), "error")
            return False
        self.verify_message.show_message(
            self.tr("Verified: re-running the draw from its stored candidates, weights and "
                    "seed gives the same venues and inspectors, and the hashes match."), "ok")
        return True

    @Slot()
    def copy_record(self) -> None:
        """Put the draw's record (JSON) on the clipboard."""
        if self._outcome is not None:
            QGuiApplication.clipboard().setText(self._outcome.record.to_json())
            self.verify_message.show_message(self.tr("Record copied to the clipboard."))

    # ------------------------------------------------------------------ history
    @Slot(object)
    def set_history(self, draws: Sequence[DrawSummary]) -> None:
        """List past draws, newest first."""
        self.history_combo.clear()
        for d in draws:
            if d.state is DrawState.PENDING:
                tail = self.tr("not run, seed SHA-256 %1…").replace("%1", d.seed_sha256[:12])
            elif d.state is DrawState.FAILED:
                tail = self.tr("failed, nothing drawn")
            else:
                tail = f"{d.task_count}　{d.result_sha256[:12]}…"
            self.history_combo.addItem(
                f"{d.number}　{local_time(d.created_at, '%Y-%m-%d %H:%M')}　{d.actor}　{tail}",
                d.id)
        self.history_combo.setCurrentIndex(-1)

    @Slot(int)
    def _history_chosen(self, index: int) -> None:
        draw_id = self.history_combo.itemData(index)
        if draw_id is not None:
            self.draw_wanted.emit(int(draw_id))
