import datetime as dt

import pytest
from django.utils import translation

from ltci.core.idnumber import InvalidIdNumber, make_id_number, mask_id, mask_name, parse_id_number


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


VALID = "11010519491231002X"  # GB 11643 example


def test_valid_number_derives_birth_date_and_sex():
    info = parse_id_number(VALID)
    assert info.birth_date == dt.date(1949, 12, 31) and info.sex == "F" and info.region_code == "110105"


def test_lower_case_x_is_accepted():
    assert parse_id_number(VALID.lower()).number == VALID


def test_wrong_checksum_is_refused_with_expected_char():
    with pytest.raises(InvalidIdNumber, match="check character is 1, expected X"):
        parse_id_number(VALID[:-1] + "1")


def test_bad_birth_date_is_refused():
    bad = "110105194902300"
    from ltci.core.idnumber import check_char

    number = bad + "02" + check_char(bad + "02")
    with pytest.raises(InvalidIdNumber, match="birth date 19490230 is not a valid date"):
        parse_id_number(number)


@pytest.mark.parametrize(
    "raw,reason",
    [
        ("123", "18 characters"),
        ("11010519491231002Y", "digit or X"),
        ("99010519491231002X", "not a valid province"),
    ],
)
def test_malformed_numbers(raw, reason):
    with pytest.raises(InvalidIdNumber, match=reason):
        parse_id_number(raw)


def test_generated_numbers_are_valid_and_masked():
    number = make_id_number("320302", dt.date(1950, 3, 4), 123)
    assert parse_id_number(number).sex == "M"
    assert mask_id(number) == number[:4] + "**********" + number[-4:]


def test_mask_name_keeps_first_and_last_character_only():
    assert [mask_name(n) for n in ["张三", "张小三", "欧阳小明", "李", "", " 王五 "]] == [
        "张*",
        "张*三",
        "欧**明",
        "*",
        "",
        "王*",
    ]
