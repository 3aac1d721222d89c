"""The admin pages' forms turned into the schemas' input: flat form fields (one row per weekday, a few
skill rows, days off one per line) become the same nested shape the JSON API takes, and the schemas'
nested error messages come back as one message per form field."""
from __future__ import annotations

import re

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from core.i18n import gettext as _

WEEKDAYS = range(7)
SKILL_ROWS = 6  # rows on the form; an admin who needs more saves and edits again
_WHOLE = re.compile(r"^[0-9]{1,9}$")
_NUMBER = re.compile(r"^-?[0-9]{1,7}(\.[0-9]{1,12})?$")


def weekday_names() -> list[str]:
    # Short, so a week of rows fits a form's width.
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def _value(form: MultiDict, name: str) -> str:
    return form.get(name, "").strip()


def _typed(text: str, pattern: re.Pattern, kind):
    """A number typed as text becomes a number; anything else stays text so the schema refuses it."""
    return kind(text) if pattern.match(text) else text


def scalar_fields(form: MultiDict, names: dict[str, str]) -> dict:
    """{field: kind} → the given fields, blank ones left out; kind is "text", "number", "whole" or "bool"."""
    raw: dict = {}
    for name, kind in names.items():
        text = _value(form, name)
        if kind == "bool":
            raw[name] = text in ("on", "true", "1")
        elif text == "" and kind == "nullable":
            raw[name] = None
        elif text != "":
            raw[name] = (_typed(text, _NUMBER, float) if kind == "number" else
                         _typed(text, _WHOLE, int) if kind == "whole" else text)
    return raw


def business_hours(form: MultiDict) -> tuple[list[dict], list[str]]:
    """(rows, the form field of each row): a weekday with neither time given is closed."""
    rows, keys = [], []
    for day in WEEKDAYS:
        opens, closes = _value(form, f"hours_{day}_opens"), _value(form, f"hours_{day}_closes")
        if opens or closes:
            rows.append({"weekday": day, **({"opens": opens} if opens else {}), **({"closes": closes} if closes else {})})
            keys.append(f"hours_{day}")
    return rows, keys


def shifts(form: MultiDict) -> tuple[list[dict], list[str]]:
    rows, keys = [], []
    for day in WEEKDAYS:
        start, end = _value(form, f"shift_{day}_start"), _value(form, f"shift_{day}_end")
        if not (start or end):
            continue
        row: dict = {"weekday": day, **({"start": start} if start else {}), **({"end": end} if end else {})}
        minutes = _value(form, f"shift_{day}_break")
        if minutes:
            row["break_minutes"] = _typed(minutes, _WHOLE, int)
            row["break_earliest"] = _value(form, f"shift_{day}_break_from") or None
            row["break_latest_end"] = _value(form, f"shift_{day}_break_to") or None
        rows.append(row)
        keys.append(f"shift_{day}")
    return rows, keys


def skills(form: MultiDict) -> tuple[list[dict], list[str]]:
    rows, keys = [], []
    for n in range(SKILL_ROWS):
        name = _value(form, f"skill_{n}_name")
        if not name:
            continue
        level, until = _value(form, f"skill_{n}_level"), _value(form, f"skill_{n}_until")
        rows.append({"skill": name, **({"level": _typed(level, _WHOLE, int)} if level else {}),
                     "certified_until": until or None})
        keys.append(f"skill_{n}")
    return rows, keys


def days_off(form: MultiDict) -> tuple[list[dict], list[str]]:
    """One per line: a date (YYYY-MM-DD), then optionally the reason."""
    rows = []
    for line in form.get("days_off", "").splitlines()[:500]:
        day, _sep, reason = line.strip().partition(" ")
        if day:
            rows.append({"day": day, "reason": reason.strip()})
    return rows, ["days_off"] * len(rows)


def load(schema: ma.Schema, raw: dict, row_keys: dict[str, list[str]]) -> tuple[dict, dict[str, str]]:
    """(data, errors by form field). A message about row i of a list goes to that row's form field."""
    try:
        return schema.load(raw), {}
    except ma.ValidationError as error:
        return {}, flatten(error.normalized_messages(), row_keys)


def flatten(messages: dict, row_keys: dict[str, list[str]]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, value in messages.items():
        if isinstance(value, dict) and name in row_keys:
            for index, row_messages in value.items():
                key = row_keys[name][int(index)] if str(index).isdigit() and int(index) < len(row_keys[name]) \
                    else name
                text = _join(row_messages)
                errors[key] = f"{errors[key]} {text}" if key in errors else text
        else:
            errors[name] = _join(value)
    return errors


def _labels() -> dict[str, str]:
    return {"opens": _("Opens"), "closes": _("Closes"), "start": _("Start"), "end": _("End"),
            "break_minutes": _("Break minutes"), "break_earliest": _("Break from"),
            "break_latest_end": _("Break until"), "skill": _("Skill"), "level": _("Level"),
            "certified_until": _("Certified until"), "day": _("Day"), "reason": _("Reason"),
            "weekday": _("Weekday")}


def _join(value) -> str:
    if isinstance(value, dict):
        labels = _labels()
        return " ".join(f"{labels.get(str(k), k)}: {_join(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(_join(v) for v in value)
    return str(value)
