"""Translation of every text meant for people, for the web pages (through Flask-Babel, see
api/i18n.py) and for code without Flask: domain reason texts, messages to customers, the CLI.

The catalogue is the set of `locales/zh_CN/*.po` files (English is the source language), compiled
in memory once per process. The language of the current unit of work (a request, a message being
rendered, a CLI command) is held in a context variable, so domain code translates without being
told who is asking.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

import locales

LOCALES = ("en", "zh_CN")
DEFAULT_LOCALE = "en"
CATALOGUE_DIR = Path(locales.__file__).parent

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


def normalise(locale: str | None) -> str | None:
    """'zh', 'zh-CN', 'zh_cn', 'zh-Hans' → 'zh_CN'; 'en-GB' → 'en'; anything else → None."""
    if not locale:
        return None
    lowered = locale.strip().replace("-", "_").lower()
    if lowered.startswith("zh"):
        return "zh_CN"
    if lowered.startswith("en"):
        return "en"
    return None


def catalogue_files(locale: str = "zh_CN") -> list[Path]:
    return sorted((CATALOGUE_DIR / locale).glob("*.po"))


def merged_catalogue(locale: str = "zh_CN") -> Catalog:
    """Every area's file in one catalogue; where two areas translate the same text, the first wins."""
    merged = Catalog(locale=locale, domain="messages")
    for path in catalogue_files(locale):
        with path.open("rb") as handle:
            part = read_po(handle, locale=locale)
        for message in part:
            if message.id and message.string and message.id not in merged:
                merged.add(message.id, message.string, context=message.context)
    return merged


@cache
def translations(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE or locale not in LOCALES:
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, merged_catalogue(locale))
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str | None) -> None:
    _current.set(normalise(locale) or DEFAULT_LOCALE)


@contextmanager
def use_locale(locale: str | None) -> Iterator[None]:
    """Translate in `locale` inside the block (a customer's message, a CLI run), then go back."""
    token = _current.set(normalise(locale) or DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **values) -> str:
    text = translations(current_locale()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values) -> str:
    text = translations(current_locale()).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def N_(message: str) -> str:
    """Marks a text for the catalogue where it is defined; it is translated where it is shown."""
    return message


def lazy_gettext(message: str, **values) -> LazyProxy:
    """A text translated when it is shown, in the language current then (for texts made at import)."""
    return LazyProxy(gettext, message, enable_cache=False, **values)


def in_language_of(person, message: str, **values) -> str:
    """A text stored for one person to read (a task, an alert): in the language they chose, else the current one."""
    with use_locale(getattr(person, "locale", None) or current_locale()):
        return gettext(message, **values)


def local_name(thing) -> str:
    """The name of a thing that has one in each language (a product model, a part: `name` and `name_zh`)
    in the current language; the English name where no Chinese one is given."""
    chinese = getattr(thing, "name_zh", "") if current_locale() == "zh_CN" else ""
    return chinese or thing.name


def in_both_languages(message: str, *, separator: str = "\n", **values) -> str:
    """English, then Chinese: for a customer whose language is not known (a printed label, a first text).
    A one-line text (an e-mail subject) takes a separator other than the newline."""
    texts = []
    for locale in LOCALES:
        with use_locale(locale):
            texts.append(gettext(message, **values))
    return texts[0] if texts[0] == texts[1] else separator.join(texts)


_ = gettext
