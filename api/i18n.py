"""Page language: the signed-in user's choice, then ?lang=, the `lang` cookie, the browser's
Accept-Language. Flask-Babel serves the templates' `_()` from the same catalogue as core.i18n,
and each request sets core.i18n's language so domain texts come out in the page's language."""
from __future__ import annotations

from flask import Flask, g, has_request_context, request
from flask_babel import Domain
from flask_login import current_user

from api.labels import label
from core import i18n
from dispatch.intake.reasons import REASON_TEXTS, explain
from dispatch.jobs import reasons as stored_reasons

SUPPORTED = ("en", "zh")  # the short codes of ?lang= and the `lang` cookie


class CatalogueDomain(Domain):
    """Flask-Babel's translations come from core.i18n's in-memory catalogue, not from .mo files."""

    def get_translations(self):
        return i18n.translations(babel_locale())


def select_locale() -> str:
    """'en' or 'zh'."""
    if getattr(current_user, "is_authenticated", False) and getattr(current_user, "locale", None):
        return "zh" if i18n.normalise(current_user.locale) == "zh_CN" else "en"
    asked = request.args.get("lang") or request.cookies.get("lang")
    if asked in SUPPORTED:
        return asked
    return request.accept_languages.best_match(SUPPORTED, default="en")


def current_locale() -> str:
    if not has_request_context():
        return "en" if i18n.current_locale() == "en" else "zh"
    if "locale" not in g:
        g.locale = select_locale()
    return g.locale


def babel_locale() -> str:
    """The catalogue locale ('en' or 'zh_CN') of this request."""
    return "zh_CN" if current_locale() == "zh" else "en"


def init_app(app: Flask) -> None:
    @app.before_request
    def _translate_domain_texts_in_page_language():
        i18n.set_locale(babel_locale())

    @app.teardown_request
    def _back_to_the_default_language(_error=None):
        # A worker thread serves the next request, or runs other work, in no one's language.
        i18n.set_locale(None)


def entitlement_reason(code: str, facts: dict, fallback: str) -> str:
    """The entitlement's reason in the page's language; the stored English text if the code is unknown."""
    return explain(code, facts) if code in REASON_TEXTS else fallback


def stored_reason(code: str | None, facts: dict | None, fallback: str) -> str:
    """A stored reason (a dispatch note, an escalation's reason, a system event's note) in the page's
    language; the stored English text when the row has no code (written before codes were stored)."""
    return stored_reasons.explain(code, facts, fallback, names={"skill": lambda skill: label("skill", skill),
                                                                   "category": lambda value: label("category", value)})
