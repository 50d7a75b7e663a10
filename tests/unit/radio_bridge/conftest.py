"""Fixtures for radio_bridge unit tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from radio_bridge.session import Session, SessionConfig
from radio_bridge.testing import EventLog, FakeRadio

FAST = SessionConfig(
    command_timeout_s=1.0,
    send_timeout_s=1.0,
    keepalive_s=5.0,
    reconnect_initial_s=0.02,
    reconnect_max_s=0.1,
    busy_retry_s=0.02,
    retry_initial_s=0.02,
    retry_max_s=0.1,
    read_timeout_s=0.01,
)


@pytest.fixture
def fast_config() -> SessionConfig:
    return FAST


@pytest.fixture
def radio() -> FakeRadio:
    return FakeRadio()


@pytest.fixture
def events() -> EventLog:
    return EventLog()


@pytest.fixture
def make_session(radio: FakeRadio, events: EventLog) -> Iterator[Callable[..., Session]]:
    sessions: list[Session] = []

    def make(**kwargs: Any) -> Session:
        kwargs.setdefault("config", FAST)
        kwargs.setdefault("on_event", events)
        s = Session("fake://radio", port_factory=radio.factory, **kwargs)
        sessions.append(s)
        return s

    yield make
    for s in sessions:
        assert s.stop(3.0), "session threads did not stop"


@pytest.fixture
def session(make_session: Callable[..., Session]) -> Session:
    s = make_session()
    s.start()
    assert s.wait_until_up(3.0)
    return s
