"""The `aftercare` command speaks the terminal's language: one place sets it for the whole run, and the
help texts (made at import, as msgids) are translated when click shows them."""
from __future__ import annotations

import os
import unicodedata

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

from core.i18n import N_, current_locale, gettext, translations, use_locale

# The POSIX order (LC_ALL overrides LC_MESSAGES overrides LANG), with our own variable first.
LANGUAGE_VARIABLES = ("AFTERCARE_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def terminal_locale() -> str | None:
    """'zh_CN.UTF-8' and the like from the environment; None when nothing is set (English)."""
    return next((os.environ[name] for name in LANGUAGE_VARIABLES if os.environ.get(name)), None)


def _translated(text):
    return gettext(text) if isinstance(text, str) and text else text


def _click_gettext(message: str) -> str:
    return translations(current_locale()).gettext(message)


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    # Each English form is a msgid of its own: Chinese has one form, and the catalogue keeps plain entries.
    return _click_gettext(singular if n == 1 else plural)


def width(text: str) -> int:
    """Columns on a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int, *, right: bool = False) -> str:
    fill = " " * max(columns - width(text), 0)
    return fill + text if right else text + fill


def _shortened(text: str, limit: int) -> str:
    """click shortens at a space, and Chinese has none: the first sentence, cut to the columns there are."""
    text = text.split("。")[0] + "。" if "。" in text else text
    if width(text) <= limit:
        return text
    while width(text) > limit - 3:
        text = text[:-1]
    return text + "..."


# click's own texts ("Usage:", "Missing option", "Show this message and exit.") go through the stdlib
# gettext, which reads compiled files from disk; pointed at our catalogue instead, they follow the
# language of the run like ours. Only click's msgids that an `aftercare` user meets are in cli.po; the
# others stay English.
for _module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui,
                click.types):
    if hasattr(_module, "_"):
        _module._ = _click_gettext
    if hasattr(_module, "ngettext"):
        _module.ngettext = _click_ngettext


# The names click gives a value's type, in usage (`--limit INTEGER RANGE`) and errors ("'x' is not a
# valid integer"): click sets them at import, as class attributes or in Path's __init__, so each type's
# `name` becomes a property that hands out the name in the language of the moment.
TYPE_NAMES = (N_("text"), N_("integer"), N_("integer range"), N_("float"), N_("float range"), N_("boolean"),
              N_("datetime"), N_("uuid"), N_("filename"), N_("file"), N_("directory"), N_("path"), N_("choice"))


def _name_in_current_language(english: str | None) -> property:
    def get(self):
        name = self.__dict__.get("_english_name", english)
        return _click_gettext(name) if name else name

    def set_(self, value) -> None:
        self.__dict__["_english_name"] = value

    return property(get, set_)


def _types(cls: type) -> list[type]:
    return [cls] + [sub for direct in cls.__subclasses__() for sub in _types(direct)]


for _type in _types(click.types.ParamType):
    if _type is click.types.ParamType or isinstance(_type.__dict__.get("name"), str):
        _type.name = _name_in_current_language(_type.__dict__.get("name"))


# click lines up the help's columns by the length of each term; a Chinese type name takes two columns
# a character, so the terms are measured in columns.
click.formatting.term_len = lambda text: width(click.termui.unstyle(text))


class _TranslatedHelp:
    """Keeps the English msgid click was given and hands click the text in the current language."""

    @property
    def help(self):
        return _translated(self._help)

    @help.setter
    def help(self, value) -> None:
        self._help = value

    @property
    def short_help(self):
        return _translated(self._short_help)

    @short_help.setter
    def short_help(self, value) -> None:
        self._short_help = value

    def get_short_help_str(self, limit: int = 45) -> str:
        text = super().get_short_help_str(limit)
        return text if width(text) == len(text) else _shortened(text, limit)

    def get_help_option(self, ctx: click.Context):
        # click makes the --help option once and keeps it, with its text in the language of that moment.
        help_option = super().get_help_option(ctx)
        if help_option is not None:
            help_option.help = _click_gettext("Show this message and exit.")
        return help_option


class Command(_TranslatedHelp, click.Command):
    pass


class Group(_TranslatedHelp, click.Group):
    """Every command and group under it translates its help; run as the top group, it sets the language
    before click parses anything, so `--help` and usage errors are in the terminal's language too."""

    command_class = Command
    group_class = type

    def main(self, *args, **kwargs):
        with use_locale(terminal_locale()):
            return super().main(*args, **kwargs)


class Option(click.Option):
    """An option whose help, shown default and prompts are msgids translated when shown."""

    @property
    def help(self):
        return _translated(self._help)

    @help.setter
    def help(self, value) -> None:
        self._help = value

    @property
    def show_default(self):
        return _translated(self._show_default)

    @show_default.setter
    def show_default(self, value) -> None:
        self._show_default = value

    @property
    def prompt(self):
        return _translated(self._prompt)

    @prompt.setter
    def prompt(self, value) -> None:
        self._prompt = value

    @property
    def confirmation_prompt(self):
        return _translated(self._confirmation_prompt)

    @confirmation_prompt.setter
    def confirmation_prompt(self, value) -> None:
        self._confirmation_prompt = value


def option(*param_decls: str, **attrs):
    return click.option(*param_decls, cls=Option, **attrs)


def password_option(*param_decls: str, **attrs):
    """click's password option, its prompts in the terminal's language."""
    attrs.setdefault("prompt", N_("Password"))
    attrs.setdefault("confirmation_prompt", N_("Repeat for confirmation"))
    return click.password_option(*param_decls, cls=Option, **attrs)
