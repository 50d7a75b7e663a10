"""Simulators the demo runs beside the console, as separate processes speaking real protocols.

A simulator is a child process (``python -m …``) whose output goes to a log file; it is started
after the console part it talks to and stopped (terminate, then kill) in reverse order.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

from app.priority import Background, lower_process

log = logging.getLogger("app.demo.simulators")


class SimulatorProcess:
    """One simulator child process.

    Args:
        name: for logs.
        argv: arguments after ``python`` (built when starting, so ports known only then work).
        log_file: where its stdout and stderr go.
    """

    def __init__(self, name: str, argv: Callable[[], list[str]], log_file: Path, *,
                 commands: bool = False) -> None:
        self.name = name
        self._commands = commands
        self._argv = argv
        self._log_file = log_file
        self._proc: subprocess.Popen[bytes] | None = None
        self._out: IO[bytes] | None = None

    def start(self) -> None:
        """Start the process."""
        args = [sys.executable, *self._argv()]
        self._log_file.parent.mkdir(parents=True, exist_ok=True)
        self._out = self._log_file.open("ab")
        self._proc = subprocess.Popen(
            args, stdout=self._out, stderr=subprocess.STDOUT,
            stdin=subprocess.PIPE if self._commands else subprocess.DEVNULL)
        # a simulator stands in for the field: it never competes with the console's UI
        lower_process(self._proc.pid, Background.SIMULATION)
        log.info("%s started (pid %d): %s; log %s", self.name, self._proc.pid, " ".join(args),
                 self._log_file, extra={"event": "simulator_started", "simulator": self.name})

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def send(self, command: str) -> bool:
        """Write one control command line to the simulator (when started with ``commands``)."""
        proc = self._proc
        if proc is None or proc.stdin is None or proc.poll() is not None:
            return False
        try:
            proc.stdin.write(command.encode("utf-8") + b"\n")
            proc.stdin.flush()
        except OSError as exc:
            log.warning("%s did not take %r: %s", self.name, command, exc)
            return False
        log.info("%s ← %s", self.name, command, extra={"event": "simulator_command"})
        return True

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate (then kill) the process."""
        if self._proc is not None:
            if self._proc.stdin is not None:
                with contextlib.suppress(OSError):  # the child may be gone already
                    self._proc.stdin.close()
            if self._proc.poll() is None:
                self._proc.terminate()
                try:
                    self._proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    log.warning("%s did not stop; killing it", self.name)
                    self._proc.kill()
                    self._proc.wait(timeout)
            self._proc = None
        if self._out is not None:
            self._out.close()
            self._out = None
