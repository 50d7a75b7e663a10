"""Test support: the simulated radio behind an in-memory serial port, and an event recorder.

For tests of code that drives a :class:`~radio_bridge.session.Session` without a pseudo-terminal
(works on every OS, no file descriptors)::

    radio = FakeRadio()
    events = EventLog()
    session = Session("fake://radio", port_factory=radio.factory, on_event=events)
    session.start()
    radio.do(lambda model, now: model.emit_status(2269001, 0x8003, now))
    events.wait(StatusReceived)

``radio.unplug()``/``radio.plug()`` make the port vanish and come back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import serial

from radio_bridge import events as ev
from radio_bridge.simulator import RadioModel

__all__ = ["EventLog", "FakePort", "FakeRadio", "wait_until"]


class FakePort:
    """Minimal pyserial-like port whose other end is a :class:`RadioModel` (no OS resources)."""

    def __init__(self, radio: FakeRadio, timeout: float) -> None:
        self.radio = radio
        self.timeout = timeout
        self._buf = bytearray()
        self.closed = False

    def _pump(self) -> None:
        if self.radio.unplugged:
            raise serial.SerialException("device disconnected")
        with self.radio.lock:
            now = time.monotonic()
            self.radio.model.tick(now)
            self._buf += self.radio.model.poll(now)

    @property
    def in_waiting(self) -> int:
        self._pump()
        return len(self._buf)

    def read(self, size: int = 1) -> bytes:
        deadline = time.monotonic() + self.timeout
        while True:
            if self.closed:
                raise serial.SerialException("port closed")
            self._pump()
            if self._buf:
                data = bytes(self._buf[:size])
                del self._buf[:size]
                return data
            if time.monotonic() >= deadline:
                return b""
            time.sleep(0.001)

    def write(self, data: bytes) -> int:
        if self.radio.unplugged or self.closed:
            raise serial.SerialException("write failed: device disconnected")
        with self.radio.lock:
            self.radio.written.append(bytes(data))
            self.radio.model.feed(bytes(data), time.monotonic())
        return len(data)

    def reset_input_buffer(self) -> None:
        self._buf.clear()

    def close(self) -> None:
        self.closed = True


class FakeRadio:
    """A RadioModel plus a port factory for Session(port_factory=…)."""

    def __init__(self, **model_kwargs: Any) -> None:
        model_kwargs.setdefault("seed", 7)
        model_kwargs.setdefault("activity_interval", 0.0)
        model_kwargs.setdefault("fleet", 5)
        model_kwargs.setdefault("air_delay", 0.01)
        model_kwargs.setdefault("report_delay", 0.02)
        model_kwargs.setdefault("talk_time", (0.02, 0.05))
        model_kwargs.setdefault("hang_time", 0.1)
        self.model = RadioModel(**model_kwargs)
        self.lock = threading.RLock()
        self.unplugged = False
        self.opens = 0
        self.written: list[bytes] = []

    def factory(self, url: str, **kwargs: Any) -> FakePort:
        if self.unplugged:
            raise serial.SerialException(f"could not open port {url}")
        self.opens += 1
        with self.lock:
            self.model.reset_line()
        return FakePort(self, float(kwargs.get("timeout", 0.05)))

    def unplug(self) -> None:
        self.unplugged = True

    def plug(self) -> None:
        self.unplugged = False

    def do(self, fn: Callable[[RadioModel, float], Any]) -> Any:
        with self.lock:
            return fn(self.model, time.monotonic())

    def commands(self) -> list[str]:
        text = b"".join(self.written).decode("latin-1")
        return [c.strip() for c in text.replace("\x1a", "\r").split("\r") if c.strip()]


class EventLog:
    """Thread-safe list of events with waiting helpers."""

    def __init__(self) -> None:
        self.items: list[ev.RadioEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: ev.RadioEvent) -> None:
        with self._cond:
            self.items.append(event)
            self._cond.notify_all()

    def of(self, kind: type[ev.RadioEvent]) -> list[Any]:
        with self._cond:
            return [e for e in self.items if isinstance(e, kind)]

    def wait(self, kind: type[ev.RadioEvent], pred: Callable[[Any], bool] = lambda e: True,
             timeout: float = 3.0) -> Any:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for e in self.items:
                    if isinstance(e, kind) and pred(e):
                        return e
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"no {kind.__name__} within {timeout} s; got "
                        f"{[x.event_type for x in self.items]}")
                self._cond.wait(left)


def wait_until(pred: Callable[[], bool], timeout: float = 3.0) -> None:
    """Poll ``pred`` every 5 ms until it is true; AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() >= deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)
