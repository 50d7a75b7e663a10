from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.settings import SCHEMA_VERSION, Settings, SettingsError, defaults_toml, load_settings


def test_defaults_without_a_file() -> None:
    s = load_settings(None, env={})
    assert s == Settings()
    assert s.console.jurisdiction == "city"
    assert s.console.language == "zh_CN"
    assert s.console.jurisdiction_value.is_city


def test_file_values_and_environment_overrides(tmp_path: Path) -> None:
    f = tmp_path / "s.toml"
    f.write_text('version = 1\n[console]\njurisdiction = "110105"\n[map]\ntick_hz = 2\n',
                 encoding="utf-8")
    s = load_settings(f, env={"CEDC_MAP__TICK_HZ": "0.5", "CEDC_RADIO__RTSCTS": "yes",
                              "CEDC_HOME": "/ignored", "OTHER": "x"})
    assert s.console.jurisdiction == "110105"
    assert s.map.tick_hz == 0.5  # environment wins over the file
    assert s.radio.rtscts is True


def test_every_problem_is_reported_at_once_with_its_origin(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(
        '[console]\njurisdiction = "110103"\njurisdction = "x"\n'
        '[map]\ntick_hz = "fast"\n[radi]\nport = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(SettingsError) as err:
        load_settings(f, env={"CEDC_TRACKING__JT808_PORT": "70000"})
    text = str(err.value)
    assert "console.jurisdiction" in text and "110103" in text
    assert "did you mean console.jurisdiction" in text
    assert "map.tick_hz: expected a number" in text
    assert "radi: unknown setting (did you mean radio?)" in text
    assert "tracking.jt808_port" in text and "CEDC_TRACKING__JT808_PORT" in text
    assert len(err.value.problems) == 5


def test_a_newer_settings_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "new.toml"
    f.write_text(f"version = {SCHEMA_VERSION + 1}\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="newer console"):
        load_settings(f, env={})


def test_broken_toml_is_a_settings_error(tmp_path: Path) -> None:
    f = tmp_path / "broken.toml"
    f.write_text("[console\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(f, env={})


def test_documented_defaults_file_loads_back_to_the_defaults(tmp_path: Path) -> None:
    f = tmp_path / "defaults.toml"
    f.write_text(defaults_toml(), encoding="utf-8")
    assert load_settings(f, env={}) == Settings()
    assert "# 'city' or a district adcode" in defaults_toml()


def test_replace_validates() -> None:
    s = Settings().replace("console", jurisdiction="110108")
    assert s.console.jurisdiction == "110108"
    with pytest.raises(SettingsError):
        Settings().replace("console", jurisdiction="nowhere")


_scalars = st.one_of(st.text(max_size=8), st.integers(), st.floats(allow_nan=False),
                     st.booleans())
_sections = st.sampled_from(["console", "database", "logging", "map", "radio", "tracking",
                             "other"])
_keys = st.sampled_from(["jurisdiction", "language", "url", "level", "json", "tick_hz", "port",
                         "baud", "jt808_port", "nonsense"])


@settings(max_examples=150)
@given(st.dictionaries(_sections, st.dictionaries(_keys, _scalars, max_size=4), max_size=4))
def test_any_settings_content_loads_or_raises_settings_error(
    raw: dict[str, dict[str, object]],
) -> None:
    import tomli_w

    text = tomli_w.dumps(raw)
    assert tomllib.loads(text) == raw
    from app import settings as mod

    try:
        s = mod._build(raw, {}, "test")
    except SettingsError as exc:
        assert exc.problems
    else:
        assert isinstance(s, Settings)
