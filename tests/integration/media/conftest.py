"""Live media fixtures: generated clips served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from app.media.reader import FrameMeta, ReaderConfig
from app.media.servers import DemoMediaServer
from app.media.testmedia import TEST_CAMERA, TEST_VENUE, GeneratedClip, MediaCache


@pytest.fixture(scope="session")
def clips() -> list[GeneratedClip]:
    """The short test clips (generated once per test session)."""
    cache = MediaCache()
    return [cache.clip(TEST_CAMERA), cache.clip(TEST_VENUE)]


@pytest.fixture
def server(clips: list[GeneratedClip]) -> Iterator[DemoMediaServer]:
    """A running demo media server with the test clips."""
    srv = DemoMediaServer(clips)
    srv.start()
    yield srv
    srv.close()


@pytest.fixture
def fast() -> ReaderConfig:
    """Reader timings for tests: quick retries and time-outs."""
    return ReaderConfig(open_timeout_s=2.0, read_timeout_s=2.0, stall_after_s=1.0,
                        backoff_initial_s=0.1, backoff_max_s=0.5)


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Poll ``predicate`` every 20 ms until true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(0.02)


class Pictures:
    """A frame consumer that keeps what it was given (thread-safe)."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.metas: list[FrameMeta] = []
        self.received: list[float] = []
        self.last: np.ndarray | None = None
        self._lock = threading.Lock()

    def publish(self, bgra: np.ndarray, meta: FrameMeta) -> None:
        with self._lock:
            self.metas.append(meta)
            self.received.append(time.monotonic())
            self.last = bgra.copy()
        if self.delay_s:
            time.sleep(self.delay_s)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.metas)


@pytest.fixture
def wait() -> Callable[..., None]:
    """:func:`wait_for`, for the tests."""
    return wait_for


@pytest.fixture
def pictures_cls() -> type[Pictures]:
    """The :class:`Pictures` consumer class, for the tests."""
    return Pictures
