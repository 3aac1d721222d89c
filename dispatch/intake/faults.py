"""Which part of the appliance a fault report is about, read from its text in Chinese or English.

Two uses: a warranty policy may cover a component longer than the whole appliance (a compressor for
36 months), and the 三包 repeat-repair rule counts earlier repairs of *the same fault*. A report is
about a component when it names one; otherwise its symptom (not cooling, leaking, ...) stands for
the fault. Keywords only, like the classifier, so anyone can read why two reports were judged the same.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Component keys are what a warranty policy's per-component terms are written with
# (WarrantyPolicy.component_terms.component); the words are how customers name them.
COMPONENT_WORDS: dict[str, tuple[str, ...]] = {
    "compressor": ("compressor", "压缩机"),
    "motor": ("motor", "电机", "马达", "电动机"),
    "heating element": ("heating element", "heater element", "加热管", "发热管", "加热器", "发热丝"),
    "control board": ("control board", "main board", "mainboard", "circuit board", "pcb", "主板", "电脑板",
                      "控制板", "电路板"),
    "magnetron": ("magnetron", "磁控管"),
    "pump": ("drain pump", "water pump", "pump", "排水泵", "水泵"),
    "display": ("touch panel", "touch screen", "display panel", "显示屏", "触摸屏"),
    "fan": ("fan", "风扇", "风机"),
    "thermostat": ("thermostat", "temperature sensor", "温控器", "温控", "温度传感器"),
    "door seal": ("door seal", "door gasket", "gasket", "门封", "密封圈", "门胶条"),
}

SYMPTOM_WORDS: dict[str, tuple[str, ...]] = {
    "not cooling": ("not cooling", "no cooling", "not cold", "warm inside", "不制冷", "不冷", "制冷差"),
    "not heating": ("not heating", "no heating", "no hot water", "不制热", "不加热", "不热", "没有热水"),
    "leaking": ("leak", "leaking", "leaks", "漏水", "渗水"),
    "noise": ("noise", "noisy", "rattling", "clicking", "vibrates", "噪音", "异响", "响声", "震动"),
    "no power": ("no power", "won't start", "wont start", "dead", "won't turn on", "不通电", "开不了机", "不启动",
                 "黑屏"),
    "not draining": ("won't drain", "not draining", "不排水"),
    "not spinning": ("not spinning", "won't spin", "不转", "不脱水"),
    "error code": ("error code", "error", "报错", "故障码", "显示e"),
    "electrical": ("trips", "sparks", "smoke", "burning", "跳闸", "漏电", "冒烟", "烧焦"),
}


def _normalise_text(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _is_cjk(word: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in word)


def _matcher(word: str):
    if _is_cjk(word):
        return None  # Chinese has no spaces between words: a substring is a match
    return re.compile(r"(?<![a-z])" + re.escape(word) + r"(?![a-z])")


_PATTERNS = {w: _matcher(w) for table in (COMPONENT_WORDS, SYMPTOM_WORDS) for words in table.values() for w in words}


def _mentions(text: str, word: str) -> bool:
    if word not in text:
        return False
    pattern = _PATTERNS[word]
    return pattern is None or pattern.search(text) is not None


def _first(table: dict[str, tuple[str, ...]], text: str) -> str | None:
    # The earliest mention wins: "the fan is noisy since the compressor was replaced" is about the fan.
    found = [(min(text.find(w) for w in words if _mentions(text, w)), key)
             for key, words in table.items() if any(_mentions(text, w) for w in words)]
    return min(found)[1] if found else None


@dataclass(frozen=True)
class FaultArea:
    component: str | None  # a COMPONENT_WORDS key
    symptom: str | None  # a SYMPTOM_WORDS key

    @property
    def key(self) -> str | None:
        """What makes two reports "the same fault": the component, else the symptom; None: unknown."""
        if self.component:
            return f"component:{self.component}"
        return f"symptom:{self.symptom}" if self.symptom else None


def fault_area(text: str) -> FaultArea:
    normalised = _normalise_text(text)
    return FaultArea(_first(COMPONENT_WORDS, normalised), _first(SYMPTOM_WORDS, normalised))


def detect_component(text: str) -> str | None:
    return fault_area(text).component


def same_fault(one: str, other: str) -> bool:
    """Two report texts describe the same fault (never when either says too little to tell)."""
    key = fault_area(one).key
    return key is not None and key == fault_area(other).key
