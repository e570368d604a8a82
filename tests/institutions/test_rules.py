import datetime as dt
from decimal import Decimal as D

import pytest

from institutions import rules

D0 = dt.date


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "91350100m000100y43"])
def test_valid_credit_codes_pass_the_gb32100_check(code):
    assert rules.validate_credit_code(code) == code.upper()


@pytest.mark.parametrize(
    "code,message",
    [
        ("91350100M000100Y44", "统一社会信用代码校验位错误：为4，应为3"),
        ("91350100M000100Y4", "统一社会信用代码应为18位，实为17位"),
        ("91350100M000100I43", "统一社会信用代码含非法字符“I”（不使用 I、O、S、V、Z）"),
        ("91ABCDEFM000100Y43", "统一社会信用代码第3-8位应为行政区划代码（数字）"),
    ],
)
def test_invalid_credit_codes_are_refused_with_the_reason(code, message):
    with pytest.raises(ValueError) as exc:
        rules.validate_credit_code(code)
    assert str(exc.value) == message


def test_made_credit_codes_are_valid():
    assert rules.validate_credit_code(rules.make_credit_code("320303", 42))


def test_price_above_the_standard_is_refused_but_equal_and_empty_pass():
    assert (
        rules.price_error(D("60.01"), D("60"), "生活照料约定日价")
        == "生活照料约定日价60.01元超过现行支付标准60.00元"
    )
    assert rules.price_error(D("60"), D("60"), "x") is None
    assert rules.price_error(None, D("60"), "x") is None
    assert rules.price_error(D("-1"), None, "价") == "价不能为负数"
    assert rules.price_error(D("999"), None, "价") is None


def test_insurance_covers_its_expiry_day():
    assert rules.insurance_valid(D0(2026, 5, 31), D0(2026, 5, 31))
    assert not rules.insurance_valid(D0(2026, 5, 31), D0(2026, 6, 1))
    assert not rules.insurance_valid(None, D0(2026, 6, 1))


def test_bed_labels_are_zero_padded_to_three_digits():
    assert rules.bed_labels(3) == ["001", "002", "003"]
    assert rules.bed_labels(2, start=999) == ["0999", "1000"]


BANDS = [
    {"min": 90, "rate": "1.00"},
    {"min": 80, "rate": "0.80"},
    {"min": 70, "rate": "0.50"},
    {"min": 60, "rate": "0.20"},
]


@pytest.mark.parametrize(
    "total,rate",
    [
        (100, "1.00"),
        (90, "1.00"),
        (89.99, "0.80"),
        (80, "0.80"),
        (79, "0.50"),
        (70, "0.50"),
        (65, "0.20"),
        (60, "0.20"),
        (59.5, "0"),
        (0, "0"),
    ],
)
def test_deposit_release_follows_the_spec_default_table(total, rate):
    assert rules.deposit_release_rate(D(str(total)), BANDS) == D(rate)


def test_appraisal_total_sums_points_and_checks_maxima():
    assert rules.appraisal_total([(D(38), D(40)), (D(50), D(60))]) == D(88)
    with pytest.raises(ValueError, match="超出该指标分值范围"):
        rules.appraisal_total([(D(41), D(40))])
    with pytest.raises(ValueError, match="合计超过100分"):
        rules.appraisal_total([(D(1), D(60)), (D(1), D(41))])


def test_evidence_files_are_checked_by_extension_content_and_size():
    assert rules.evidence_error("a.pdf", 100, b"%PDF-1.7") is None
    assert rules.evidence_error("a.png", 100, b"\x89PNG\r\n") is None
    assert rules.evidence_error("a.exe", 100, b"MZ") == "文件“a.exe”类型不支持：仅接受 PDF、JPG、PNG"
    assert rules.evidence_error("a.pdf", 100, b"MZ") == "文件“a.pdf”的内容与扩展名.pdf不符"
    assert rules.evidence_error("a.jpg", 11 * 1024 * 1024, b"\xff\xd8\xff") == "文件“a.jpg”超过10MB"


def test_periods_minus_cuts_holes_inclusively():
    assert rules.periods_minus(D0(2026, 1, 1), D0(2026, 1, 31), [(D0(2026, 1, 10), D0(2026, 1, 12))]) == [
        (D0(2026, 1, 1), D0(2026, 1, 9)),
        (D0(2026, 1, 13), D0(2026, 1, 31)),
    ]
    assert rules.periods_minus(D0(2026, 1, 1), D0(2026, 1, 31), [(D0(2026, 1, 20), None)]) == [
        (D0(2026, 1, 1), D0(2026, 1, 19))
    ]


@pytest.mark.parametrize(
    ("agreed", "form", "covered"),
    [
        (["residential"], "residential", True),
        (["residential"], "home_visits", False),
        (["home_visits"], "home_family", True),  # SPEC 5.2 B: B2's visits are institutional home visits
        (["home_family"], "home_visits", True),
        (["home_visits"], "residential", False),
        (["home_visits"], "community", False),
        (["community"], "community", True),
        ([], "home_visits", False),
        (None, "home_visits", False),
    ],
)
def test_agreement_covers_the_listed_forms_and_home_visits_serve_both_home_options(agreed, form, covered):
    assert rules.agreement_covers(agreed, form) is covered
