"""Comparison with the approved script: unscripted passages and script sentences not performed."""

from __future__ import annotations

from app.analysis.engine import analyze
from app.analysis.rules import load_rules
from app.analysis.script import compare_script, sound_units, split_sentences
from app.speech.synth import ZH_LINES
from app.speech.transcript import TranscriptLine as L

SCRIPT = "\n".join(ZH_LINES)
AD_LIB = ["下面我临时加一段，说说隔壁老王家的事情", "老王昨天晚上喝多了酒在马路上唱歌",
          "警察叔叔把他送回了家里还批评了他一顿"]


def _lines(texts: list[str], start: float = 0.0, each: float = 4.0) -> list[L]:
    return [L(start + i * each, start + (i + 1) * each, t) for i, t in enumerate(texts)]


def test_a_performance_that_follows_the_script_has_no_deviation() -> None:
    comparison = compare_script(_lines(list(ZH_LINES[:12])), SCRIPT)
    assert comparison.deviations == []
    assert comparison.scripted_share == 1.0
    assert 0.3 < comparison.script_coverage < 0.5  # 12 of 33 sentences performed


def test_recognition_errors_that_keep_the_sound_are_not_deviations() -> None:
    # what the base model made of espeak's reading of the first lines
    heard = ["大压毫，今天我给大压毫一段相声", "我这个人啊，从小就喜欢听戏",
             "有一天我去公园散步，遇到了一位老先生", "老先生说，年轻人，你会唱京剧吗"]
    assert compare_script(_lines(heard), SCRIPT).deviations == []


def test_an_ad_lib_passage_is_found_with_its_time_range() -> None:
    texts = [*ZH_LINES[:5], *AD_LIB, *ZH_LINES[5:9]]
    comparison = compare_script(_lines(texts), SCRIPT)
    (dev,) = comparison.deviations
    assert (dev.start_s, dev.end_s) == (20.0, 32.0)
    assert "老王" in dev.text
    assert dev.confidence >= 0.75


def test_deviations_become_category_zero_findings() -> None:
    texts = [*ZH_LINES[:5], *AD_LIB]
    result = analyze(_lines(texts), load_rules(), script=SCRIPT)
    (f,) = [f for f in result.findings if f.category_no == 0]
    assert f.rule_id == "script-deviation" and f.level == "unscripted"
    assert f.category_label.startswith("剧本偏离")
    assert result.script is not None
    assert "好了，今天就说到这儿，谢谢大家" in result.script.not_performed()


def test_sentences_and_sound_units() -> None:
    assert split_sentences("第一句。第二句！\n第三句？ a") == ["第一句", "第二句", "第三句"]
    assert sound_units("他说 OK 行") == ["da", "suo", "ok", "xin"]
