"""Reasons stored as a code with its facts and said in the reader's language: the machinery each
domain's catalogue of reason texts (inventory.reasons, dispatch.jobs.reasons) shares.

A fact may itself be a reason ({"code": ..., **facts}) or a list of them; it is explained in turn
(a list is joined with "; "); a reason of code "several" is its `reasons`, one after the other, and
one of code "listed" is its `items`, joined as words in a sentence are ("a, b").
A reason without a code ({"code": None, "text": ...}) is text a person
typed, shown as it was written; one that also has "text_zh" is a name given in both languages.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from core.i18n import current_locale, use_locale
from core.i18n import gettext as _

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
SEVERAL = "several"
LISTED = "listed"


def reason(code: str, **facts: Any) -> dict[str, Any]:
    """A reason as a fact of another reason: {"code": code, **facts}."""
    return {"code": code, **facts}


def typed(text: str) -> dict[str, Any]:
    """Text a person typed, as a fact of another reason: shown as written, in every language."""
    return {"code": None, "text": text}


def named(thing) -> dict[str, Any]:
    """The name of a thing named in both languages (a product model, a part) as a fact of a reason:
    shown in the reader's language, the English name where no Chinese one is given."""
    return {"code": None, "text": thing.name, "text_zh": getattr(thing, "name_zh", "") or ""}


def placeholders(texts: Mapping[str, str], code: str) -> set[str]:
    return set(_PLACEHOLDER.findall(texts[code]))


def explain(texts: Mapping[str, str], code: str | None, facts: Mapping | None = None, fallback: str = "",
            names: Mapping[str, Callable[[str], str]] | None = None) -> str:
    """The reason `code` of the catalogue `texts` with its `facts`, in the current language.

    `fallback` (the stored English text) is shown for a row without a code or with a code this
    version does not know. Stored facts outlive code changes, so a missing fact shows as "?".
    `names` turns a fact's value into the reader's words (the page passes the skill labels)."""
    names = names or {}

    def one(value: Mapping) -> str:
        text = value.get("text", "?")
        if value.get("text_zh") and current_locale() == "zh_CN":
            text = value["text_zh"]
        return explain(texts, value.get("code"), value, fallback=text, names=names)

    def joined(values: list, separator: str | None = None) -> str:
        return (separator or _("; ")).join(one(v) if isinstance(v, Mapping) else str(v) for v in values)

    if code == SEVERAL and isinstance((facts or {}).get("reasons"), list):
        return joined(facts["reasons"])
    if code == LISTED and isinstance((facts or {}).get("items"), list):
        return joined(facts["items"], _(", "))
    if not code or code not in texts:
        return fallback
    facts = dict(facts or {})

    values = {}
    for name in placeholders(texts, code):
        value = facts.get(name, "?")
        if isinstance(value, Mapping) and "code" in value:
            value = one(value)
        elif isinstance(value, list):
            value = joined(value)
        elif name in names:
            value = names[name](str(value))
        values[name] = value
    return _(texts[code], **values)


def english(texts: Mapping[str, str], code: str, facts: Mapping | None = None) -> str:
    """The English text of a reason, as stored beside its code."""
    with use_locale("en"):
        return explain(texts, code, facts)
