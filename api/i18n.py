"""Page language: the signed-in user's choice, then ?lang=, the `lang` cookie, the browser's
Accept-Language. Flask-Babel serves the templates' `_()` from the same catalogue as core.i18n,
and each request sets core.i18n's language so domain texts come out in the page's language."""
from __future__ import annotations

from flask import Flask, g, has_request_context, request
from flask_babel import Domain
from flask_login import current_user

from api.labels import has_label, label
from core import i18n

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


def entitlement_reason(code: str, facts: dict, fallback: str) -> str:
    """The entitlement's reason in the page's language; the stored English text if the code is unknown."""
    return label("why", code, **facts) if has_label("why", code) else fallback
