"""Content rules files: the bundled set, validation, and fuzzing of the parser."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.analysis.rules import (
    CATEGORIES,
    DEFAULT_RULES,
    RulesError,
    category_label,
    load_rules,
    parse_rules,
)


def test_bundled_rules_load_and_cite_the_regulation() -> None:
    rules = load_rules()
    assert rules.source == str(DEFAULT_RULES)
    assert "营业性演出管理条例" in rules.legal_basis
    assert len(rules.rules) >= 15
    assert {r.category for r in rules.rules} >= {1, 2, 3, 4, 5, 6, 7, 10}
    assert any(r.tag == "赌博" for r in rules.rules)
    assert any(r.tag == "低俗" for r in rules.rules)
    assert rules.for_language("en") and all(r.language == "en" for r in rules.for_language("en"))


def test_categories_are_the_ten_of_the_regulation() -> None:
    assert sorted(CATEGORIES) == list(range(1, 11))
    assert category_label(6) == "第6项：宣扬淫秽、色情、邪教、迷信或者渲染暴力"
    assert category_label(0).startswith("剧本偏离")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("""
format = 1
[[rule]]
id = "a"
category = 11
terms = ["x"]
[[rule]]
id = "b"
category = 6
patterns = ["(unclosed"]
[[rule]]
id = "a"
category = 6
terms = ["y"]
[[rule]]
id = "c"
category = 6
weight = 3
colour = "red"
""", encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(bad)
    text = str(err.value)
    assert str(bad) in text
    assert "rule a: category must be a number 1–10, got 11" in text
    assert "rule b: pattern '(unclosed' is not a valid regular expression" in text
    assert "rule a: duplicate id" in text
    assert "rule c: weight must be a number in (0, 1]" in text
    assert "rule c: unknown key(s) colour" in text
    assert "rule c: needs at least one term or pattern" in text


def test_unreadable_and_wrong_format_files(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "none.toml")
    with pytest.raises(RulesError, match="format: must be 1"):
        parse_rules('format = 2\n[[rule]]\nid="x"\ncategory=1\nterms=["a"]\n')
    with pytest.raises(RulesError, match="not valid TOML"):
        parse_rules("format = = 1")


@given(st.text(max_size=300))
def test_any_text_is_rules_or_a_rules_error(text: str) -> None:
    with contextlib.suppress(RulesError):
        parse_rules(text)


@given(st.dictionaries(st.sampled_from(["id", "category", "tag", "terms", "patterns", "weight",
                                        "match", "language", "note", "extra"]),
                       st.one_of(st.integers(-3, 12), st.text(max_size=8), st.booleans(),
                                 st.lists(st.text(max_size=6), max_size=3), st.floats())))
def test_any_rule_table_is_a_rule_or_a_rules_error(rule: dict[str, object]) -> None:
    import tomli_w

    try:
        text = tomli_w.dumps({"format": 1, "rule": [rule]})
    except (TypeError, ValueError):
        return  # not representable in TOML
    try:
        parsed = parse_rules(text)
    except RulesError:
        return
    (r,) = parsed.rules
    assert 1 <= r.category <= 10 and 0 < r.weight <= 1 and (r.terms or r.patterns)
