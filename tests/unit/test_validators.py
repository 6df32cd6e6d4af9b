import pytest

from marketplace.accounts.validators import is_mobile, uscc_check_char, uscc_error


def test_published_uscc_example_is_valid():
    assert uscc_error("91350100M000100Y43") is None


@pytest.mark.parametrize("code, reason", [
    ("91350100M000100Y4", "18 位"),
    ("91350100M000100Y44", "校验位"),
    ("91350100M0001O0Y43", "不允许的字符"),
    ("9135010OM000100Y43", "行政区划码"),
])
def test_invalid_uscc_names_its_problem(code, reason):
    assert reason in uscc_error(code)


def test_every_single_character_change_of_the_check_char_is_caught():
    base = "91440106MA59ABCDE"
    good = uscc_check_char(base)
    for other in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if other != good:
            assert uscc_error(base + other) is not None


def test_mobile_numbers():
    assert is_mobile("13800000000")
    assert not is_mobile("12800000000")
    assert not is_mobile("1380000000")
