"""Analysis reports shown inside the console, so that they open on any desktop.

A desktop without a registered browser (``QDesktopServices.openUrl`` returns False, the log
says "Unable to detect a launcher") used to open nothing. :class:`ReportViewer` loads the HTML
report from its file URL into a QtWebEngine view (already used for the map) and offers
"Open folder", which does go through the desktop — and says so in the window when that fails.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

log = logging.getLogger("widgets.report_viewer")


def open_folder(path: Path, opener: Callable[[QUrl], bool] | None = None) -> bool:
    """Show the folder of ``path`` in the desktop's file manager; False when none started."""
    folder = path if path.is_dir() else path.parent
    ok = bool((opener or QDesktopServices.openUrl)(QUrl.fromLocalFile(str(folder))))
    if not ok:
        log.warning("no file manager could be started for %s", folder,
                    extra={"event": "open_folder_failed", "path": str(folder)})
    return ok


class ReportViewer(QWidget):
    """A window showing one HTML report, with "Open folder" beside it.

    Args:
        path: the report (HTML).
        opener: opens a URL on the desktop (``QDesktopServices.openUrl``; tests pass their own).
    """

    def __init__(self, path: Path, parent: QWidget | None = None, *,
                 opener: Callable[[QUrl], bool] | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("reportViewer")
        self.path = path
        self._opener = opener
        self.loaded_ok: bool | None = None  # None until the page has loaded (or failed)
        # The view (and its page) must go before the profile: created first, deleted first.
        self.view = QWebEngineView(self)
        self.view.setObjectName("reportView")
        self._profile = QWebEngineProfile(self)  # off the record: nothing written to disk
        self._page = QWebEnginePage(self._profile, self.view)
        self._page.settings().setAttribute(
            QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, False)
        self._page.settings().setAttribute(QWebEngineSettings.WebAttribute.PluginsEnabled, False)
        self.view.setPage(self._page)
        self.path_label = QLabel(self)
        self.path_label.setObjectName("reportPath")
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("reportMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #b00020;")
        self.message_label.hide()
        self.folder_button = QPushButton(self)
        self.folder_button.setObjectName("reportOpenFolder")
        self.folder_button.clicked.connect(self.open_folder)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.close)

        bar = QHBoxLayout()
        bar.addWidget(self.path_label, 1)
        bar.addWidget(self.folder_button)
        bar.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message_label)
        layout.addWidget(self.view, 1)
        self.resize(1000, 760)

        self._page.titleChanged.connect(lambda _t: self.retranslate())
        self._page.loadFinished.connect(self._loaded)
        self.retranslate()
        if path.is_file():
            self._page.load(QUrl.fromLocalFile(str(path.resolve())))
        else:
            log.warning("report %s does not exist", path,
                        extra={"event": "report_missing", "path": str(path)})
            self.loaded_ok = False
            self._say(self.tr("The report file is missing: %1").replace("%1", str(path)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Texts in the current language."""
        title = self.page_title()
        self.setWindowTitle(self.tr("Report — %1").replace("%1", title or self.path.name))
        self.path_label.setText(str(self.path))
        self.folder_button.setText(self.tr("Open folder"))
        self.folder_button.setToolTip(
            self.tr("Show the report's folder in the desktop's file manager"))
        self.close_button.setText(self.tr("Close"))

    def page_title(self) -> str:
        """The report's own title (its HTML <title>), once loaded."""
        title = self._page.title()
        # before the page has a <title>, QtWebEngine answers with the URL
        return "" if not title or title.startswith("file:") or title == self.path.name else title

    def _say(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    @Slot(bool)
    def _loaded(self, ok: bool) -> None:
        self.loaded_ok = ok
        self.retranslate()
        if not ok:
            log.warning("report %s could not be shown", self.path,
                        extra={"event": "report_load_failed", "path": str(self.path)})
            self._say(self.tr("The report could not be shown. It is at %1")
                      .replace("%1", str(self.path)))

    @Slot()
    def open_folder(self) -> bool:
        """Open the report's folder on the desktop; says so here when that is not possible."""
        if open_folder(self.path, self._opener):
            self._say("")
            return True
        self._say(self.tr("No file manager could be started on this desktop. The report is "
                          "in %1").replace("%1", str(self.path.parent)))
        return False


def show_report(path: Path, parent: QWidget | None = None) -> ReportViewer:
    """Open ``path`` in a new :class:`ReportViewer` window (deleted when closed)."""
    viewer = ReportViewer(path, parent)
    viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    viewer.show()
    return viewer
