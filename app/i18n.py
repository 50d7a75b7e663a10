"""Translations: Simplified Chinese by default, whatever the system locale; English on request.

UI strings are written in English in the code (``self.tr``, ``QCoreApplication.translate``,
``QT_TRANSLATE_NOOP``) and translated from resources/i18n/console_zh_CN.qm.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger("app.i18n")

I18N_DIR = Path(__file__).resolve().parents[1] / "resources" / "i18n"
CATALOGUE = I18N_DIR / "console_zh_CN.qm"
SOURCE = I18N_DIR / "console_zh_CN.ts"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for translation in ``context`` without translating it now.

    lupdate finds these calls by name; translate later with
    ``QCoreApplication.translate(context, text)``. (PySide's own is typed as returning object.)
    """
    del context
    return text


class TranslationError(RuntimeError):
    """The translation catalogue is missing or unreadable."""


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install the console's (and Qt's own) translators for ``language``; keep the result alive.

    ``en`` installs none (the source strings are English). ``zh_CN`` also sets the default
    locale so dates and numbers in standard widgets are Chinese.
    """
    if language == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return []
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    installed: list[QTranslator] = []
    ours = QTranslator(app)
    if not ours.load(str(CATALOGUE)):
        raise TranslationError(f"cannot load the Chinese translation {CATALOGUE}")
    app.installTranslator(ours)
    installed.append(ours)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt = QTranslator(app)
    if qt.load("qtbase_zh_CN", qt_dir):
        app.installTranslator(qt)
        installed.append(qt)
    else:
        log.info("Qt's own Chinese translation not found in %s", qt_dir)
    return installed
