"""ID numbers as clerks type them: check digits, dates, old 15-digit cards, full-width digits and spaces."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jinqiu.core import idnumber
from jinqiu.core.idnumber import IdNumberError, parse

# Check characters computed independently (MOD 11-2 with the GB 11643 weights) and kept as literals.
VALID = [
    ("11010519491231002X", date(1949, 12, 31), "F", "110105"),
    ("44030419900307123X", date(1990, 3, 7), "M", "440304"),
    ("320706195005011010", date(1950, 5, 1), "M", "320706"),
    ("510108197512310001", date(1975, 12, 31), "F", "510108"),
]
TODAY = date(2026, 1, 1)


@pytest.mark.parametrize(("number", "birth", "gender", "region"), VALID)
def test_valid_numbers_parse_with_birth_date_gender_and_region(number, birth, gender, region):
    info = parse(number, today=TODAY)
    assert info.number == number
    assert info.birth_date == birth
    assert info.gender == gender
    assert info.region_code == region
    assert info.converted_from_15 is False


@pytest.mark.parametrize("number", [v[0] for v in VALID])
def test_every_wrong_check_character_is_rejected(number):
    for wrong in "0123456789X":
        if wrong == number[-1]:
            continue
        with pytest.raises(IdNumberError) as exc:
            parse(number[:17] + wrong, today=TODAY)
        assert exc.value.code == "check_digit"


def test_check_digit_function_matches_hand_computed_values():
    for number, *_ in VALID:
        assert idnumber.check_digit(number[:17]) == number[17]


@pytest.mark.parametrize(
    "birth",
    ["19490230", "19491301", "19490001", "19490100", "19000229", "19490431"],
    ids=["feb-30", "month-13", "month-0", "day-0", "1900-not-leap", "april-31"],
)
def test_impossible_birth_dates_are_rejected(birth):
    first17 = "110105" + birth + "002"
    with pytest.raises(IdNumberError) as exc:
        parse(first17 + idnumber.check_digit(first17), today=TODAY)
    assert exc.value.code == "bad_date"


def test_leap_day_is_a_real_date():
    first17 = "110105" + "20000229" + "002"
    assert parse(first17 + idnumber.check_digit(first17), today=TODAY).birth_date == date(2000, 2, 29)


def test_future_birth_date_is_rejected():
    number = idnumber.generate(region_code="110105", birth_date=date(2026, 1, 2), sequence=2, gender="F")
    with pytest.raises(IdNumberError) as exc:
        parse(number, today=TODAY)
    assert exc.value.code == "future_date"
    # Born today is fine.
    same_day = idnumber.generate(region_code="110105", birth_date=TODAY, sequence=2, gender="F")
    assert parse(same_day, today=TODAY).birth_date == TODAY


def test_birth_before_1890_is_rejected():
    number = idnumber.generate(region_code="110105", birth_date=date(1889, 12, 31), sequence=2, gender="F")
    with pytest.raises(IdNumberError) as exc:
        parse(number, today=TODAY)
    assert exc.value.code == "too_old"


def test_15_digit_number_is_converted_to_18():
    info = parse("110105491231002", today=TODAY)
    assert info.converted_from_15 is True
    assert info.number == "11010519491231002X"
    assert info.number[6:8] == "19"
    assert info.birth_date == date(1949, 12, 31)
    assert info.gender == "F"
    assert idnumber.to_18("320706500501101") == "320706195005011010"


def test_15_digit_number_with_impossible_date_is_rejected():
    with pytest.raises(IdNumberError) as exc:
        parse("110105490230002", today=TODAY)
    assert exc.value.code == "bad_date"


@pytest.mark.parametrize(
    "typed",
    [
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X
        "110105 19491231 002X",
        "110105\u300019491231\u3000002X",  # ideographic space
        " 11010519491231002X ",
        "11010519491231002x",
        "１１０１０５ １９４９１２３１ ００２ｘ",
    ],
)
def test_typed_variants_parse_to_the_same_number(typed):
    assert parse(typed, today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize("typed", ["1101051949123100", "11010519491231002X1", "1101051949123", "11010549123100"])
def test_wrong_length_is_rejected(typed):
    with pytest.raises(IdNumberError) as exc:
        parse(typed, today=TODAY)
    assert exc.value.code == "length"


@pytest.mark.parametrize("typed", ["11010519491231002A", "1101051949123X002X", "A10105194912310020", "11010549123100X"])
def test_letters_are_rejected(typed):
    with pytest.raises(IdNumberError) as exc:
        parse(typed, today=TODAY)
    assert exc.value.code == "characters"


def test_empty_input_asks_for_a_number():
    with pytest.raises(IdNumberError) as exc:
        parse("  ", today=TODAY)
    assert exc.value.code == "empty"


@pytest.mark.parametrize("region", ["320802", "000000", "999999"])
def test_region_codes_that_no_longer_exist_are_accepted(region):
    first17 = region + "19800101" + "001"
    number = first17 + idnumber.check_digit(first17)
    assert parse(number, today=TODAY).region_code == region


def test_mask_keeps_region_and_last_four():
    assert idnumber.mask("11010519491231002X") == "110105********002X"
    assert idnumber.mask("") == ""


_regions = st.from_regex(r"[0-9]{6}", fullmatch=True)
_births = st.dates(min_value=date(1890, 1, 1), max_value=TODAY)
_genders = st.sampled_from(["M", "F"])
_sequences = st.integers(min_value=0, max_value=999)


@given(region=_regions, birth=_births, sequence=_sequences, gender=_genders)
def test_generated_numbers_parse_back(region, birth, sequence, gender):
    number = idnumber.generate(region_code=region, birth_date=birth, sequence=sequence, gender=gender)
    info = parse(number, today=TODAY)
    assert (info.number, info.birth_date, info.gender, info.region_code) == (number, birth, gender, region)


@given(
    region=_regions, birth=_births, sequence=_sequences, gender=_genders,
    position=st.integers(min_value=0, max_value=16), shift=st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_typo_is_caught(region, birth, sequence, gender, position, shift):
    number = idnumber.generate(region_code=region, birth_date=birth, sequence=sequence, gender=gender)
    typo_digit = str((int(number[position]) + shift) % 10)
    typo = number[:position] + typo_digit + number[position + 1:]
    with pytest.raises(IdNumberError):
        parse(typo, today=TODAY)


_FULL_WIDTH = {ord(c): chr(ord(c) + 0xFEE0) for c in "0123456789X"}


@given(
    region=_regions, birth=_births, sequence=_sequences, gender=_genders,
    cuts=st.lists(st.integers(min_value=1, max_value=17), max_size=4),
    space=st.sampled_from([" ", "\u3000", "\t"]),
    full_width=st.booleans(),
)
def test_full_width_and_spaced_variants_parse_to_the_same_number(
    region, birth, sequence, gender, cuts, space, full_width
):
    number = idnumber.generate(region_code=region, birth_date=birth, sequence=sequence, gender=gender)
    typed = number.translate(_FULL_WIDTH) if full_width else number
    for cut in sorted(set(cuts), reverse=True):
        typed = typed[:cut] + space + typed[cut:]
    assert parse(typed, today=TODAY).number == number
