"""Shift this Python process's wall clock for the suite's second run (`make test`).

`make test` runs the suite a second time with ``PYTHONPATH=tests/clockshift`` and
``CEDC_TEST_CLOCK_SHIFT_DAYS=365``: every Python process it starts — pytest itself and the real
console, gateway and simulator processes the end-to-end tests start — then reads a wall clock a
year ahead (``time.time``, ``datetime.now``, ``date.today``; time-machine moves them in-process,
while ``time.monotonic`` and the kernel's clocks stay, so serial and socket timeouts are
untouched). A test that seeds data at a fixed date and compares it with the real time fails in
that run; the program itself must read time only through :mod:`models.clock`.

Outside that run (no variable) this file does nothing. An interpreter without time-machine
(Debian's own python3, which starts the RTSP test server) is left alone.
"""

from __future__ import annotations

import os

_DAYS = os.environ.get("CEDC_TEST_CLOCK_SHIFT_DAYS", "")

if _DAYS:
    try:
        import datetime as _dt

        import time_machine as _tm
    except ImportError:  # not our interpreter
        pass
    else:
        _target = _dt.datetime.now(_dt.UTC) + _dt.timedelta(days=float(_DAYS))
        _TRAVELLER = _tm.travel(_target, tick=True)
        _TRAVELLER.start()
