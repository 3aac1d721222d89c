"""What no request may carry, refused before any view runs: text with NUL or other control
characters (in the query, a form, the path or a JSON body), JSON nested too deep, ids in the path and
page numbers past the database's integer range (numbers in bodies are bounded by api.schemas.Integer).

A text or number that cannot be accepted is a field message, so it is a 422 like every schema
refusal; a body too deep to parse is a malformed request, a 400. Both use the one error shape on the
API and a readable page elsewhere; nothing is written."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from api.errors import ApiError
from core.limits import DB_INT_MAX, has_control_characters

# Deeper than any body the API accepts; Python's JSON parser would fail with RecursionError
# (a 500) at about a thousand levels.
MAX_JSON_DEPTH = 32
PAGINATION_PARAMETERS = ("page", "page_size")


def _control_message() -> str:
    return _("Contains a control character (such as NUL) that text may not hold.")


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:...>` in a URL only matches ids the database can hold; a larger one is a plain 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def json_depth_exceeds(raw: bytes, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than `limit`: checked on the bytes, before
    parsing, so a hostile body never reaches the recursive parser."""
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _walk(value, path: str, problems: dict[str, list[str]]) -> None:
    if isinstance(value, str):
        if has_control_characters(value):
            problems.setdefault(path or "_body", []).append(_control_message())
    elif isinstance(value, dict):
        for key, item in value.items():
            if has_control_characters(key):
                problems.setdefault(path or "_body", []).append(_control_message())
            _walk(item, f"{path}.{key}" if path else key, problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}.{index}" if path else str(index), problems)


def _multidict_problems(values) -> dict[str, list[str]]:
    return {key: [_control_message()] for key, value in values.items(multi=True)
            if has_control_characters(key) or (isinstance(value, str) and has_control_characters(value))}


def _page_problems(args) -> dict[str, list[str]]:
    """flask-smorest's pagination takes any page number; an offset past the database's range fails
    in the database, so these two are bounded here."""
    problems = {}
    for name in PAGINATION_PARAMETERS:
        value = args.get(name, "").strip()
        if value.lstrip("+-").isascii() and value.lstrip("+-").isdigit() and abs(int(value)) > DB_INT_MAX:
            problems[name] = [_("Must be at most %(limit)s.", limit=DB_INT_MAX)]
    return problems


def allows_request_bytes(limit: int):
    """A view that takes a larger body than the app's limit (a signature drawn on a phone): the limit is
    raised here, before this guard (or the CSRF check) reads the body, and only for that view."""
    def mark(view):
        view.max_request_bytes = limit
        return view

    return mark


def check_request() -> None:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if (limit := getattr(view, "max_request_bytes", None)) is not None:
        request.max_content_length = limit
    errors: dict[str, dict[str, list[str]]] = {}
    if problems := _multidict_problems(request.args):
        errors["query"] = problems
    elif problems := _page_problems(request.args):
        raise ApiError(422, _("Some fields are not valid: %(fields)s.", fields=", ".join(sorted(problems))),
                       {"query": problems})
    if request.view_args and (problems := {k: [_control_message()] for k, v in request.view_args.items()
                                           if isinstance(v, str) and has_control_characters(v)}):
        errors["path"] = problems
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if problems := _multidict_problems(request.form):
            errors["form"] = problems
    if request.is_json:
        raw = request.get_data(cache=True)
        if json_depth_exceeds(raw, MAX_JSON_DEPTH):
            raise ApiError(400, _("The JSON body is nested more than %(limit)s levels deep.", limit=MAX_JSON_DEPTH))
        body = request.get_json(silent=True)  # malformed JSON: flask-smorest answers with its own 400
        problems: dict[str, list[str]] = {}
        _walk(body, "", problems)
        if problems:
            errors["json"] = problems
    if errors:
        fields = sorted({name for location in errors.values() for name in location})
        raise ApiError(422, _("Some fields hold text or numbers that cannot be accepted: %(fields)s.",
                              fields=", ".join(fields)), errors)


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered: the converter applies to the rules as they are added."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.before_request(check_request)
