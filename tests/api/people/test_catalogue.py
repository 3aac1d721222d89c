"""Every text of the people-and-places administration is in the catalogue, translated into Chinese with
the same placeholders (until the project-wide catalogue test covers every area)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from core.i18n import merged_catalogue

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [*sorted((ROOT / "api" / "templates").glob("people_*.html")), *sorted((ROOT / "api" / "people").glob("*.py")),
           ROOT / "core" / "password_policy.py", ROOT / "core" / "users.py", ROOT / "core" / "regions.py",
           ROOT / "dispatch" / "technicians" / "services.py"]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _texts(path: Path) -> list[str]:
    method = "jinja2.ext:babel_extract" if path.suffix == ".html" else "python"
    return [message for _line, message, _comments, _context in extract_from_file(method, str(path), keywords=KEYWORDS)
            if isinstance(message, str)]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_text_is_in_the_catalogue_with_a_translation(path):
    catalogue = merged_catalogue("zh_CN")
    texts = _texts(path)
    missing = [text for text in texts if text not in catalogue or not catalogue[text].string]
    assert not missing, f"untranslated in {path.name}: {missing}"


def test_the_people_catalogue_translates_every_entry_with_the_same_placeholders():
    with (ROOT / "locales" / "zh_CN" / "people.po").open("rb") as handle:
        catalogue = read_po(handle, locale="zh_CN")
    for message in catalogue:
        if not message.id:
            continue
        assert message.string, f"no translation for {message.id!r}"
        assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), message.id
