"""Typed, versioned settings: a TOML file plus environment overrides, validated up front.

Every setting has a type, a default and (where needed) a validator. A bad value is refused
with the setting's dotted name, where it came from (file or environment variable) and why, and
all problems are reported together so an installer fixes them in one go. Unknown keys are
errors too (with a suggestion), because a misspelt key silently ignored is a misconfigured site.

Environment overrides: ``CEDC_<SECTION>__<KEY>``, e.g. ``CEDC_CONSOLE__JURISDICTION=110105``.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import socket
import tomllib
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from app.speech.settings import SpeechSettings
from models.jurisdiction import Jurisdiction

#: Version of the settings file format this program writes and understands.
SCHEMA_VERSION = 1
ENV_PREFIX = "CEDC_"


class SettingsError(ValueError):
    """One or more settings are invalid; ``problems`` lists each one readably."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid settings:\n  " + "\n  ".join(problems))


def _validate_jurisdiction(value: str) -> None:
    Jurisdiction.parse(value)


def _validate_level(value: str) -> None:
    if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")


def _validate_language(value: str) -> None:
    if value not in {"zh_CN", "en"}:
        raise ValueError("must be zh_CN or en")


def _positive(value: float) -> None:
    if value <= 0:
        raise ValueError("must be greater than 0")


def _port(value: int) -> None:
    if not 0 <= value <= 65535:
        raise ValueError("must be a TCP port number 0–65535 (0: any free port)")


def _tile_crs(value: str) -> None:
    if value not in {"wgs84", "gcj02"}:
        raise ValueError("must be wgs84 (天地图, CGCS2000) or gcj02 (AMap/Tencent tiles)")


