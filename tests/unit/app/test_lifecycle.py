from __future__ import annotations

import pytest

from app.lifecycle import Lifecycle


def test_parts_start_in_order_and_stop_in_reverse() -> None:
    calls: list[str] = []
    lc = Lifecycle()
    for name in ("db", "writer", "ui"):
        lc.add(name, lambda n=name: calls.append(f"start {n}"),
               lambda n=name: calls.append(f"stop {n}"))
    lc.start_all()
    assert lc.started == ["db", "writer", "ui"]
    lc.stop_all()
    lc.stop_all()  # idempotent
    assert calls == ["start db", "start writer", "start ui", "stop ui", "stop writer", "stop db"]


@pytest.mark.expect_log_errors
def test_a_failed_start_stops_what_started_and_a_failed_stop_does_not_block_others() -> None:
    calls: list[str] = []
    lc = Lifecycle()

    def broken_stop() -> None:
        calls.append("stop a")
        raise RuntimeError("stuck")

    def broken_start() -> None:
        raise RuntimeError("port busy")

    lc.add("a", lambda: calls.append("start a"), broken_stop)
    lc.add("b", lambda: calls.append("start b"), lambda: calls.append("stop b"))
    lc.add("c", broken_start, lambda: calls.append("stop c"))
    with pytest.raises(RuntimeError, match="port busy"):
        lc.start_all()
    assert calls == ["start a", "start b", "stop b", "stop a"]
    assert lc.started == []
