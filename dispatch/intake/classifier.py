"""Rule-based fault classifier for Chinese and English report text.

Rules are keyword lists with weights, so an agent can read why a report was put where it was, and
the confidence says when a person should look again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from dispatch.intake.faults import detect_component
from dispatch.jobs.models import JobCategory, Priority

# (keyword, weight). English keywords match whole words/phrases; Chinese ones match as substrings.
CATEGORY_RULES: dict[JobCategory, list[tuple[str, float]]] = {
    JobCategory.QUALITY_DEFECT: [
        ("broken", 2), ("not working", 3), ("doesn't work", 3), ("does not work", 3), ("won't start", 3),
        ("wont start", 3), ("stopped working", 3), ("not cooling", 3), ("no cooling", 3), ("not heating", 3),
        ("leak", 2), ("leaking", 2), ("noise", 2), ("noisy", 2), ("error code", 3), ("error", 1),
        ("fault", 1), ("faulty", 2), ("smoke", 3), ("burning", 3), ("sparks", 3), ("trips", 2),
        ("not spinning", 3), ("won't drain", 3), ("not draining", 3), ("cracked", 2), ("dead", 2),
        ("no power", 3), ("overheating", 3), ("vibrates", 2), ("flickering", 2), ("warm", 2), ("clicks", 2),
        ("clicking", 2), ("rattling", 2), ("smells", 2), ("not cold", 3), ("too hot", 2), ("frozen", 1),
        ("坏了", 3), ("故障", 2), ("不制冷", 3), ("不制热", 3), ("不加热", 3), ("漏水", 3), ("漏电", 3),
        ("噪音", 2), ("异响", 3), ("响声", 2), ("不工作", 3), ("不启动", 3), ("开不了机", 3), ("不转", 3),
        ("不排水", 3), ("冒烟", 3), ("烧焦", 3), ("跳闸", 3), ("报错", 2), ("显示e", 2), ("失灵", 3),
        ("不出水", 3), ("不亮", 2), ("黑屏", 3), ("震动", 2), ("裂", 2), ("不通电", 3),
    ],
    JobCategory.USAGE_QUESTION: [
        ("how to", 3), ("how do i", 3), ("how can i", 3), ("how does", 2), ("what does", 2),
        ("manual", 2), ("setting", 2), ("settings", 2), ("set the", 2), ("instructions", 2),
        ("is it normal", 3), ("question", 2), ("mean", 1), ("which program", 2), ("clean the", 2),
        ("怎么", 3), ("如何", 3), ("怎样", 3), ("设置", 2), ("使用方法", 3), ("说明书", 3), ("请问", 2),
        ("是什么意思", 3), ("正常吗", 3), ("咨询", 2), ("清洗", 1), ("遥控器", 1), ("模式", 1),
    ],
    JobCategory.RETURN_EXCHANGE: [
        ("return", 3), ("refund", 3), ("exchange", 3), ("replace the unit", 3), ("replacement unit", 3),
        ("send it back", 3), ("money back", 3), ("wrong model", 3), ("wrong item", 3), ("damaged on arrival", 3),
        ("arrived damaged", 3), ("dead on arrival", 3),
        ("退货", 3), ("退款", 3), ("换货", 3), ("换新", 3), ("退换", 3), ("换一台", 3), ("发错", 3),
        ("到货破损", 3), ("收到就坏", 3),
    ],
    JobCategory.INSTALLATION: [
        ("install", 3), ("installation", 3), ("installed", 2), ("mount", 2), ("mounting", 2),
        ("set up", 2), ("setup", 2), ("relocate", 3), ("move the unit", 3), ("uninstall", 3),
        ("connect the water", 2), ("hook up", 2), ("delivery", 1),
        ("安装", 3), ("移机", 3), ("拆机", 3), ("装机", 3), ("上门安装", 3), ("挂墙", 2), ("打孔", 2),
        ("接水管", 2), ("调试", 2),
    ],
}

URGENT_WORDS = ["smoke", "fire", "burning", "sparks", "electric shock", "gas smell", "smell of gas",
                "冒烟", "着火", "起火", "烧焦", "漏电", "触电", "燃气", "煤气", "火花"]
HIGH_WORDS = ["leak", "leaking", "flood", "flooding", "water everywhere", "no heating", "no power",
              "漏水", "淹", "水漫", "不制热", "断电", "不通电"]

# Below this a person should confirm the category; the agent pages flag such jobs.
REVIEW_THRESHOLD = 0.5


@dataclass(frozen=True)
class Classification:
    category: JobCategory
    confidence: float
    matched: tuple[str, ...]
    priority: Priority
    priority_reason: str
    # The component the report names (dispatch.intake.faults), for per-component warranty terms.
    component: str | None = None

    @property
    def needs_review(self) -> bool:
        return self.confidence < REVIEW_THRESHOLD


def _is_cjk(word: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in word)


def _boundary_pattern(word: str):
    if _is_cjk(word):
        return None  # Chinese has no spaces between words: a substring is a match
    return re.compile(r"(?<![a-z])" + re.escape(word) + r"(?![a-z])")


# Compiled once: a fast substring test first, the word-boundary check only for the few that occur.
_PATTERNS = {w: _boundary_pattern(w) for rules in CATEGORY_RULES.values() for w, _ in rules}
_PATTERNS.update({w: _boundary_pattern(w) for w in URGENT_WORDS + HIGH_WORDS})


def _contains(text: str, word: str) -> bool:
    if word not in text:
        return False
    pattern = _PATTERNS[word]
    return pattern is None or pattern.search(text) is not None


def _find(text: str, words) -> list[str]:
    return [w for w in words if _contains(text, w)]


def classify(text: str) -> Classification:
    normalized = " ".join(text.lower().replace("’", "'").split())
    scores: dict[JobCategory, float] = {}
    matched: dict[JobCategory, list[str]] = {}
    for category, rules in CATEGORY_RULES.items():
        hits = [(w, weight) for w, weight in rules if _contains(normalized, w)]
        scores[category] = sum(weight for _, weight in hits)
        matched[category] = [w for w, _ in hits]

    total = sum(scores.values())
    if total == 0:
        # Nothing recognised: most unexplained reports are defects, but say we are unsure.
        category, confidence = JobCategory.QUALITY_DEFECT, 0.25
    else:
        category = max(scores, key=lambda c: (scores[c], c == JobCategory.QUALITY_DEFECT))
        share = scores[category] / total
        # One weak keyword is not certainty even when it is the only one.
        strength = min(1.0, scores[category] / 3)
        confidence = round(share * strength, 2)

    priority, reason = _priority(normalized, category)
    return Classification(category, confidence, tuple(matched[category]), priority, reason,
                          detect_component(text))


def _priority(text: str, category: JobCategory) -> tuple[Priority, str]:
    if hits := _find(text, URGENT_WORDS):
        return Priority.URGENT, f"safety risk mentioned: {', '.join(hits)}"
    if hits := _find(text, HIGH_WORDS):
        return Priority.HIGH, f"damage risk mentioned: {', '.join(hits)}"
    if category == JobCategory.USAGE_QUESTION:
        return Priority.LOW, "usage question, usually answered remotely"
    return Priority.NORMAL, "no risk words found"
