"""Evidence in the main window: each capture is confirmed, and the evidence list shows it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QUrl
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.bridge import UiBridge
from app.core import ConsoleCore, DatabaseTarget
from app.i18n import install_translators
from app.lifecycle import Lifecycle
from app.media.types import Capture
from app.settings import Settings
from models.enums import EvidenceKind
from models.media import EvidenceItem
from widgets.evidence_dialog import EvidenceDialog
from widgets.main_window import MainWindow

pytestmark = pytest.mark.gui

T0 = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def console(qtbot: QtBot, qapp: QApplication, seeded_db_url: str) -> Iterator[MainWindow]:
    translators = install_translators(qapp, "zh_CN")
    core = ConsoleCore(Settings(), DatabaseTarget(seeded_db_url), UiBridge())
    lifecycle = Lifecycle()
    core.register(lifecycle)
    lifecycle.start_all()
    window = MainWindow(core)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    lifecycle.stop_all()
    for t in translators:
        qapp.removeTranslator(t)


def test_a_capture_is_confirmed_in_the_status_bar_and_on_the_notice_line(
        console: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    media = console.core.media
    assert media is not None
    assert not console.notice_line.isVisible()
    media.capture_done.emit(Capture(EvidenceKind.SNAPSHOT, 3, tmp_path / "s.png", "ab12" * 16,
                                    1000, T0, T0, T0))
    expected = f"截图已存为证据：3（SHA-256 {'ab12' * 3}…）"
    qtbot.waitUntil(lambda: console.statusBar().currentMessage() == expected, timeout=2000)
    assert console.notice_line.isVisible() and console.notice_line.text() == expected
    media.capture_failed.emit(3, "source 3 is not open")
    qtbot.waitUntil(lambda: "未能保存" in console.notice_line.text(), timeout=2000)
    assert "source 3 is not open" in console.statusBar().currentMessage()


def _store(console: MainWindow, path: Path, kind: EvidenceKind, sha: str) -> None:
    def job(session):  # type: ignore[no-untyped-def]
        session.add(EvidenceItem(kind=kind, path=str(path), sha256=sha, size_bytes=2_500_000,
                                 captured_at=T0, captured_by="张三"))

    assert console.core.writer is not None
    console.core.writer.submit(job, label="test evidence").result(10)


def test_the_evidence_list_shows_a_stored_item_and_says_when_it_cannot_open_it(
        console: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    snapshot = tmp_path / "evidence" / "src3-snapshot.png"
    snapshot.parent.mkdir()
    snapshot.write_bytes(b"png")
    console.dispatch_actions["evidence"].trigger()
    dialog = console.evidence_dialog
    assert isinstance(dialog, EvidenceDialog) and dialog.windowTitle() == "证据"
    assert dialog.open_folder_button.text() == "打开所在文件夹"
    _store(console, snapshot, EvidenceKind.SNAPSHOT, "f" * 64)  # arrives while it is open
    _store(console, tmp_path / "r.mkv", EvidenceKind.RECORDING, "e" * 64)
    table = dialog.panel.proxy
    # both stored; the default filter (captures) hides the recording
    qtbot.waitUntil(lambda: len(dialog.panel.model.rows) == 2, timeout=5000)
    assert table.rowCount() == 1
    cells = [table.index(0, c).data() for c in range(table.columnCount())]
    assert cells[0] == "截图" and "f" * 64 in cells and "2.5 MB" in cells and "张三" in cells
    dialog.panel.kind_combo.setCurrentIndex(2)  # all evidence: the recording too
    assert table.rowCount() == 2
    dialog.panel.kind_combo.setCurrentIndex(0)
    assert dialog.panel.select_id(next(r.id for r in dialog.panel.model.rows
                                       if r.kind is EvidenceKind.SNAPSHOT))
    opened: list[QUrl] = []
    dialog._opener = lambda url: opened.append(url) or False  # a desktop without programs
    assert dialog.open_file() is False
    assert opened == [QUrl.fromLocalFile(str(snapshot))]
    assert str(snapshot) in dialog.message_label.text()
    assert dialog.open_folder() is False
    assert str(snapshot.parent) in dialog.message_label.text()
    dialog.close()
