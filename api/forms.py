"""Validating page forms with the API's own schemas, so a rule is written once."""
from __future__ import annotations

import marshmallow as ma
from werkzeug.datastructures import MultiDict


def load_form(schema: ma.Schema, form: MultiDict, fields: list[str]) -> tuple[dict, dict[str, list[str]]]:
    """Returns (data, errors). Blank inputs count as not given; unknown inputs (the CSRF token,
    buttons) are ignored."""
    raw = {name: form.get(name, "").strip() for name in fields}
    raw = {name: value for name, value in raw.items() if value != ""}
    try:
        return schema.load(raw, unknown=ma.EXCLUDE), {}
    except ma.ValidationError as error:
        return {}, {field: list(messages) if isinstance(messages, list) else [str(messages)]
                    for field, messages in error.normalized_messages().items()}
