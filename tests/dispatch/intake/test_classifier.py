import pytest

from dispatch.intake.classifier import classify
from dispatch.jobs.models import JobCategory, Priority


@pytest.mark.parametrize("text, category", [
    ("The fridge is not cooling since yesterday", JobCategory.QUALITY_DEFECT),
    ("冰箱不制冷了，一直有异响", JobCategory.QUALITY_DEFECT),
    ("Washing machine shows error code E4 and won't drain", JobCategory.QUALITY_DEFECT),
    ("How do I set the eco mode? The manual is unclear", JobCategory.USAGE_QUESTION),
    ("请问怎么设置定时功能？", JobCategory.USAGE_QUESTION),
    ("I want a refund, it arrived damaged", JobCategory.RETURN_EXCHANGE),
    ("刚买三天，想退货", JobCategory.RETURN_EXCHANGE),
    ("Please install the new air conditioner in the bedroom", JobCategory.INSTALLATION),
    ("需要上门安装热水器", JobCategory.INSTALLATION),
])
def test_reports_are_classified_in_english_and_chinese(text, category):
    result = classify(text)
    assert result.category == category
    assert result.confidence >= 0.5, result


def test_unrecognised_text_defaults_to_a_defect_but_asks_for_review():
    result = classify("hello there")
    assert result.category == JobCategory.QUALITY_DEFECT
    assert result.needs_review


def test_mixed_signals_lower_the_confidence():
    clear = classify("The dryer is broken and not working")
    mixed = classify("The dryer is broken, how do I return it for a refund?")
    assert mixed.confidence < clear.confidence


def test_matched_words_explain_the_decision():
    assert "not cooling" in classify("fridge not cooling").matched


@pytest.mark.parametrize("text, priority", [
    ("There is smoke coming out of the oven", Priority.URGENT),
    ("热水器漏电，很危险", Priority.URGENT),
    ("The washing machine is leaking all over the floor", Priority.HIGH),
    ("洗衣机漏水", Priority.HIGH),
    ("How do I clean the filter?", Priority.LOW),
    ("The display flickers sometimes", Priority.NORMAL),
])
def test_safety_and_damage_words_raise_the_priority(text, priority):
    assert classify(text).priority == priority


def test_english_keywords_match_whole_words_only():
    # "returned" should count, but "return" must not fire inside "nonreturnable-ish" nonsense words.
    assert classify("xreturnx").category == JobCategory.QUALITY_DEFECT
