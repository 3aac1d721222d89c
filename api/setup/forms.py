"""Reading a set-up form into what the API's schema takes, and its refusals into one readable,
translated message per field."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from api.setup.schemas import translated
from core.i18n import gettext as _

_WHOLE_NUMBER = re.compile(r"^[+-]?[0-9]{1,12}$")
MAX_ROWS = 50  # rows of a repeated group (component terms, a supplier's parts) a form may send


@dataclass(frozen=True)
class Input:
    """One input of a set-up form. kind: text, number, decimal, date, select, check, choices (several
    checkboxes), rows (a repeated group of sub-inputs)."""

    name: str
    label: Any  # a lazy_gettext text
    kind: str = "text"
    required: bool = False
    hint: Any = None
    options: Callable[[], list[tuple[str, Any]]] | None = None  # (value, label) for select and choices
    columns: tuple[Input, ...] = ()  # sub-inputs of a rows group
    max_length: int | None = None
    edit_only_readable: bool = False  # the natural key: shown, not changed, when editing
    whole_number: bool = False  # a select whose values are whole numbers (a skill level)
    extra: dict = field(default_factory=dict)


def _value(item: Input, raw: str) -> Any:
    if (item.kind == "number" or item.whole_number) and _WHOLE_NUMBER.match(raw):
        return int(raw)  # typed as text; the strict schema refuses anything that is not a whole number
    return raw


def form_values(inputs: list[Input], form: MultiDict) -> dict[str, Any]:
    """What the page shows back: the text as typed, lists for choices and rows."""
    shown: dict[str, Any] = {}
    for item in inputs:
        if item.kind == "choices":
            shown[item.name] = form.getlist(item.name)[:500]
        elif item.kind == "rows":
            columns = [form.getlist(f"{item.name}.{column.name}")[:MAX_ROWS] for column in item.columns]
            rows = [dict(zip([c.name for c in item.columns], values)) for values in zip(*columns)]
            shown[item.name] = [row for row in rows if any(v.strip() for v in row.values())]
        elif item.kind == "check":
            shown[item.name] = form.get(item.name) in ("on", "true", "1")
        else:
            shown[item.name] = form.get(item.name, "")
    return shown


def schema_input(inputs: list[Input], shown: dict[str, Any]) -> dict[str, Any]:
    """The schema's input from what was typed: blanks are not given (so an optional field gets its
    default, and a cleared one goes back to it)."""
    raw: dict[str, Any] = {}
    for item in inputs:
        value = shown[item.name]
        if item.kind in ("check", "choices"):
            raw[item.name] = value
        elif item.kind == "rows":
            raw[item.name] = [{column.name: _value(column, row.get(column.name, "").strip())
                               for column in item.columns if row.get(column.name, "").strip()} for row in value]
        elif value.strip():
            raw[item.name] = _value(item, value.strip())
        elif item.kind == "select" and not item.required:
            raw[item.name] = None  # "any" / "none" chosen
    return raw


def load(schema: ma.Schema, inputs: list[Input], shown: dict[str, Any]) -> tuple[dict, dict[str, str]]:
    try:
        return schema.load(schema_input(inputs, shown), unknown=ma.EXCLUDE), {}
    except ma.ValidationError as error:
        return {}, {name: _sentence(messages) for name, messages in error.normalized_messages().items()}


def _sentence(messages: Any) -> str:
    """Nested messages (a row of a group) flattened to one line, each part translated."""
    if isinstance(messages, dict):
        parts = []
        for key, inner in messages.items():
            text = _sentence(inner)
            parts.append(_("Row %(n)s: %(text)s", n=key + 1, text=text) if isinstance(key, int) else text)
        return " ".join(parts)
    if isinstance(messages, (list, tuple)):
        return " ".join(_sentence(message) for message in messages)
    return translated(str(messages))
