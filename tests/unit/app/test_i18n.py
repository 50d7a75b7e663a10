from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from app.i18n import install_translators
from app.labels import has_label, label
from models import enums

ROOT = Path(__file__).resolve().parents[3]


def _i18n_tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "packaging" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_every_ui_string_is_translated_and_the_catalogue_is_compiled() -> None:
    problems = _i18n_tool().problems()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("enum_cls", [enums.UnitStatus, enums.IncidentStatus,
                                      enums.IncidentPriority, enums.IncidentSource,
                                      enums.IncidentCategory, enums.VenueType,
                                      enums.VenueClass, enums.CreditGrade])
def test_every_value_shown_to_users_has_a_label(enum_cls: type) -> None:
    assert all(has_label(member) for member in enum_cls)


def test_chinese_is_installed_and_english_is_the_source(qapp: QCoreApplication) -> None:
    translators = install_translators(qapp, "zh_CN")
    try:
        assert label(enums.UnitStatus.AVAILABLE) == "空闲"
        assert label(enums.UnitStatus.ON_SCENE) == "到场/检查中"
        assert label(enums.CreditGrade.D) == "D级（红）"
    finally:
        for t in translators:
            qapp.removeTranslator(t)
    assert install_translators(qapp, "en") == []
    assert label(enums.UnitStatus.AVAILABLE) == "Available"


def test_no_ui_string_hides_inside_an_f_string() -> None:
    """lupdate cannot see tr() calls inside f-strings: such a string would stay English."""
    import re

    pattern = re.compile(r"""f(["']).*?\{[^}]*\b(tr|translate)\(""")
    offenders = []
    for path in _i18n_tool().sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
