"""The ``cedc:`` URL scheme that serves the map page and its assets from resources/."""

from __future__ import annotations

from PySide6.QtWebEngineCore import QWebEngineUrlScheme

SCHEME = b"cedc"
_registered = False


def register_scheme() -> None:
    """Register the scheme; must run before the QApplication exists. Idempotent."""
    global _registered
    if _registered:
        return
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Path)
    scheme.setFlags(
        QWebEngineUrlScheme.Flag.SecureScheme
        | QWebEngineUrlScheme.Flag.LocalScheme
        | QWebEngineUrlScheme.Flag.LocalAccessAllowed
        | QWebEngineUrlScheme.Flag.CorsEnabled
    )
    QWebEngineUrlScheme.registerScheme(scheme)
    _registered = True
