"""Page language: Chinese or English, following ?lang=, then the browser's Accept-Language."""
from __future__ import annotations

from flask import g, has_request_context, request

from api.messages import MESSAGES

SUPPORTED = ("en", "zh")


def select_locale() -> str:
    asked = request.args.get("lang") or request.cookies.get("lang")
    if asked in SUPPORTED:
        return asked
    return request.accept_languages.best_match(SUPPORTED, default="en")


def current_locale() -> str:
    if not has_request_context():
        return "en"
    if "locale" not in g:
        g.locale = select_locale()
    return g.locale


def t(key: str, default: str | None = None, **values) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        text = default if default is not None else key
    else:
        text = entry.get(current_locale()) or entry["en"]
    return text.format(**values) if values else text


def entitlement_reason(code: str, facts: dict, fallback: str) -> str:
    """The entitlement's reason in the page's language; the stored English text if the code is unknown."""
    return t(f"why.{code}", **facts) if f"why.{code}" in MESSAGES else fallback
