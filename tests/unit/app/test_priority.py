"""Background workers run below the UI thread's priority (Linux: per-thread nice values)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from app.priority import Background, lower_process, lower_this_thread, thread_nice

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="per-thread nice values are a Linux feature")


def test_a_worker_lowers_only_its_own_thread_and_its_children_inherit() -> None:
    base = os.getpriority(os.PRIO_PROCESS, os.getpid())
    seen: dict[str, int | None] = {}

    def worker() -> None:
        assert lower_this_thread(Background.MEDIA)
        seen["worker"] = thread_nice(threading.get_native_id())

        def child() -> None:  # e.g. a decoder's own thread, started by the worker
            seen["child"] = thread_nice(threading.get_native_id())

        t = threading.Thread(target=child)
        t.start()
        t.join()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    expected = min(19, base + int(Background.MEDIA))
    assert seen == {"worker": expected, "child": expected}
    # the calling (UI) thread keeps its priority
    assert thread_nice(threading.get_native_id()) == base


def test_kinds_of_work_are_ordered_ui_first_then_ingest_media_inference_simulation() -> None:
    assert 0 < Background.INGEST < Background.MEDIA < Background.INFERENCE \
        < Background.SIMULATION <= 19


def test_a_simulator_process_runs_below_the_console() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert lower_process(proc.pid, Background.SIMULATION)
        assert os.getpriority(os.PRIO_PROCESS, proc.pid) >= int(Background.SIMULATION)
    finally:
        proc.kill()
        proc.wait()
