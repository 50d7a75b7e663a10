"""The elided label: a long text shortens with "…" and never widens its window."""

from __future__ import annotations

import argparse

import pytest
from PySide6.QtWidgets import QHBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.cli import build_parser, window_size
from widgets.elided_label import ElidedLabel

pytestmark = pytest.mark.gui

TEXT = "ALARM (3 pending): Body camera not live: 朝阳03 is on scene, DSJ-朝阳03-1 has no stream"


def test_a_long_text_is_elided_in_a_narrow_window_and_kept_whole(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    layout = QHBoxLayout(host)
    label = ElidedLabel(host)
    label.set_marker("#d92b2b")
    label.setText(TEXT)
    layout.addWidget(label)
    assert host.minimumSizeHint().width() < 120  # the text does not set the minimum
    assert label.sizeHint().width() > label.fontMetrics().horizontalAdvance(TEXT)
    host.resize(200, 40)
    host.show()
    qtbot.waitExposed(host)
    assert label.width() <= 200
    assert label.is_elided() and label.shown_text().endswith("…")
    assert label.shown_text()[:-1] == TEXT[:len(label.shown_text()) - 1]
    assert label.text() == TEXT and label.toolTip() == TEXT
    assert label.marker_colour() == "#d92b2b"
    host.resize(label.sizeHint().width() + 40, 40)
    qtbot.waitUntil(lambda: not label.is_elided(), timeout=2000)
    assert label.shown_text() == TEXT
    label.grab()  # paints without error


def test_geometry_option() -> None:
    assert window_size("1366x768") == (1366, 768)
    assert window_size("1920×1080") == (1920, 1080)
    for bad in ("1366", "axb", "10x10", "1366x768x2"):
        with pytest.raises(argparse.ArgumentTypeError):
            window_size(bad)
    args = build_parser().parse_args(["demo", "--geometry", "1366x768"])
    assert args.geometry == (1366, 768)
    assert build_parser().parse_args(["run"]).geometry is None
