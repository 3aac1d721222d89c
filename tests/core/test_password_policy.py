"""The password policy: long enough, not the username, not a common password (nor one dressed up)."""
from __future__ import annotations

import pytest

from core.i18n import use_locale
from core.password_policy import MIN_LENGTH, WeakPassword, check_password, common_passwords


def test_the_bundled_list_holds_a_few_thousand_common_passwords():
    assert len(common_passwords()) > 3000
    assert {"password", "123456", "qwertyuiop", "iloveyou"} <= common_passwords()


@pytest.mark.parametrize("password", ["a", "short1!", "x" * (MIN_LENGTH - 1)])
def test_a_short_password_is_refused(password):
    with pytest.raises(WeakPassword, match="at least 10"):
        check_password(password, username="agent.li")


@pytest.mark.parametrize("password", ["agent.li-2026!", "AGENT.LIsecret", "my agent.li pass"])
def test_a_password_with_the_username_in_it_is_refused(password):
    with pytest.raises(WeakPassword, match="username"):
        check_password(password, username="agent.li")


@pytest.mark.parametrize("password", ["qwertyuiop", "1234567890", "Password2024!", "!!baseball99", "Sunshine123456",
                                      "aaaaaaaaaaaa", "abababababab"])
def test_a_common_password_or_one_dressed_up_is_refused(password):
    with pytest.raises(WeakPassword, match="too common"):
        check_password(password, username="agent.li")


@pytest.mark.parametrize("password", ["correct horse battery", "Tea-kettle on the 3rd floor", "怀旧的蓝色冰箱门把手"])
def test_a_long_uncommon_password_passes(password):
    check_password(password, username="agent.li")


def test_an_overlong_password_is_refused_before_it_is_hashed():
    with pytest.raises(WeakPassword, match="at most"):
        check_password("x1y2" * 100, username="agent.li")


def test_the_reason_is_told_in_the_readers_language():
    with use_locale("zh_CN"), pytest.raises(WeakPassword) as refused:
        check_password("short", username="agent.li")
    assert "10" in str(refused.value) and "at least" not in str(refused.value)
