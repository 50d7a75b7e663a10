"""Fixtures for radio_bridge integration tests: the simulator on a real pseudo-terminal."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import radio_bridge
from radio_bridge.session import SessionConfig
from radio_bridge.simulator import RadioModel, SimulatorServer
from radio_bridge.testing import EventLog

REPO = Path(radio_bridge.__file__).resolve().parents[1]

posix_only = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a POSIX pty")

PTY_CONFIG = SessionConfig(
    command_timeout_s=1.0,
    send_timeout_s=2.0,
    keepalive_s=5.0,
    reconnect_initial_s=0.05,
    reconnect_max_s=0.2,
    busy_retry_s=0.05,
    retry_initial_s=0.05,
    retry_max_s=0.2,
    read_timeout_s=0.02,
)


@dataclass
class Proc:
    """A child process with its stdout lines collected on a thread."""

    popen: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    thread: threading.Thread | None = None

    def line(self, timeout: float = 10.0) -> str:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output line within {timeout} s") from None

    def send(self, text: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(text + "\n")
        self.popen.stdin.flush()

    def finish(self, kill: bool = False) -> int:
        """Stop the process (if running), close its pipes, join the reader; idempotent."""
        if self.popen.poll() is None:
            if kill:
                self.popen.kill()
            else:
                self.popen.terminate()
        try:
            rc = self.popen.wait(10)
        finally:
            for stream in (self.popen.stdin, self.popen.stdout):
                if stream is not None and not stream.closed:
                    stream.close()
            if self.thread is not None:
                self.thread.join(5)
        return rc


def spawn(args: list[str], *, stdin: bool = True) -> Proc:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    popen = subprocess.Popen(
        [sys.executable, *args], cwd=REPO, env=env, text=True, encoding="utf-8",
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL)
    proc = Proc(popen)

    def pump() -> None:
        assert popen.stdout is not None
        try:
            for line in popen.stdout:
                proc.lines.put(line.rstrip("\n"))
        except ValueError:  # closed by finish()
            pass

    proc.thread = threading.Thread(target=pump, name="test-stdout", daemon=True)
    proc.thread.start()
    return proc


@pytest.fixture
def procs() -> Iterator[Callable[..., Proc]]:
    started: list[Proc] = []

    def start(args: list[str], *, stdin: bool = True) -> Proc:
        p = spawn(args, stdin=stdin)
        started.append(p)
        return p

    yield start
    for p in started:
        p.finish(kill=True)


@pytest.fixture
def pty_radio(tmp_path: Path) -> Iterator[SimulatorServer]:
    """An in-process simulated radio on a real pty, reachable through a symlink."""
    if not hasattr(os, "openpty"):
        pytest.skip("needs a POSIX pty")
    model = RadioModel(seed=11, fleet=5, activity_interval=0.0, air_delay=0.02,
                       report_delay=0.05, talk_time=(0.05, 0.1), hang_time=0.2)
    server = SimulatorServer(model, link=tmp_path / "tetra")
    server.open_pty()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def events() -> EventLog:
    return EventLog()


@pytest.fixture
def pty_config() -> SessionConfig:
    return PTY_CONFIG
