"""Every text meant for people is in the catalogue, and every catalogue entry is translated.

The texts are found the way a translator's tool finds them: babel's extractors over the Python
sources (the gettext keywords) and the Jinja templates. A template's own text outside `_()` is
found by stripping the Jinja syntax and the markup and looking for words that are left.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from core import i18n

ROOT = Path(__file__).resolve().parents[1]
PYTHON_PACKAGES = ("api", "core", "dispatch", "inventory", "care", "fieldwork", "cli", "demo")
TEMPLATES = ROOT / "api" / "templates"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None,
            "lazy_ngettext": (1, 2), "in_both_languages": None, "in_language_of": (2,)}


def _extracted() -> dict[str, list[str]]:
    """msgid -> where it was found."""
    found: dict[str, list[str]] = {}
    for package in PYTHON_PACKAGES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
                ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS):
            for msgid in (message if isinstance(message, tuple) else (message,)):
                if msgid:
                    found.setdefault(msgid, []).append(f"{package}/{filename}:{lineno}")
    for filename, lineno, message, _comments, _context in extract_from_dir(
            TEMPLATES, method_map=[("**.html", "jinja2")], keywords=KEYWORDS,
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"}}):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            if msgid:
                found.setdefault(msgid, []).append(f"templates/{filename}:{lineno}")
    return found


def test_every_text_meant_for_people_has_a_chinese_translation():
    catalogue = i18n.merged_catalogue("zh_CN")
    missing = {msgid: where for msgid, where in _extracted().items()
               if not (catalogue.get(msgid) and catalogue.get(msgid).string)}
    assert not missing, "texts without a zh_CN translation (add them to locales/zh_CN/<area>.po):\n" + "\n".join(
        f"  {msgid!r} at {', '.join(where[:3])}" for msgid, where in sorted(missing.items()))


def test_the_catalogue_files_parse_and_every_entry_is_translated():
    untranslated = []
    for path in i18n.catalogue_files("zh_CN"):
        from babel.messages.pofile import read_po
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale="zh_CN")
        untranslated += [f"{path.name}: {message.id!r}" for message in catalogue
                         if message.id and not message.string]
    assert not untranslated, "\n".join(untranslated)


def test_placeholders_match_between_english_and_chinese():
    placeholder = re.compile(r"%\((\w+)\)s")
    catalogue = i18n.merged_catalogue("zh_CN")
    mismatched = [message.id for message in catalogue if message.id and message.string
                  and sorted(placeholder.findall(message.id)) != sorted(placeholder.findall(message.string))]
    assert not mismatched, mismatched


# A block that names CSS classes for the page, not words for people.
_CLASS_BLOCK = re.compile(r"\{%\s*block body_class\s*%\}.*?\{%\s*endblock\s*%\}", re.DOTALL)
_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_SKIPPED_ELEMENTS = re.compile(r"<(script|style|svg)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_TEXT_ATTRIBUTES = re.compile(r"""\b(?:placeholder|title|alt|aria-label|data-confirm)\s*=\s*(["'])(.*?)\1""",
                              re.DOTALL)
_ATTRIBUTE = re.compile(r"""[\w-]+=(["']).*?\1""")
_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_ENTITY = re.compile(r"&[#\w]+;")
# What may stand in a template as is: symbols, numbers, units, codes that are not words to translate.
_NOT_WORDS = re.compile(r"[\W\d_]+|^(?:km|h|min|SKU|ETA|PO|QR|SLA|ID|OK|csv|xlsx|zip)$")


def _bare_text(source: str) -> list[str]:
    source = _JINJA.sub(" ", _CLASS_BLOCK.sub(" ", source))
    source = _SKIPPED_ELEMENTS.sub(" ", source)
    attributes = [value for _quote, value in _TEXT_ATTRIBUTES.findall(source)]
    # Attributes a macro writes outside a tag (aria-invalid="true") are markup, not words.
    text = _ATTRIBUTE.sub(" ", _ENTITY.sub(" ", _TAG.sub(" ", source)))
    words = [word for chunk in [text, *attributes] for word in re.findall(r"[A-Za-z\u4e00-\u9fff][\w'’-]*", chunk)]
    return [word for word in words if not _NOT_WORDS.fullmatch(word)]




@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.rglob("*.html")))
def test_a_template_holds_no_text_outside_the_catalogue(template):
    bare = _bare_text((TEMPLATES / template).read_text(encoding="utf-8"))
    assert not bare, f"{template} shows text outside _(): {' '.join(bare[:20])}"


def test_a_text_has_one_translation_in_every_area():
    """The first area's translation wins in the merged catalogue; two areas that disagree would show
    a page a translation its own area did not write."""
    from babel.messages.pofile import read_po

    translations: dict[str, dict[str, list[str]]] = {}
    for path in i18n.catalogue_files("zh_CN"):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                if message.id and message.string:
                    translations.setdefault(str(message.id), {}).setdefault(str(message.string), []).append(path.name)
    disagreeing = {msgid: found for msgid, found in translations.items() if len(found) > 1}
    assert not disagreeing, disagreeing
