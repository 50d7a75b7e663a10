"""Exceptions of the radio bridge and the table of PEI ``+CME ERROR`` codes.

Every decoder of outside input (serial lines, SDS payloads, LIP reports) raises
:class:`ProtocolError` and nothing else for malformed input. The other exceptions are raised
by :class:`radio_bridge.session.Session` when a command cannot be carried out.
"""

from __future__ import annotations

__all__ = [
    "CME_ERRORS",
    "RETRYABLE_CME_CODES",
    "CancelRefused",
    "CommandError",
    "CommandTimeout",
    "LinkDownError",
    "ProtocolError",
    "RadioError",
    "cme_message",
]


class ProtocolError(ValueError):
    """Malformed input from the radio (or handed to a decoder).

    A subclass of :class:`ValueError`, so callers that validate user input with
    ``except ValueError`` also catch it.
    """


class RadioError(Exception):
    """Base class of errors raised while talking to the radio."""


class LinkDownError(RadioError):
    """The serial link to the radio is not up (or went down while a command was in flight)."""


class CancelRefused(RadioError):
    """A message cannot be cancelled any more (``reason`` says why, e.g. it was already sent)."""

    def __init__(self, message_id: str, reason: str) -> None:
        super().__init__(f"message {message_id} cannot be cancelled: {reason}")
        self.message_id = message_id
        self.reason = reason


class CommandTimeout(RadioError):
    """The radio did not answer a command with a final result code in time."""

    def __init__(self, command: str, timeout_s: float) -> None:
        """Create the error.

        Args:
            command: The command line that timed out (without terminator).
            timeout_s: How long the session waited.
        """
        super().__init__(f"no answer to {command!r} within {timeout_s:g} s")
        self.command = command
        self.timeout_s = timeout_s


class CommandError(RadioError):
    """The radio answered a command with ``ERROR``, ``+CME ERROR: <n>`` or ``+CMS ERROR: <n>``."""

    def __init__(self, command: str, final: str, code: int | None) -> None:
        """Create the error.

        Args:
            command: The command line that failed (without terminator).
            final: The final result line as received, e.g. ``+CME ERROR: 42``.
            code: The numeric error code of ``+CME ERROR``/``+CMS ERROR``; None for a bare
                ``ERROR``.
        """
        self.command = command
        self.final = final
        self.code = code
        self.is_cme = final.upper().startswith("+CME")
        super().__init__(f"{command!r} failed: {self.readable}")

    @property
    def readable(self) -> str:
        """The error in words, e.g. ``"+CME ERROR 42: MT busy with signalling; retry later"``."""
        if self.code is None:
            return self.final
        if self.is_cme:
            return f"+CME ERROR {self.code}: {cme_message(self.code)}"
        return f"{self.final.split(':')[0]} {self.code}"

    @property
    def busy(self) -> bool:
        """True for ``+CME ERROR: 42`` (the MT is busy; retry later)."""
        return self.is_cme and self.code == 42


#: EN 300 392-5 extended error report codes (PROTOCOLS.md §1.11).
CME_ERRORS: dict[int, str] = {
    0: "MT could not send the data over the air",
    1: "MT cannot establish reliable communication with the TE",
    2: "PEI link already in use",
    3: "operation not allowed in the current state",
    4: "command not supported",
    5: "SIM/PIN: PIN required",
    10: "SIM not inserted",
    11: "SIM PIN required",
    12: "SIM PUK required",
    13: "SIM failure",
    14: "SIM busy",
    15: "SIM wrong",
    16: "incorrect password",
    17: "SIM PIN2 required",
    18: "SIM PUK2 required",
    20: "message stack full",
    21: "message index does not exist",
    22: "message index holds no message",
    23: "failed to store or access the message stack",
    24: "status text too long",
    25: "status text has invalid characters",
    26: "dial string longer than 25 digits",
    27: "dial string has invalid characters",
    30: "MS out of service",
    31: "no layer-2 acknowledgement from the SwMI",
    32: "user data decoding failed",
    33: "parameter of the wrong type",
    34: "parameter out of range",
    35: "syntax error (or an SDS input left half-entered)",
    36: "user data received without AT+CMGS=",
    37: "AT+CMGS timed out waiting for user data",
    38: "PID already registered by the TE",
    39: "SDS-TL registration table full",
    40: "service not available in DMO",
    41: "MT in transmit-inhibit mode",
    42: "MT busy with signalling; retry later",
    43: "service not available in V+D (TMO)",
    44: "MT supports handling of unknown parameters",
    45: "reserved",
}

#: Codes after which sending the same SDS again later may succeed.
RETRYABLE_CME_CODES: frozenset[int] = frozenset({0, 2, 3, 20, 23, 30, 31, 37, 41, 42})


def cme_message(code: int) -> str:
    """Return a readable message for a ``+CME ERROR`` code.

    Args:
        code: The numeric code.

    Returns:
        The meaning from :data:`CME_ERRORS`, or a generic text for unknown, vendor-specific
        (above 100) or reserved codes.
    """
    text = CME_ERRORS.get(code)
    if text is not None:
        return text
    if code > 100:
        return f"manufacturer-specific error {code}"
    return f"unknown error {code}"
