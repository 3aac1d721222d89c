"""The demo catalogue reads as real in both languages: every model and part has a Chinese name."""
from demo.texts import MODEL_NAMES_ZH, PART_NAMES_ZH
from demo.world import MODELS, PARTS_BY_SKILL


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_every_demo_model_and_part_has_a_chinese_name():
    assert {code for code, *_ in MODELS} == set(MODEL_NAMES_ZH)
    assert all(_chinese(name) for name in MODEL_NAMES_ZH.values())
    assert len(set(MODEL_NAMES_ZH.values())) == len(MODEL_NAMES_ZH)  # no two models read alike
    assert all(_chinese(PART_NAMES_ZH[name]) for names in PARTS_BY_SKILL.values() for name in names)
