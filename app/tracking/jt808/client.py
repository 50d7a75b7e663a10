"""A minimal blocking JT/T 808 terminal, for tests and scripts (not used by the server).

Every socket operation has a timeout, so a test using it never hangs.
"""

from __future__ import annotations

import socket
import time
from collections import deque

from app.tracking.jt808.codec import Frame, FrameSplitter, decode_frame, encode_packets
from app.tracking.jt808.messages import (
    Authentication,
    Heartbeat,
    Location,
    Message,
    PlatformGeneralReply,
    Registration,
    RegistrationReply,
)

__all__ = ["BlockingTerminal"]


class BlockingTerminal:
    """One terminal on one TCP connection, driven synchronously."""

    def __init__(
        self,
        host: str,
        port: int,
        phone: str,
        *,
        version: int | None = None,
        timeout: float = 5.0,
    ) -> None:
        """Connect.

        Args:
            host: Server host.
            port: Server port.
            phone: Phone number digits as the headers should carry them.
            version: 2019 protocol version byte, or ``None`` for 2013 headers.
            timeout: Seconds for connect and for each wait for an answer.
        """
        self.phone = phone
        self.version = version
        self.timeout = timeout
        self.serial = 0
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._splitter = FrameSplitter()
        self._inbox: deque[bytes] = deque()

    def __enter__(self) -> BlockingTerminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.sock.close()

    def frames_for(self, message: Message) -> list[bytes]:
        """Encode ``message`` with the next serial(s) (sub-packaged when long)."""
        frames = encode_packets(message, phone=self.phone, serial=self.serial, version=self.version)
        self.serial = (self.serial + len(frames)) & 0xFFFF
        return frames

    def send_raw(self, data: bytes) -> None:
        """Write raw bytes."""
        self.sock.sendall(data)

    def recv(self, timeout: float | None = None) -> Frame:
        """Next frame from the server.

        Raises:
            TimeoutError: Nothing arrived in time.
            ConnectionError: The server closed the connection.
        """
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while not self._inbox:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no frame from the server")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                raise TimeoutError("no frame from the server") from None
            if not data:
                raise ConnectionError("server closed the connection")
            self._inbox.extend(self._splitter.feed(data))
        return decode_frame(self._inbox.popleft())

    def request(self, message: Message) -> Message:
        """Send ``message`` and return the answer to its last packet (0x8001 or 0x8100)."""
        first = self.serial
        frames = self.frames_for(message)
        answer: Message | None = None
        for i, frame in enumerate(frames):
            self.send_raw(frame)
            answer = self.answer_to((first + i) & 0xFFFF)
        assert answer is not None
        return answer

    def answer_to(self, serial: int) -> Message:
        """Wait for the server's answer to the message with ``serial``."""
        deadline = time.monotonic() + self.timeout
        while True:
            frame = self.recv(max(0.0, deadline - time.monotonic()))
            message = frame.message
            if (
                isinstance(message, PlatformGeneralReply | RegistrationReply)
                and message.reply_serial == serial
            ):
                return message

    def register(self, registration: Registration | None = None) -> RegistrationReply:
        """Send 0x0100 and return the 0x8100."""
        answer = self.request(registration or Registration(plate="京A00001"))
        if not isinstance(answer, RegistrationReply):
            raise ConnectionError(f"expected 0x8100, got {answer!r}")
        return answer

    def general(self, message: Message) -> PlatformGeneralReply:
        """Send a message answered by 0x8001 and return the answer."""
        answer = self.request(message)
        if not isinstance(answer, PlatformGeneralReply):
            raise ConnectionError(f"expected 0x8001, got {answer!r}")
        return answer

    def authenticate(self, auth_code: str) -> PlatformGeneralReply:
        """Send 0x0102 and return the 0x8001."""
        return self.general(Authentication(auth_code, imei="860000000000001", software_version="1"))

    def login(self) -> str:
        """Register and authenticate; return the auth code.

        Raises:
            ConnectionError: Registration or authentication refused.
        """
        reply = self.register()
        if reply.result != 0:
            raise ConnectionError(f"registration refused: result {reply.result}")
        if self.authenticate(reply.auth_code).result != 0:
            raise ConnectionError("authentication refused")
        return reply.auth_code

    def report(self, location: Location) -> PlatformGeneralReply:
        """Send 0x0200 and return the 0x8001."""
        return self.general(location)

    def heartbeat(self) -> PlatformGeneralReply:
        """Send 0x0002 and return the 0x8001."""
        return self.general(Heartbeat())

    def wait_closed(self, timeout: float = 5.0) -> bool:
        """Wait until the server closes the connection (discarding frames); ``False`` on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                return False
            except ConnectionError:
                return True
            if not data:
                return True
