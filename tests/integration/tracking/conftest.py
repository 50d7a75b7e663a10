"""Fixtures for live JT/T 808 server tests on 127.0.0.1 (every wait has a timeout)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.tracking.jt808 import (
    Jt808Server,
    ServerEvents,
    ServerSettings,
    ServerThread,
    VehicleEvent,
    VehicleStateTracker,
)
from app.tracking.jt808.memory import MemoryRegistry, MemorySink


class Recorder:
    """Thread-safe list of (event name, args) with waiting."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.items: list[tuple[str, tuple[Any, ...]]] = []

    def add(self, name: str, *args: Any) -> None:
        with self._cond:
            self.items.append((name, args))
            self._cond.notify_all()

    def of(self, name: str) -> list[tuple[Any, ...]]:
        with self._cond:
            return [args for n, args in self.items if n == name]

    def wait_for(self, name: str, count: int = 1, timeout: float = 5.0) -> list[tuple[Any, ...]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len([1 for n, _ in self.items if n == name]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} {name!r} events, got {self.items}")
                self._cond.wait(left)
            return [args for n, args in self.items if n == name]

    def events(self) -> ServerEvents:
        return ServerEvents(
            on_connected=lambda info: self.add("connected", info),
            on_registered=lambda phone, reg, info: self.add("registered", phone, reg),
            on_authenticated=lambda phone, info: self.add("authenticated", phone),
            on_rejected=lambda phone, reason, info: self.add("rejected", phone, reason),
            on_disconnected=lambda info, reason: self.add("disconnected", info, reason),
            on_vehicle_event=lambda event: self.add("vehicle", event),
            on_alarm=lambda event: self.add("alarm", event),
        )

    def vehicle_events(self) -> list[VehicleEvent]:
        return [args[0] for args in self.of("vehicle")]


@dataclass
class Running:
    """A server running in its thread, with its in-memory registry and sink."""

    server: Jt808Server
    thread: ServerThread
    registry: MemoryRegistry
    sink: MemorySink
    recorder: Recorder
    port: int
    host: str = "127.0.0.1"
    extra: dict[str, Any] = field(default_factory=dict)

    def stop(self) -> None:
        self.thread.stop(timeout=10.0)


StartServer = Callable[..., Running]


@pytest.fixture
def start_server() -> Iterator[StartServer]:
    """Start servers on 127.0.0.1; all are stopped at teardown."""
    started: list[Running] = []

    def start(
        *,
        port: int = 0,
        registry: MemoryRegistry | None = None,
        sink: MemorySink | None = None,
        tracker: VehicleStateTracker | None = None,
        **settings: Any,
    ) -> Running:
        settings.setdefault("accept_unknown_terminals", True)
        registry = registry or MemoryRegistry()
        sink = sink or MemorySink()
        recorder = Recorder()
        server = Jt808Server(
            "127.0.0.1",
            port,
            registry,
            sink,
            settings=ServerSettings(**settings),
            events=recorder.events(),
            tracker=tracker,
        )
        thread = ServerThread(server)
        bound = thread.start(timeout=10.0)
        running = Running(server, thread, registry, sink, recorder, bound)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
