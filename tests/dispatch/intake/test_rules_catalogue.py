"""The domain rules' texts are in the zh_CN catalogue, translated, with the same placeholders."""
from __future__ import annotations

import re

from babel.messages.pofile import read_po

from core.i18n import CATALOGUE_DIR, merged_catalogue
from dispatch.intake.reasons import COMPONENT_NAMES, REASON_TEXTS

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_rules_entry_is_translated_with_the_same_placeholders():
    with (CATALOGUE_DIR / "zh_CN" / "rules.po").open("rb") as handle:
        catalogue = read_po(handle, locale="zh_CN")
    entries = [m for m in catalogue if m.id]
    assert entries
    for message in entries:
        assert message.string, message.id
        assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), message.id


def test_every_reason_and_component_name_is_in_the_catalogue():
    merged = merged_catalogue("zh_CN")
    msgids = list(REASON_TEXTS.values()) + list(COMPONENT_NAMES.values())
    missing = [m for m in msgids if merged.get(m) is None or not merged.get(m).string]
    assert missing == []
