"""Phone numbers as people write them on rosters."""

import pytest

from jinqiu.core.phones import PhoneError, is_mobile, mask_phone, normalize_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("138 1234-5678", "13812345678"),
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("138—1234—5678", "13812345678"),
        ("010-12345678", "01012345678"),
        ("(010)12345678", "01012345678"),
        ("020 1234 5678", "02012345678"),
        ("0518-8123456", "05188123456"),
        ("0518-88123456-123", "051888123456#123"),
        ("010-12345678转123", "01012345678#123"),
        ("010 1234 5678 #12", "01012345678#12"),
        ("+86 10 12345678", "01012345678"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normal_form(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(("typed", "stored"), [("+86 010 12345678", "01012345678"),
                                               ("+86 (0)10 1234 5678", "01012345678"),
                                               ("0086 0518 8123456", "05188123456")])
def test_country_prefix_with_the_area_code_zero_kept(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("+1 2025550123", "country"),
        ("1381234567", "mobile"),  # 10 digits
        ("138123456789", "mobile"),  # 12 digits
        ("13812345678转12", "mobile"),  # mobiles have no extension
        ("23812345678", "invalid"),
        ("01012345", "invalid"),  # local number too short
        ("abc", "invalid"),
    ],
)
def test_bad_numbers_are_refused(typed, code):
    with pytest.raises(PhoneError) as exc:
        normalize_phone(typed)
    assert exc.value.code == code


def test_is_mobile():
    assert is_mobile("138 1234 5678")
    assert not is_mobile("010-12345678")
    assert not is_mobile("not a phone")
    assert not is_mobile("")


def test_masks():
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_phone("010-12345678") == "010******78"
    assert mask_phone("0518-8123456") == "0518*****56"
    assert mask_phone("") == ""
    assert mask_phone("010-12345678转123") == "010******78"
