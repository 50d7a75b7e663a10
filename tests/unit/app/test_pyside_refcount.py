"""PySide6 6.12.0 on Python 3.11 lowers True's refcount on every Signal.emit() and aborts
the process after a few thousand emits. This pins the fix: emits must not leak references."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    changed = Signal(bool)


def test_signal_emit_keeps_true_refcount_stable() -> None:
    emitter = _Emitter()
    received: list[bool] = []
    emitter.changed.connect(received.append)
    before = sys.getrefcount(True)
    for _ in range(1000):
        emitter.changed.emit(True)
    after = sys.getrefcount(True)
    assert len(received) == 1000
    assert abs(after - before) <= len(received) + 10  # the list holds 1000 references
    received.clear()
    assert abs(sys.getrefcount(True) - before) <= 10
