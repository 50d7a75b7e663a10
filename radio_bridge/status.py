"""Status plan: meanings of the 16-bit pre-coded status values (PROTOCOLS.md §1.7).

The value ranges are fixed by the standard: 0x0000 is emergency, 0x7C00–0x7FFF are SDS-TL short
reports, 0x8000–0xFFFF are network/user specific, the rest is reserved. The meanings of the user
values are a network decision, so the plan is configuration: build it from a mapping or a TOML
file with :meth:`StatusPlan.from_mapping` / :meth:`StatusPlan.from_toml`.

Default plan (:data:`DEFAULT_STATUS_PLAN`), aligned with the console's unit status list:

Value   key             label                          label_zh
------  --------------  -----------------------------  ------------
0x0000  emergency       Emergency (fixed by standard)  紧急求助
0x8001  available       Available                      空闲待命
0x8002  dispatched      Dispatched (acknowledged)      已接令
0x8003  en_route        En route                       出警途中
0x8004  on_scene        On scene / inspecting          到场检查
0x8005  clearing        Clearing                       处置完毕
0x8006  out_of_service  Out of service                 暂停服务
0x8007  off_duty        Off duty                       下班
0x8010  request_call    Request to talk                请求通话
0x8011  need_support    Need support                   请求支援
0x8020  acknowledge     Acknowledged (control room)    收到
0x8021  call_control    Call the control room          请联系指挥中心

The unit-state keys (off_duty … out_of_service, emergency) are the names of the console's one
unit status list; request_call, need_support, acknowledge and call_control are messages, not
states.

TOML form (a table named ``status`` or the top level, keys in decimal or ``0x`` hex)::

    [status]
    0x8001 = "available"                      # a key alone: label = key
    0x8003 = { key = "en_route", label = "En route", label_zh = "出警途中" }
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_STATUS_PLAN",
    "EMERGENCY",
    "StatusMeaning",
    "StatusPlan",
    "classify",
]

EMERGENCY = 0x0000


def classify(value: int) -> str:
    """Classify a 16-bit status value by the standard's ranges.

    Returns:
        ``"emergency"`` (0), ``"short_report"`` (0x7C00–0x7FFF), ``"user"`` (0x8000–0xFFFF) or
        ``"reserved"``.

    Raises:
        ValueError: If the value is not 0–65535.
    """
    if not 0 <= value <= 0xFFFF:
        raise ValueError(f"status value {value} is not 16 bits")
    if value == EMERGENCY:
        return "emergency"
    if 0x7C00 <= value <= 0x7FFF:
        return "short_report"
    if value >= 0x8000:
        return "user"
    return "reserved"


@dataclass(frozen=True, slots=True)
class StatusMeaning:
    """One entry of the plan.

    Attributes:
        value: The 16-bit status value.
        key: Stable machine name (matches the console's unit status names where applicable).
        label: English label.
        label_zh: Simplified Chinese label.
    """

    value: int
    key: str
    label: str
    label_zh: str = ""


class StatusPlan(Mapping[int, StatusMeaning]):
    """Immutable mapping of status values to meanings, with a reverse lookup by key."""

    def __init__(self, meanings: list[StatusMeaning] | tuple[StatusMeaning, ...]) -> None:
        """Create a plan.

        Raises:
            ValueError: For a value outside 16 bits, a value in the short-report range, or a
                duplicate value or key.
        """
        by_value: dict[int, StatusMeaning] = {}
        by_key: dict[str, StatusMeaning] = {}
        for m in meanings:
            if classify(m.value) == "short_report":
                raise ValueError(f"0x{m.value:04X} is in the SDS-TL short report range")
            if not m.key:
                raise ValueError(f"0x{m.value:04X}: empty key")
            if m.value in by_value or m.key in by_key:
                raise ValueError(f"duplicate status 0x{m.value:04X} / {m.key!r}")
            by_value[m.value] = m
            by_key[m.key] = m
        self._by_value = by_value
        self._by_key = by_key

    def __getitem__(self, value: int) -> StatusMeaning:
        """Return the meaning of ``value`` (KeyError if not in the plan)."""
        return self._by_value[value]

    def __iter__(self) -> Iterator[int]:
        """Iterate over the values in ascending order."""
        return iter(sorted(self._by_value))

    def __len__(self) -> int:
        """Number of entries."""
        return len(self._by_value)

    def lookup(self, value: int) -> StatusMeaning | None:
        """Return the meaning of ``value`` or None."""
        return self._by_value.get(value)

    def by_key(self, key: str) -> StatusMeaning | None:
        """Return the entry named ``key`` or None."""
        return self._by_key.get(key)

    def resolve(self, code: int | str) -> int:
        """Turn a status given as a number, a ``0x…`` string or a plan key into its value.

        Raises:
            ValueError: If the code is unknown or not a valid 16-bit status to send.
        """
        if isinstance(code, str):
            entry = self._by_key.get(code)
            if entry is not None:
                return entry.value
            try:
                value = int(code, 0)
            except ValueError:
                raise ValueError(f"unknown status {code!r}") from None
        else:
            value = code
        if classify(value) == "short_report":
            raise ValueError(f"0x{value:04X} is an SDS-TL short report, not a status")
        return value

    def describe(self, value: int) -> str:
        """Return a label for any value, e.g. ``"En route"`` or ``"status 0x8123"``."""
        entry = self._by_value.get(value)
        return entry.label if entry is not None else f"status 0x{value:04X}"

    def to_mapping(self) -> dict[str, dict[str, str]]:
        """Return the plan as a TOML/JSON-friendly mapping (keys are ``0x`` hex strings)."""
        return {
            f"0x{m.value:04X}": {"key": m.key, "label": m.label, "label_zh": m.label_zh}
            for m in (self._by_value[v] for v in self)
        }

    @classmethod
    def from_mapping(
        cls, mapping: Mapping[Any, Any], *, include_emergency: bool = True
    ) -> StatusPlan:
        """Build a plan from a mapping.

        Args:
            mapping: Keys are ints or strings (decimal or ``0x`` hex); values are a key string
                or a mapping with ``key`` and optional ``label``/``label_zh``.
            include_emergency: Add 0x0000 = emergency when the mapping does not define it.

        Raises:
            ValueError: For malformed entries.
        """
        meanings: list[StatusMeaning] = []
        for raw_value, spec in mapping.items():
            try:
                value = raw_value if isinstance(raw_value, int) else int(str(raw_value), 0)
            except ValueError:
                raise ValueError(f"status value {raw_value!r} is not a number") from None
            if isinstance(spec, str):
                meanings.append(StatusMeaning(value, spec, spec))
            elif isinstance(spec, Mapping):
                key = str(spec.get("key", ""))
                meanings.append(StatusMeaning(value, key, str(spec.get("label", key)),
                                              str(spec.get("label_zh", ""))))
            else:
                raise ValueError(f"status 0x{value:04X}: expected a string or a table")
        if include_emergency and all(m.value != EMERGENCY for m in meanings):
            meanings.insert(0, DEFAULT_STATUS_PLAN[EMERGENCY])
        return cls(meanings)

    @classmethod
    def from_toml(cls, source: str | Path) -> StatusPlan:
        """Build a plan from a TOML file path or TOML text (see the module docstring).

        Raises:
            ValueError: For TOML syntax errors or malformed entries.
            OSError: If the file cannot be read.
        """
        text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"status plan: {exc}") from exc
        table = data.get("status", data)
        if not isinstance(table, dict):
            raise ValueError("status plan: [status] must be a table")
        return cls.from_mapping(table)


DEFAULT_STATUS_PLAN = StatusPlan(
    [
        StatusMeaning(0x0000, "emergency", "Emergency", "紧急求助"),
        StatusMeaning(0x8001, "available", "Available", "空闲待命"),
        StatusMeaning(0x8002, "dispatched", "Dispatched (acknowledged)", "已接令"),
        StatusMeaning(0x8003, "en_route", "En route", "出警途中"),
        StatusMeaning(0x8004, "on_scene", "On scene / inspecting", "到场检查"),
        StatusMeaning(0x8005, "clearing", "Clearing", "处置完毕"),
        StatusMeaning(0x8006, "out_of_service", "Out of service", "暂停服务"),
        StatusMeaning(0x8007, "off_duty", "Off duty", "下班"),
        StatusMeaning(0x8010, "request_call", "Request to talk", "请求通话"),
        StatusMeaning(0x8011, "need_support", "Need support", "请求支援"),
        StatusMeaning(0x8020, "acknowledge", "Acknowledged (control room)", "收到"),
        StatusMeaning(0x8021, "call_control", "Call the control room", "请联系指挥中心"),
    ]
)