def _parse_talkgroups(value: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        gssi, sep, name = item.partition(":")
        if not gssi.strip().isdigit():
            raise ValueError(f"talkgroup {item!r} must be GSSI:name")
        out.append((int(gssi), name.strip() if sep else gssi.strip()))
    return out


def _validate_talkgroups(value: str) -> None:
    _parse_talkgroups(value)


def _parse_talkgroup_districts(value: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        gssi, _sep, adcode = (p.strip() for p in item.partition(":"))
        if not gssi.isdigit():
            raise ValueError(f"{item!r} must be GSSI:adcode")
        if Jurisdiction.parse(adcode or "?").is_city:
            raise ValueError(f"{item!r}: a talkgroup of the whole city is simply not listed")
        out[int(gssi)] = adcode
    return out


def _validate_talkgroup_districts(value: str) -> None:
    _parse_talkgroup_districts(value)


def _parse_gssis(value: str) -> frozenset[int]:
    items = [part.strip() for part in value.split(",") if part.strip()]
    bad = [item for item in items if not item.isdigit()]
    if bad:
        raise ValueError(f"{', '.join(map(repr, bad))}: each must be a GSSI (digits)")
    return frozenset(int(item) for item in items)


def _validate_gssis(value: str) -> None:
    _parse_gssis(value)


def _setting(default: Any, doc: str, validator: Callable[[Any], None] | None = None) -> Any:
    return field(default=default, metadata={"doc": doc, "validator": validator})


@dataclass(frozen=True, slots=True)
class ConsoleSettings:
    """This workstation."""

    jurisdiction: str = _setting(
        "city", "'city' or a district adcode such as 110105; what this console sees and acts on",
        _validate_jurisdiction,
    )
    console_id: str = _setting("", "name of this console in the audit log (default: host name)")
    language: str = _setting("zh_CN", "user interface language: zh_CN or en", _validate_language)
    operator: str = _setting("dispatcher", "operator name recorded in the audit log until login")

    @property
    def jurisdiction_value(self) -> Jurisdiction:
        """The parsed jurisdiction."""
        return Jurisdiction.parse(self.jurisdiction)

    @property
    def console_name(self) -> str:
        """``console_id`` or the host name."""
        return self.console_id or socket.gethostname()


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """Where the data lives."""

    url: str = _setting(
        "", "SQLAlchemy URL: sqlite:///PATH or postgresql+psycopg://…; empty: a SQLite file in "
        "the user data directory",
    )


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    """Log file and format."""

    level: str = _setting("INFO", "DEBUG, INFO, WARNING or ERROR", _validate_level)
    json: bool = _setting(False, "write the log file as JSON lines (one object per record)")
    file: str = _setting("", "log file path; empty: console.log in the user log directory")
    max_bytes: int = _setting(10_000_000, "rotate the log file at this size", _positive)
    backups: int = _setting(5, "how many rotated log files to keep", _positive)


@dataclass(frozen=True, slots=True)
class MapSettings:
    """The one map (一张图)."""

    tick_hz: float = _setting(1.0, "live map updates per second (one batch per tick)", _positive)
    stale_after_s: float = _setting(120.0, "a unit with no fix for this long is shown faded",
                                    _positive)
    tile_url: str = _setting("", "intranet XYZ/WMTS tile URL template with {z}/{x}/{y}")
    tile_file: str = _setting("", "local MBTiles or PMTiles file")
    tile_crs: str = _setting("wgs84", "coordinate system of the tiles: wgs84 or gcj02", _tile_crs)


@dataclass(frozen=True, slots=True)
class RadioSettings:
    """The TETRA gateway radio on a serial port (PEI)."""

    port: str = _setting("", "pyserial URL: /dev/ttyUSB0, COM3, socket://host:port; empty: none")
    baud: int = _setting(9600, "serial baud rate", _positive)
    rtscts: bool = _setting(False, "hardware flow control")
    status_plan: str = _setting("", "TOML file mapping status codes to unit states; empty: "
                                "the built-in plan")
    talkgroups: str = _setting("9001:市级指挥调度组,9002:东部片区组,9003:西部片区组",
                               "talkgroups offered in the radio panel: GSSI:name, comma separated",
                               _validate_talkgroups)
    talkgroup_districts: str = _setting(
        "", "talkgroups that belong to one district: GSSI:adcode, comma separated (e.g. "
        "9105:110105); a district console neither offers nor shows calls and texts of another "
        "district's groups; unlisted groups are city-wide", _validate_talkgroup_districts)
    patched_talkgroups: str = _setting(
        "", "other districts' talkgroups patched into this district console: GSSI, comma "
        "separated; their calls and texts are shown here too", _validate_gssis)
    confirm_timeout_s: float = _setting(
        60.0, "an SDS the radio accepted but did not confirm as transmitted (+CMGS: n,4) within "
        "this many seconds is shown as unconfirmed", _positive)
    report_timeout_s: float = _setting(
        300.0, "a text to a radio whose delivery report does not come within this many seconds "
        "is shown as failed (texts to talkgroups ask for no report)", _positive)

    @property
    def talkgroup_list(self) -> list[tuple[int, str]]:
        """The talkgroups as (GSSI, name)."""
        return _parse_talkgroups(self.talkgroups)

    @property
    def talkgroup_district_map(self) -> dict[int, str]:
        """GSSI → district adcode of the district talkgroups."""
        return _parse_talkgroup_districts(self.talkgroup_districts)

    @property
    def patched_talkgroup_set(self) -> frozenset[int]:
        """GSSIs of other districts' talkgroups patched into this console."""
        return _parse_gssis(self.patched_talkgroups)


@dataclass(frozen=True, slots=True)
class TrackingSettings:
    """The JT/T 808 platform the vehicle terminals report to."""

    jt808_enabled: bool = _setting(False, "run the JT/T 808 server in this console")
    jt808_host: str = _setting("0.0.0.0", "address the JT/T 808 server listens on")
    jt808_port: int = _setting(6808, "TCP port of the JT/T 808 server", _port)
    accept_unknown_terminals: bool = _setting(
        False, "register terminals that are not in the database (otherwise rejected and logged)"
    )
    offline_after_s: float = _setting(180.0, "a vehicle with no report for this long is offline",
                                      _positive)


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    """Dispatch: duplicates, escalations, ETA calibration."""

    duplicate_window_hours: float = _setting(
        24.0, "an open incident of the same venue and category this recent is a likely "
        "duplicate", _positive)
    realert_after_min: float = _setting(
        5.0, "an escalation nobody acknowledged alerts again after this many minutes", _positive)
    stale_position_s: float = _setting(
        600.0, "a unit's position older than this is marked stale in recommendations",
        _positive)
    calibration_days: float = _setting(
        14.0, "days of the fleet's position history used to calibrate travel times", _positive)
    recalibrate_h: float = _setting(6.0, "recalibrate travel times every so many hours",
                                    _positive)


@dataclass(frozen=True, slots=True)
class Settings:
    """All settings of the console."""

    version: int = SCHEMA_VERSION
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    map: MapSettings = field(default_factory=MapSettings)
    radio: RadioSettings = field(default_factory=RadioSettings)
    tracking: TrackingSettings = field(default_factory=TrackingSettings)
    dispatch: DispatchSettings = field(default_factory=DispatchSettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)

    def replace(self, section: str, **changes: Any) -> Settings:
        """A copy with some keys of one section changed (validated like loaded values)."""
        current = getattr(self, section)
        merged = {**{f.name: getattr(current, f.name) for f in dataclasses.fields(current)},
                  **changes}
        raw = {section: merged}
        for f in dataclasses.fields(self):
            if f.name not in (section, "version"):
                sub = getattr(self, f.name)
                raw[f.name] = {g.name: getattr(sub, g.name) for g in dataclasses.fields(sub)}
        return _build(raw, {}, "replace()")


#: Migrations of older settings files: version → function returning the next version's dict.
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read ``path`` (if given and present), apply environment overrides, validate.

    Raises:
        SettingsError: listing every invalid, unknown or unparsable value.
    """
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    origin = "defaults"
    if path is not None and path.exists():
        origin = str(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError([f"{path}: not valid TOML: {exc}"]) from exc
        raw = _migrate(raw, origin)
    return _build(raw, env, origin)


def _migrate(raw: dict[str, Any], origin: str) -> dict[str, Any]:
    version = raw.get("version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise SettingsError([f"version: must be an integer ({origin})"])
    if version > SCHEMA_VERSION:
        raise SettingsError([
            f"version: the settings file is version {version}, written by a newer console; "
            f"this one understands up to {SCHEMA_VERSION} ({origin})"
        ])
    while version < SCHEMA_VERSION:
        raw = _MIGRATIONS[version](raw)
        version += 1
        raw["version"] = version
    return raw


def _build(raw: Mapping[str, Any], env: Mapping[str, str], origin: str) -> Settings:
    problems: list[str] = []
    sections: dict[str, Any] = {}
    section_types = {f.name: f for f in dataclasses.fields(Settings) if f.name != "version"}
    for key in raw:
        if key != "version" and key not in section_types:
            problems.append(_unknown(key, section_types, origin))
    env_values = _env_overrides(env, section_types, problems)
    for name, f in section_types.items():
        cls = f.default_factory
        assert isinstance(cls, type)
        given = raw.get(name, {})
        if not isinstance(given, Mapping):
            problems.append(f"{name}: must be a table ([{name}]) ({origin})")
            given = {}
        sections[name] = _build_section(name, cls, given, env_values.get(name, {}), origin,
                                        problems)
    if problems:
        raise SettingsError(problems)
    return Settings(**sections)


def _env_overrides(
    env: Mapping[str, str], sections: Mapping[str, Any], problems: list[str]
) -> dict[str, dict[str, tuple[str, str]]]:
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for var, value in env.items():
        if not var.startswith(ENV_PREFIX):
            continue
        rest = var[len(ENV_PREFIX):].lower()
        if "__" not in rest:
            continue  # e.g. CEDC_HOME: not a setting
        section, _, key = rest.partition("__")
        if section not in sections:
            problems.append(_unknown(section, sections, f"environment {var}"))
            continue
        out.setdefault(section, {})[key] = (value, var)
    return out


def _build_section(
    name: str,
    cls: type[Any],
    given: Mapping[str, Any],
    env_values: Mapping[str, tuple[str, str]],
    origin: str,
    problems: list[str],
) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for key in list(given) + list(env_values):
        if key not in fields:
            where = f"environment {env_values[key][1]}" if key in env_values else origin
            problems.append(_unknown(f"{name}.{key}", {f"{name}.{k}": 0 for k in fields}, where))
    for key, f in fields.items():
        typ = hints[key]
        if key in env_values:
            text, var = env_values[key]
            where = f"environment {var}"
            try:
                value = _from_text(text, typ)
            except ValueError as exc:
                problems.append(f"{name}.{key}: {exc} ({where})")
                continue
        elif key in given:
            where = origin
            value = given[key]
            if not _type_ok(value, typ):
                problems.append(
                    f"{name}.{key}: expected {_type_name(typ)}, got {value!r} ({where})"
                )
                continue
            if typ is float and isinstance(value, int):
                value = float(value)
        else:
            continue
        validator = f.metadata.get("validator")
        if validator is not None:
            try:
                validator(value)
            except ValueError as exc:
                problems.append(f"{name}.{key}: {exc}, got {value!r} ({where})")
                continue
        values[key] = value
    try:
        return cls(**values)
    except TypeError as exc:  # pragma: no cover - programming error
        problems.append(f"{name}: {exc}")
        return cls()


def _unknown(key: str, known: Mapping[str, Any], where: str) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"{key}: unknown setting{hint} ({where})"


def _type_ok(value: Any, typ: Any) -> bool:
    if typ is bool:
        return isinstance(value, bool)
    if typ is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if typ is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if typ is str:
        return isinstance(value, str)
    origin = get_origin(typ)
    if origin in (Union, types.UnionType):
        return any(_type_ok(value, t) for t in get_args(typ))
    return isinstance(value, typ)


def _type_name(typ: Any) -> str:
    return {bool: "true/false", int: "an integer", float: "a number", str: "a string"}.get(
        typ, str(typ)
    )


def _from_text(text: str, typ: Any) -> Any:
    if typ is str:
        return text
    if typ is bool:
        low = text.strip().lower()
        if low in {"1", "true", "yes", "on"}:
            return True
        if low in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"expected true/false, got {text!r}")
    if typ is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"expected an integer, got {text!r}") from None
    if typ is float:
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"expected a number, got {text!r}") from None
    raise ValueError(f"cannot be set from the environment ({typ})")  # pragma: no cover


def defaults_toml() -> str:
    """A documented settings file with every default, for installers to start from."""
    lines = [
        "# Settings of the cultural-market enforcement command console.",
        f"# Environment overrides: {ENV_PREFIX}<SECTION>__<KEY>=value",
        f"version = {SCHEMA_VERSION}",
    ]
    for f in dataclasses.fields(Settings):
        if f.name == "version":
            continue
        factory = f.default_factory
        assert isinstance(factory, type)
        section = factory()
        lines.append("")
        lines.append(f"[{f.name}]")
        for g in dataclasses.fields(section):
            lines.append(f"# {g.metadata.get('doc', '')}")
            lines.append(f"{g.name} = {_toml_value(getattr(section, g.name))}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)
