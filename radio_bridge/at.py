"""AT line codec for the TETRA PEI: an incremental, I/O-free line reader and command encoders.

The reader turns the bytes the radio sends into classified items:

* :class:`FinalResult` – ``OK``, ``ERROR``, ``+CME ERROR: n``, ``+CMS ERROR: n`` (and the
  V.25ter call results ``NO CARRIER``, ``BUSY``, ``NO ANSWER``, ``NO DIALTONE``);
* :class:`Unsolicited` – result codes that can arrive at any time, even between a command and
  its final result (``+CTSDSR`` with its hex payload line, ``+CTICN``, ``+CTCC``, ``+CTXG``,
  ``+CDTXC``, ``+CTCR``, ``+CTOCP``, ``+CTXI``, ``+CTXW`` and the delayed
  ``+CMGS: <instance>,<status>,<ref>``);
* :class:`Response` – any other line: information responses to the command in flight
  (``+CNUMF: …``, the immediate ``+CMGS: <instance>``) or free text;
* :class:`Echo` – our own command echoed back (echo is on until ``ATE0``);
* :class:`Malformed` – a line that cannot be valid (binary garbage, over-long line, a
  ``+CTSDSR`` header whose payload line is missing).

``+CTSDSR`` takes two lines (PROTOCOLS.md §1.1 rule 3): the reader holds the header and attaches
the next non-empty line as the payload. If that next line is not hex, the header is reported as
:class:`Malformed` and the line is classified on its own, so a lost payload never swallows an
``OK``.

The reader never raises: whatever bytes it is fed, it returns items. Field parsers in this
module raise :class:`radio_bridge.errors.ProtocolError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from radio_bridge.errors import ProtocolError

__all__ = [
    "CTRL_Z",
    "ESC",
    "MAX_LINE",
    "UNSOLICITED_PREFIXES",
    "Echo",
    "FinalResult",
    "Item",
    "LineReader",
    "Malformed",
    "Response",
    "Unsolicited",
    "encode_cmgs",
    "encode_command",
    "is_hex",
    "parse_int",
    "parse_ssi",
    "split_args",
]

CTRL_Z = b"\x1a"
ESC = b"\x1b"
#: The longest line accepted. 2047 bits of SDS user data are 512 hex digits; headers are short.
MAX_LINE = 1024

#: Prefixes that are always unsolicited (``+CMGS`` only with more than one field).
UNSOLICITED_PREFIXES: frozenset[str] = frozenset(
    {"+CTSDSR", "+CTICN", "+CTCC", "+CTXG", "+CDTXC", "+CTCR", "+CTOCP", "+CTXI", "+CTXW"}
)
_CALL_FINALS: frozenset[str] = frozenset({"NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE"})
_SPLIT = re.compile(rb"[\r\n]+")
_HEX = re.compile(r"[0-9A-Fa-f]+")
_PRINTABLE = re.compile(r"[\x20-\x7e]*")


@dataclass(frozen=True, slots=True)
class FinalResult:
    """A final result code: ends the command in flight.

    Attributes:
        line: The line as received.
        ok: True for ``OK`` only.
        code: The number of ``+CME ERROR``/``+CMS ERROR``; None otherwise or when unreadable.
    """

    line: str
    ok: bool
    code: int | None = None

    @property
    def is_cme(self) -> bool:
        """True for ``+CME ERROR: n``."""
        return self.line.startswith("+CME ERROR")


@dataclass(frozen=True, slots=True)
class Unsolicited:
    """An unsolicited result code.

    Attributes:
        prefix: Upper-case prefix including the ``+``, e.g. ``+CTSDSR``.
        args: The text after the colon, stripped.
        line: The header line as received.
        payload: For ``+CTSDSR``: the hex line that followed the header; None otherwise.
    """

    prefix: str
    args: str
    line: str
    payload: str | None = None


@dataclass(frozen=True, slots=True)
class Response:
    """An information line, normally part of the answer to the command in flight.

    Attributes:
        prefix: Upper-case ``+XXXX`` prefix, or None for a line without one.
        args: Text after the colon (the whole line when there is no prefix).
        line: The line as received.
    """

    prefix: str | None
    args: str
    line: str


@dataclass(frozen=True, slots=True)
class Echo:
    """Our own command line echoed back by the radio (before ``ATE0``)."""

    line: str


@dataclass(frozen=True, slots=True)
class Malformed:
    """A line the reader rejected.

    Attributes:
        line: The offending text (non-printable characters escaped, at most 200 characters).
        reason: Why it was rejected.
    """

    line: str
    reason: str


Item = FinalResult | Unsolicited | Response | Echo | Malformed


def _shown(text: str) -> str:
    """Return a printable, bounded rendering of ``text`` for logs and events."""
    out = text.encode("unicode_escape").decode("ascii")
    return out if len(out) <= 200 else out[:200] + "…"


class LineReader:
    """Incremental AT response parser: feed bytes, get classified items.

    Lines end at CR or LF (any run of them); empty lines are dropped. Bytes are decoded as
    Latin-1 so nothing can fail to decode; lines with characters outside printable ASCII are
    reported as :class:`Malformed`. A line longer than :data:`MAX_LINE` is reported and the rest
    of it is discarded up to the next line end.
    """

    def __init__(self, max_line: int = MAX_LINE) -> None:
        """Create an empty reader.

        Args:
            max_line: Longest accepted line in characters.
        """
        self._max_line = max_line
        self._buf = b""
        self._overflow = False
        self._pending_sdsr: str | None = None

    def reset(self) -> None:
        """Forget any partial line and any ``+CTSDSR`` header waiting for its payload."""
        self._buf = b""
        self._overflow = False
        self._pending_sdsr = None

    @property
    def awaiting_payload(self) -> bool:
        """True while a ``+CTSDSR`` header waits for its payload line."""
        return self._pending_sdsr is not None

    def feed(self, data: bytes) -> list[Item]:
        """Add received bytes and return the items completed by them.

        Args:
            data: Any bytes, in any chunking.

        Returns:
            The items of every line completed by ``data``, in order. Never raises.
        """
        items: list[Item] = []
        buf = self._buf + data
        parts = _SPLIT.split(buf)
        self._buf = parts.pop()
        for raw in parts:
            if self._overflow:
                self._overflow = False
                continue
            if raw:
                self._line(raw, items)
        if len(self._buf) > self._max_line:
            if not self._overflow:
                items.append(Malformed(_shown(self._buf[:200].decode("latin-1")), "line too long"))
                self._overflow = True
            self._buf = b""
        return items

    def _line(self, raw: bytes, items: list[Item]) -> None:
        if len(raw) > self._max_line:
            items.append(Malformed(_shown(raw[:200].decode("latin-1")), "line too long"))
            return
        text = raw.decode("latin-1").strip(" \t\x00\x1a\x1b")
        if text.startswith(">"):
            # A stray SDS input prompt (some radios may print "> "); tolerate it.
            text = text[1:].lstrip()
        if not text:
            return
        if _PRINTABLE.fullmatch(text) is None:
            items.append(Malformed(_shown(text), "non-printable characters"))
            return
        if self._pending_sdsr is not None:
            header = self._pending_sdsr
            self._pending_sdsr = None
            if _HEX.fullmatch(text) is not None:
                args = header.split(":", 1)[1].strip()
                items.append(Unsolicited("+CTSDSR", args, header, text))
                return
            items.append(Malformed(header, "+CTSDSR header without its hex payload line"))
        item = self._classify(text)
        if item is not None:
            items.append(item)

    def _classify(self, text: str) -> Item | None:
        upper = text.upper()
        if upper == "OK":
            return FinalResult(text, ok=True)
        if upper == "ERROR" or upper in _CALL_FINALS:
            return FinalResult(text, ok=False)
        if upper.startswith(("+CME ERROR", "+CMS ERROR")):
            tail = text[10:].lstrip(": ")
            try:
                code: int | None = int(tail)
            except ValueError:
                code = None
            return FinalResult(text, ok=False, code=code)
        if upper.startswith("AT"):
            return Echo(text)
        if text.startswith("+"):
            head, sep, tail = text.partition(":")
            prefix = head.strip().upper()
            args = tail.strip()
            if prefix == "+CTSDSR" and sep:
                self._pending_sdsr = text
                return None
            if prefix in UNSOLICITED_PREFIXES and sep:
                return Unsolicited(prefix, args, text)
            if prefix == "+CMGS" and "," in args:
                return Unsolicited(prefix, args, text)
            return Response(prefix, args, text)
        return Response(None, text, text)


# --------------------------------------------------------------------------- encoders


def encode_command(command: str) -> bytes:
    """Encode one command line for the radio.

    Args:
        command: The command, e.g. ``AT+CTSDS=12,0,0,0,0``. Must be printable ASCII.

    Returns:
        The bytes to write: the command followed by CR.

    Raises:
        ValueError: If the command contains characters that cannot go on the line.
    """
    if _PRINTABLE.fullmatch(command) is None or not command:
        raise ValueError(f"not a printable ASCII command: {command!r}")
    return command.encode("ascii") + b"\r"


def encode_cmgs(
    destination: int | str, user_data: bytes | str, length_bits: int | None = None
) -> bytes:
    """Encode a complete ``AT+CMGS`` for one write: header, CR LF, upper-case hex, Ctrl-Z.

    Args:
        destination: Called party identity (SSI or TSI digits), sent without quotes.
        user_data: The SDS user data as bytes, or as a hex string.
        length_bits: Length in bits; defaults to 8 per octet (4 per hex digit).

    Returns:
        The bytes to write (PROTOCOLS.md §1.5.2).

    Raises:
        ValueError: For a non-numeric destination, bad hex or a length that does not fit.
    """
    dest = str(destination)
    if not dest.isdigit() or len(dest) > 17:
        raise ValueError(f"called party identity must be 1-17 digits: {destination!r}")
    if isinstance(user_data, bytes):
        hex_text = user_data.hex().upper()
    else:
        if user_data and _HEX.fullmatch(user_data) is None:
            raise ValueError("user data must be hex digits")
        hex_text = user_data.upper()
    bits = len(hex_text) * 4 if length_bits is None else length_bits
    if not 0 < bits <= len(hex_text) * 4 or bits > 2047 + 8:
        raise ValueError(f"length {bits} bits does not fit {len(hex_text)} hex digits")
    return f"AT+CMGS={dest},{bits}\r\n{hex_text}".encode("ascii") + CTRL_Z


# --------------------------------------------------------------------------- field helpers


def is_hex(text: str) -> bool:
    """Return True if ``text`` is a non-empty string of hex digits."""
    return _HEX.fullmatch(text) is not None


def split_args(args: str) -> list[str]:
    """Split the parameter text of a result code on commas.

    Fields are stripped of blanks and of surrounding double quotes. Empty fields stay empty
    strings (``1,,2`` gives ``["1", "", "2"]``).

    Args:
        args: Text after the colon of a result code.

    Returns:
        The fields.
    """
    return [f.strip().strip('"') for f in args.split(",")]


def parse_int(field: str, name: str, low: int = 0, high: int | None = None) -> int:
    """Parse a decimal field.

    Args:
        field: The text.
        name: Field name for the error message.
        low: Smallest allowed value.
        high: Largest allowed value, or None for no limit.

    Returns:
        The value.

    Raises:
        ProtocolError: If the field is not a decimal number in range.
    """
    if not field.isascii() or not field.isdigit() or len(field) > 20:
        raise ProtocolError(f"{name}: not a number: {field!r}")
    value = int(field)
    if value < low or (high is not None and value > high):
        raise ProtocolError(f"{name}: {value} out of range")
    return value


def parse_ssi(field: str, name: str = "identity") -> int:
    """Return the SSI of an identity field (an SSI, or a TSI whose last 8 digits are the SSI).

    Args:
        field: Decimal identity as sent by the radio, leading zeros optional.
        name: Field name for the error message.

    Returns:
        The SSI, 0–16777215.

    Raises:
        ProtocolError: If the field is empty, not decimal, too long or out of range.
    """
    if not field.isascii() or not field.isdigit() or len(field) > 17:
        raise ProtocolError(f"{name}: not an identity: {field!r}")
    value = int(field[-8:])
    if value > 0xFFFFFF:
        raise ProtocolError(f"{name}: SSI {value} out of range")
    return value
