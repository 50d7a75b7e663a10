"""The UI keeps priority: background work runs at a lower operating-system priority.

The console's process runs decoders, speech inference, ingest and database writes beside the
Qt main thread, on two cores. The OS scheduler shares the cores between runnable threads, so
two dozen busy workers at the same priority as the UI thread leave it a small share: input and
painting wait. Each worker lowers its own thread's priority when it starts (threads it creates
afterwards, such as FFmpeg's or CTranslate2's, inherit it), so the UI thread wins whenever it
has work, and the workers take what is left.

Levels are Unix nice values (0 normal, 19 lowest). On Linux a nice value is per thread
(``setpriority`` on the thread id); on Windows the thread priority class is lowered through
``SetThreadPriority``; elsewhere nothing changes (logged once).
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import threading
from enum import IntEnum

log = logging.getLogger("app.priority")


class Background(IntEnum):
    """How far below the UI a kind of work runs (a nice increment)."""

    #: ingest and database writes: must keep up with the field, but never before the UI
    INGEST = 4
    #: video decoding and scaling for the wall
    MEDIA = 8
    #: speech recognition, batch analysis, model loading
    INFERENCE = 12
    #: demo simulators and media servers standing in for the field
    SIMULATION = 15


_WINDOWS_LEVELS = {  # THREAD_PRIORITY_* values
    Background.INGEST: -1,  # BELOW_NORMAL
    Background.MEDIA: -1,
    Background.INFERENCE: -2,  # LOWEST
    Background.SIMULATION: -2,
}
_warned = False
_applied: dict[int, int] = {}
_lock = threading.Lock()


def lower_this_thread(level: Background) -> bool:
    """Lower the calling thread's priority to ``level``; True if the OS applied it.

    Never raises: a console that cannot lower a worker's priority still works.
    """
    global _warned
    try:
        if sys.platform.startswith("linux"):
            # relative to the process's main thread (the UI), whatever nice it was started at
            base = os.getpriority(os.PRIO_PROCESS, os.getpid())
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                           min(19, base + int(level)))
        elif sys.platform == "win32":
            kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined,unused-ignore]
            if not kernel32.SetThreadPriority(kernel32.GetCurrentThread(),
                                              _WINDOWS_LEVELS[level]):
                raise OSError("SetThreadPriority failed")
        else:
            if not _warned:
                _warned = True
                log.info("thread priorities are not lowered on %s", sys.platform)
            return False
    except (OSError, AttributeError, ValueError) as exc:
        if not _warned:
            _warned = True
            log.warning("could not lower a worker thread's priority: %s", exc)
        return False
    with _lock:
        _applied[threading.get_ident()] = int(level)
    return True


def thread_nice(native_id: int) -> int | None:
    """A thread's nice value on Linux (diagnostics and tests); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return os.getpriority(os.PRIO_PROCESS, native_id)
    except OSError:
        return None


def lower_process(pid: int, level: Background) -> bool:
    """Lower a child process's priority (its main thread, and the threads it starts later)."""
    try:
        if sys.platform.startswith("linux") or sys.platform == "darwin":
            os.setpriority(os.PRIO_PROCESS, pid, int(level))
            return True
    except OSError as exc:
        log.warning("could not lower process %d's priority: %s", pid, exc)
    return False
