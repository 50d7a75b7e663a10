"""Content rules: categories of 《营业性演出管理条例》 and the terms and patterns under them.

Rules are data (TOML, format documented in ``resources/rules/README.md``), validated on load:
every problem is reported with the rule's id and the file, all at once, and a bad file never
replaces good rules in a running console.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("app.analysis.rules")

RULES_DIR = Path(__file__).resolve().parents[2] / "resources" / "rules"
DEFAULT_RULES = RULES_DIR / "prohibited_content.toml"
FORMAT_VERSION = 1
MATCH_KINDS = ("exact", "pinyin", "fuzzy")

#: The ten categories (《营业性演出管理条例》, cited as Article 26 of the revised text).
CATEGORIES: dict[int, str] = {
    1: "反对宪法确定的基本原则",
    2: "危害国家统一、主权和领土完整，危害国家安全，或者损害国家荣誉和利益",
    3: "煽动民族仇恨、民族歧视，侵害民族风俗习惯，伤害民族感情，破坏民族团结，违反宗教政策",
    4: "扰乱社会秩序，破坏社会稳定",
    5: "危害社会公德或者民族优秀文化传统",
    6: "宣扬淫秽、色情、邪教、迷信或者渲染暴力",
    7: "侮辱或者诽谤他人，侵害他人合法权益",
    8: "表演方式恐怖、残忍，摧残演员身心健康",
    9: "利用人体缺陷或者以展示人体变异等方式招徕观众",
    10: "法律、行政法规禁止的其他情形",
}
#: Category 0: a passage that is not in the approved script (审批剧本/节目单).
UNSCRIPTED = 0
UNSCRIPTED_TEXT = "未经审批的演出内容（与审批剧本不符）"


class RulesError(ValueError):
    """A rules file is invalid; ``problems`` lists every problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"invalid rules file {source}:\n  " + "\n  ".join(problems))


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: terms (matched per ``match``) and regular expressions, under a category."""

    id: str
    category: int
    tag: str
    terms: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    weight: float
    match: str  # exact | pinyin | fuzzy
    language: str  # zh | en | any
    note: str = ""

    @property
    def category_text(self) -> str:
        """The category's legal text."""
        return category_text(self.category)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A validated set of rules and where it came from."""

    name: str
    source: str
    rules: tuple[Rule, ...]
    legal_basis: str = "《营业性演出管理条例》第二十六条"

    def for_language(self, language: str) -> list[Rule]:
        """Rules that apply to transcripts in ``language``."""
        return [r for r in self.rules if r.language in (language, "any")]


def category_text(number: int) -> str:
    """Legal text of a category (0: unscripted content)."""
    if number == UNSCRIPTED:
        return UNSCRIPTED_TEXT
    return CATEGORIES.get(number, f"第{number}项")


def category_label(number: int) -> str:
    """``第N项 text`` as printed in reports (0: the script deviation)."""
    if number == UNSCRIPTED:
        return "剧本偏离：" + UNSCRIPTED_TEXT
    return f"第{number}项：{category_text(number)}"


def load_rules(path: Path | None = None) -> RuleSet:
    """Load and validate a rules file (default: the bundled rules).

    Raises:
        RulesError: unreadable file or invalid content (every problem listed).
    """
    path = path or DEFAULT_RULES
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(str(path), [f"cannot read: {exc}"]) from exc
    return parse_rules(text, str(path))


def parse_rules(text: str, source: str = "<text>") -> RuleSet:
    """Parse rules from TOML text (see ``resources/rules/README.md``).

    Raises:
        RulesError: listing every problem.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(source, [f"not valid TOML: {exc}"]) from exc
    problems: list[str] = []
    fmt = data.get("format")
    if fmt != FORMAT_VERSION:
        problems.append(f"format: must be {FORMAT_VERSION}, got {fmt!r}")
    name = data.get("name", "")
    if not isinstance(name, str):
        problems.append("name: must be a string")
        name = ""
    basis = data.get("legal_basis", "《营业性演出管理条例》第二十六条")
    if not isinstance(basis, str):
        problems.append("legal_basis: must be a string")
        basis = ""
    default_lang = data.get("language", "zh")
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.append("rule: at least one [[rule]] table is required")
        raw_rules = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_rules):
        where = f"rule #{i + 1}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a table")
            continue
        rid = raw.get("id")
        if isinstance(rid, str):
            if rid in seen:
                problems.append(f"rule {rid}: duplicate id")
                continue
            seen.add(rid)
        rule = _parse_rule(raw, where, default_lang, problems)
        if rule is not None:
            rules.append(rule)
    if problems:
        raise RulesError(source, problems)
    log.info("loaded %d content rules from %s", len(rules), source)
    return RuleSet(name or Path(source).stem, source, tuple(rules), basis)


def _parse_rule(raw: dict[str, Any], where: str, default_lang: str,
                problems: list[str]) -> Rule | None:
    before = len(problems)
    rid = raw.get("id")
    if not isinstance(rid, str) or not re.fullmatch(r"[A-Za-z0-9_.-]{1,60}", rid):
        problems.append(f"{where}: id must be 1–60 letters, digits, '_', '.' or '-'")
        rid = where
    else:
        where = f"rule {rid}"
    category = raw.get("category")
    if not isinstance(category, int) or isinstance(category, bool) or category not in CATEGORIES:
        problems.append(f"{where}: category must be a number 1–10, got {category!r}")
        category = 10
    tag = raw.get("tag", "")
    if not isinstance(tag, str) or len(tag) > 40:
        problems.append(f"{where}: tag must be a string of at most 40 characters")
        tag = ""
    terms = raw.get("terms", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        problems.append(f"{where}: terms must be a list of non-empty strings")
        terms = []
    patterns: list[re.Pattern[str]] = []
    raw_patterns = raw.get("patterns", [])
    if not isinstance(raw_patterns, list):
        problems.append(f"{where}: patterns must be a list of regular expressions")
        raw_patterns = []
    for pat in raw_patterns:
        if not isinstance(pat, str) or not pat:
            problems.append(f"{where}: pattern {pat!r} must be a non-empty string")
            continue
        try:
            patterns.append(re.compile(pat))
        except re.error as exc:
            problems.append(f"{where}: pattern {pat!r} is not a valid regular expression: {exc}")
    if not terms and not patterns:
        problems.append(f"{where}: needs at least one term or pattern")
    weight = raw.get("weight", 0.8)
    if not isinstance(weight, int | float) or isinstance(weight, bool) \
            or not 0.0 < float(weight) <= 1.0:
        problems.append(f"{where}: weight must be a number in (0, 1], got {weight!r}")
        weight = 0.8
    match = raw.get("match", "pinyin")
    if match not in MATCH_KINDS:
        problems.append(f"{where}: match must be one of {', '.join(MATCH_KINDS)}, got {match!r}")
        match = "exact"
    language = raw.get("language", default_lang)
    if language not in ("zh", "en", "any"):
        problems.append(f"{where}: language must be zh, en or any, got {language!r}")
        language = "zh"
    note = raw.get("note", "")
    if not isinstance(note, str):
        problems.append(f"{where}: note must be a string")
        note = ""
    unknown = set(raw) - {"id", "category", "tag", "terms", "patterns", "weight", "match",
                          "language", "note"}
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if len(problems) > before:
        return None
    return Rule(rid, category, tag, tuple(t.strip() for t in terms), tuple(patterns),
                float(weight), match, language, note)
