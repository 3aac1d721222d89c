"""The shared machinery of stored reasons: a name given in both languages, and a list said as words."""
from types import SimpleNamespace

from core.i18n import use_locale
from core.reasons import LISTED, named, reason
from dispatch.jobs.reasons import explain


def test_a_named_fact_reads_in_the_readers_language_and_falls_back_to_english():
    fridge = SimpleNamespace(name="FrostLine 420 L fridge-freezer", name_zh="冰川 420 升对开门冰箱")
    facts = {"days": 7, "category": "quality_defect", "model": named(fridge)}
    assert explain("check_in", facts).endswith("on FrostLine 420 L fridge-freezer: is everything still working?")
    with use_locale("zh_CN"):
        assert "冰川 420 升对开门冰箱" in explain("check_in", facts)
        assert "FrostLine" in explain("check_in", {**facts, "model": named(SimpleNamespace(name="FrostLine",
                                                                                             name_zh=""))})


def test_a_listed_reason_joins_its_items_as_words():
    areas = reason(LISTED, items=[reason("area_product"), reason("area_attitude")])
    assert explain("survey_problems", {"areas": areas}) == "problems: the product, attitude"
    with use_locale("zh_CN"):
        assert explain("survey_problems", {"areas": areas}) == "问题：产品、服务态度"
