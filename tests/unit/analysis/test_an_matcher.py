"""Rule matching on Chinese text that survives recognition errors; English fuzzy matching."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.analysis.engine import analyze
from app.analysis.matcher import TextIndex, fold, readings, similarity
from app.analysis.rules import RuleSet, load_rules, parse_rules
from app.speech.synth import EN_LINES, ZH_LINES
from app.speech.transcript import TranscriptLine as L


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


def _find(rules: RuleSet, *lines: L, language: str = "zh") -> list[tuple[str, str, str]]:
    result = analyze(list(lines), rules, language=language)
    return [(f.rule_id, f.level, f.matched_text) for f in result.findings]


def test_exact_homophone_and_near_homophone_matches(rules: RuleSet) -> None:
    assert _find(rules, L(0, 4, "他们在后台赌博")) == [("c10-gambling", "exact", "赌博")]
    # the recogniser wrote other characters with the same sound
    assert _find(rules, L(0, 4, "他们在后台堵博")) == [("c10-gambling", "homophone", "堵博")]
    # ... or a confusable sound (b/p): 堵破 du-po for 赌博 du-bo
    assert _find(rules, L(0, 4, "他们在库台堵破")) == [("c10-gambling", "near-homophone",
                                                       "堵破")]
    # traditional characters from the model are matched as simplified
    assert _find(rules, L(0, 4, "這裡有人賭錢")) == [("c10-gambling", "exact", "赌钱")]


def test_confidence_falls_with_the_match_level(rules: RuleSet) -> None:
    confidences = [analyze([L(0, 4, text)], rules).findings[0].confidence
                   for text in ("赌博", "堵博", "堵破")]
    assert confidences[0] > confidences[1] > confidences[2]
    assert confidences[0] == pytest.approx(0.8)


def test_finding_time_range_lies_on_the_matched_words(rules: RuleSet) -> None:
    (f,) = analyze([L(10.0, 20.0, "一二三四五六七八赌博")], rules).findings
    assert f.category_no == 10 and f.tag == "赌博"
    assert 17.9 <= f.start_s < f.end_s <= 20.0
    assert f.quote == "一二三四五六七八赌博"
    assert "法律、行政法规禁止" in f.category_label


def test_a_term_split_across_two_lines_is_found(rules: RuleSet) -> None:
    (f,) = analyze([L(0, 2, "今天有人开始赌"), L(2, 4, "博了")], rules).findings
    assert f.matched_text == "赌博" and f.start_s < 2.0 < f.end_s


def test_patterns_and_other_categories(rules: RuleSet) -> None:
    found = _find(rules, L(0, 3, "他就是个骗子"), L(3, 6, "我们讲一个黄段子"),
                  L(6, 9, "这是分裂国家的言论"))
    assert ("c7-insult", "pattern", "他就是个骗子") in found
    assert ("c5-vulgar", "exact", "黄段子") in found
    assert ("c2-separatism", "exact", "分裂国家") in found


def test_repeated_hits_of_one_rule_close_together_are_one_finding(rules: RuleSet) -> None:
    result = analyze([L(0, 2, "赌博"), L(2, 4, "还是赌博"), L(60, 62, "又赌博")], rules)
    gambling = [f for f in result.findings if f.rule_id == "c10-gambling"]
    assert [(round(f.start_s), round(f.end_s)) for f in gambling] == [(0, 4), (61, 62)]


def test_clean_performances_raise_nothing(rules: RuleSet) -> None:
    lines = [L(i * 3.0, i * 3.0 + 3, text) for i, text in enumerate(ZH_LINES)]
    assert analyze(lines, rules).findings == []
    en = [L(i * 3.0, i * 3.0 + 3, text) for i, text in enumerate(EN_LINES)]
    assert analyze(en, rules, language="en").findings == []


def test_english_fuzzy_matching(rules: RuleSet) -> None:
    found = _find(rules, L(0, 5, "so plase yur bets now"), L(30, 35, "visit illegal casinos"),
                  language="en")
    assert found == [("en-gambling", "fuzzy", "plase yur bets"),
                     ("en-gambling", "fuzzy", "illegal casinos")]
    assert _find(rules, L(0, 5, "a lovely evening"), language="en") == []


def test_exact_rules_do_not_match_homophones() -> None:
    rs = parse_rules('format = 1\n[[rule]]\nid = "x"\ncategory = 6\nmatch = "exact"\n'
                     'terms = ["赌博"]\n')
    assert analyze([L(0, 1, "堵博")], rs).findings == []
    assert len(analyze([L(0, 1, "赌博")], rs).findings) == 1


def test_pinyin_helpers() -> None:
    assert "xing" in readings("行") and "hang" in readings("行")
    assert readings("a") == frozenset()
    assert fold("zhang") == fold("zang") == fold("cang")
    assert fold("ping") == fold("bin")
    assert similarity("casino", "casino") == 1.0
    assert 0.8 <= similarity("casinos", "casino") < 1.0


@given(st.lists(st.text(max_size=20), max_size=6))
def test_any_transcript_text_is_indexed_and_matched_without_error(texts: list[str]) -> None:
    lines = [L(i, i + 1.0, t) for i, t in enumerate(texts)]
    index = TextIndex(lines)
    for m in index.match_rules(load_rules().rules):
        assert 0 <= m.first <= m.last < len(index.units)
