"""Issue 14: a bad-input corpus for every SPEC 11 import command.

Each case runs the command on a file and expects its specific error(s) (row, field, reason in Chinese, the
default language), that nothing changed in the database, and the SPEC 11 exit status: 0 every row applied,
1 a row rejected, 2 the file refused.
"""

import csv
import datetime as dt

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command, load_command_class

from assessment.imports import CONCLUSION_FORMAT
from benefits.imports import decisions, hospital, other_funds
from enrollment.imports import ACCOUNT_EVENT_FORMAT, PAYMENT_FORMAT, ROSTER_FORMAT
from institutions.imports import CAREGIVER_FORMAT, INSTITUTION_FORMAT
from ltci.core.exports import csv_text
from ltci.core.idnumber import make_id_number
from ltci.core.import_fields import RowError, RowProblems, reference_problems
from settlement import imports as service_records

# command: (app, format, date field, a required field, (code field, unknown code), amount field or None)
IMPORTS = {
    "import_roster": ("enrollment", ROSTER_FORMAT, "enrolled_on", "name", ("insurance_type", "居民"), None),
    "import_account_events": (
        "enrollment",
        ACCOUNT_EVENT_FORMAT,
        "occurred_on",
        "national_id",
        ("event", "refund"),
        "amount",
    ),
    "import_payments": (
        "enrollment",
        PAYMENT_FORMAT,
        "paid_on",
        "national_id",
        ("channel", "alipay"),
        "amount",
    ),
    "import_institutions": (
        "institutions",
        INSTITUTION_FORMAT,
        "agreement_from",
        "name",
        ("type", "hotel"),
        "price_life",
    ),
    "import_caregivers": ("institutions", CAREGIVER_FORMAT, "employed_from", "name", None, None),
    "import_conclusions": (
        "assessment",
        CONCLUSION_FORMAT,
        "concluded_on",
        "national_id",
        ("grade", "7"),
        None,
    ),
    "import_benefit_decisions": (
        "benefits",
        decisions.FORMAT,
        "starts_on",
        "national_id",
        ("care_form", "spa"),
        None,
    ),
    "import_hospital_stays": ("benefits", hospital.FORMAT, "admitted_on", "hospital", None, None),
    "import_other_fund_benefits": (
        "benefits",
        other_funds.FORMAT,
        "starts_on",
        "national_id",
        ("fund", "pension"),
        None,
    ),
    "import_service_records": (
        "settlement",
        service_records.FORMAT,
        "service_date",
        "institution_code",
        ("kind", "massage"),
        "charged_amount",
    ),
}
WATCHED = [
    "enrollment.Person",
    "enrollment.CoveragePeriod",
    "enrollment.AccountEvent",
    "enrollment.Contribution",
    "enrollment.ContributionTransaction",
    "institutions.Institution",
    "institutions.Agreement",
    "institutions.Caregiver",
    "institutions.Employment",
    "assessment.Conclusion",
    "benefits.BenefitDecision",
    "benefits.HospitalStay",
    "benefits.OtherFundBenefit",
    "settlement.ServiceRecord",
]


@pytest.fixture(autouse=True)
def known_examples(xuzhou, tmp_path_factory):
    """The person and the institution the templates' example rows name, on file: a rejected example row then
    shows only the problems a case puts in it (issue 14 reports unknown references of failed rows too)."""
    folder = tmp_path_factory.mktemp("examples")
    for command, app, fmt, row in (
        ("import_roster", "enrollment", ROSTER_FORMAT, ROSTER_FORMAT.example),
        (
            "import_institutions",
            "institutions",
            INSTITUTION_FORMAT,
            {**INSTITUTION_FORMAT.example, "code": "XZ0003"},
        ),
    ):
        path = folder / f"{command}.csv"
        path.write_bytes(csv_file(fmt, [row]))
        cmd = load_command_class(app, command)
        call_command(cmd, str(path), verbosity=0)
        assert cmd.report.applied == 1, cmd.report.errors


def counts():
    return {label: apps.get_model(label).objects.count() for label in WATCHED}


def run(tmp_path, command: str, content: bytes):
    """Run the command on a file; return (exit status as SPEC 11 says, file error, [(row, field, reason)])."""
    app = IMPORTS[command][0]
    path = tmp_path / "corpus.csv"
    path.write_bytes(content)
    cmd = load_command_class(app, command)
    try:
        call_command(cmd, str(path))
    except CommandError as exc:
        return exc.returncode, str(exc), []
    report = cmd.report
    errors = [(e.row, e.field, e.reason) for e in report.errors]
    return (1 if errors else 0), "", errors


def csv_file(fmt, rows, header=None) -> bytes:
    header = header or fmt.header("zh")
    return csv_text([header, *([row.get(c, "") for c in fmt.columns] for row in rows)]).encode("utf-8")


def example(command):
    return dict(IMPORTS[command][1].example)


def refused(tmp_path, command, content, expected):
    before = counts()
    status, file_error, errors = run(tmp_path, command, content)
    assert status == 2, (status, errors)
    assert expected in file_error
    assert counts() == before


def rejected(tmp_path, command, row, expected: dict[str, str]):
    """The row is rejected with exactly these problems ({field: text in the reason}); nothing written."""
    fmt = IMPORTS[command][1]
    before = counts()
    status, file_error, errors = run(tmp_path, command, csv_file(fmt, [row]))
    assert (status, file_error) == (1, "")
    assert sorted(field for _row, field, _reason in errors) == sorted(expected), errors
    for row_no, field, reason in errors:
        assert row_no == 2
        assert expected[field] in reason, (field, reason)
        assert reason.startswith(f"「{fmt.labels[field]}（{field}）」：")  # the Chinese name and the code
    assert counts() == before


COMMANDS = sorted(IMPORTS)


def unknown_code_reason(command: str) -> str:
    field, code = IMPORTS[command][4]
    if command == "import_conclusions":
        return f"{code} 不是 0-5 的失能等级"
    return f"不是允许的值（填写的是 {code}；允许："


@pytest.mark.parametrize("command", COMMANDS)
def test_an_empty_file_is_refused(xuzhou, tmp_path, command):
    refused(tmp_path, command, b"", "文件是空的")
    refused(tmp_path, command, b"\xef\xbb\xbf\r\n \r\n", "文件是空的")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_header_only_file_is_accepted_with_no_rows(xuzhou, tmp_path, command):
    fmt = IMPORTS[command][1]
    before = counts()
    for variant in ("zh", "en"):
        status, file_error, errors = run(tmp_path, command, csv_file(fmt, [], header=fmt.header(variant)))
        assert (status, file_error, errors) == (0, "", [])
    assert counts() == before


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_column_refuses_the_file(xuzhou, tmp_path, command):
    fmt = IMPORTS[command][1]
    content = csv_file(fmt, [example(command)], header=[*fmt.header("zh"), "备注"])
    refused(tmp_path, command, content, "未知列：备注")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_required_column_refuses_the_file_naming_it(xuzhou, tmp_path, command):
    fmt, required = IMPORTS[command][1], IMPORTS[command][3]
    header = [h for c, h in zip(fmt.columns, fmt.header("zh"), strict=True) if c != required]
    row = [v for c, v in example(command).items() if c != required]
    refused(
        tmp_path, command, csv_text([header, row]).encode(), f"缺少列：{fmt.labels[required]}（{required}）"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_bytes_of_no_known_encoding_refuse_the_file(xuzhou, tmp_path, command):
    fmt = IMPORTS[command][1]
    content = csv_file(fmt, [example(command)]) + b"\xff\xfe\x80\x81\r\n"
    refused(tmp_path, command, content, "文件编码既不是 UTF-8 也不是 GB18030/GBK")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_date_is_named(xuzhou, tmp_path, command):
    date_field = IMPORTS[command][2]
    row = {**example(command), date_field: "2024-02-30"}
    rejected(tmp_path, command, row, {date_field: "2024-02-30 不是 YYYY-MM-DD 格式的日期"})


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_required_value_is_named(xuzhou, tmp_path, command):
    required = IMPORTS[command][3]
    rejected(tmp_path, command, {**example(command), required: ""}, {required: "必须填写"})


@pytest.mark.parametrize("command", [c for c in COMMANDS if IMPORTS[c][4]])
def test_an_unknown_code_is_named_with_the_allowed_codes_and_labels(xuzhou, tmp_path, command):
    field, code = IMPORTS[command][4]
    rejected(tmp_path, command, {**example(command), field: code}, {field: unknown_code_reason(command)})


@pytest.mark.parametrize("command", [c for c in COMMANDS if IMPORTS[c][5]])
@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("12.345", "“12.345”的小数超过两位"),
        ("-5.00", "“-5.00”不能为负数"),
        ("十元", "“十元”不是金额"),
        ("1e3", "“1e3”不是金额"),
    ],
)
def test_a_bad_amount_is_named(xuzhou, tmp_path, command, amount, reason):
    field = IMPORTS[command][5]
    rejected(tmp_path, command, {**example(command), field: amount}, {field: reason})


@pytest.mark.parametrize("command", COMMANDS)
def test_every_problem_of_a_row_is_reported(xuzhou, tmp_path, command):
    """A bad date, a missing required value and an unknown code in one row: one error line for each."""
    _app, _fmt, date_field, required, code, _amount = IMPORTS[command]
    row = {**example(command), date_field: "2024/01/05", required: ""}
    expected = {date_field: "2024/01/05 不是 YYYY-MM-DD 格式的日期", required: "必须填写"}
    if code:
        row[code[0]] = code[1]
        expected[code[0]] = unknown_code_reason(command)
    else:  # no code column: a second bad date instead
        other = {"import_caregivers": "employed_to", "import_hospital_stays": "discharged_on"}[command]
        row[other] = "明天"
        expected[other] = "明天 不是 YYYY-MM-DD 格式的日期"
    rejected(tmp_path, command, row, expected)


def test_the_error_report_next_to_the_file_lists_every_problem(xuzhou, tmp_path):
    row = {**example("import_roster"), "enrolled_on": "2024-13-01", "name": "", "insurance_type": "居民"}
    status, _file_error, errors = run(tmp_path, "import_roster", csv_file(ROSTER_FORMAT, [row]))
    assert status == 1
    with (tmp_path / "corpus.csv.errors.csv").open(encoding="utf-8", newline="") as fh:
        report = list(csv.reader(fh))
    assert report[0] == ["row", "field", "reason"]
    assert sorted(line[1] for line in report[1:]) == ["enrolled_on", "insurance_type", "name"]
    assert [
        "2",
        "insurance_type",
        "「险种（insurance_type）」：不是允许的值（填写的是 居民；允许：职工医保（employee）、居民医保（resident）、"
        "离休干部、一至六级残疾军人（未参加基本医保）（special））",
    ] in report


def test_duplicate_rows_are_reported_against_the_first(xuzhou, tmp_path):
    row = {**example("import_roster"), "national_id": UNKNOWN_PERSON}
    before = counts()
    status, _file_error, errors = run(tmp_path, "import_roster", csv_file(ROSTER_FORMAT, [row, row]))
    assert status == 1
    assert errors == [(3, "national_id", "「公民身份号码（national_id）」：与第 2 行重复")]
    assert counts()["enrollment.Person"] == before["enrollment.Person"] + 1


UNKNOWN_PERSON = make_id_number("320302", dt.date(1950, 1, 2), 999)
# command: {reference field: unknown value} (the imports whose rows name records that must exist)
REFERENCES = {
    "import_account_events": {"national_id": UNKNOWN_PERSON},
    "import_payments": {"national_id": UNKNOWN_PERSON},
    "import_caregivers": {"institution_code": "ZZ9999"},
    "import_conclusions": {"national_id": UNKNOWN_PERSON, "agency_code": "ZZ9999"},
    "import_benefit_decisions": {"national_id": UNKNOWN_PERSON, "institution_code": "ZZ9999"},
    "import_hospital_stays": {"national_id": UNKNOWN_PERSON},
    "import_other_fund_benefits": {"national_id": UNKNOWN_PERSON},
    "import_service_records": {"national_id": UNKNOWN_PERSON, "institution_code": "ZZ9999"},
}
UNKNOWN_REASONS = {
    "national_id": f"没有公民身份号码为 {UNKNOWN_PERSON} 的参保人（不在参保名册中）",
    "institution_code": "没有编码为 ZZ9999 的机构",
    "agency_code": "没有编码为 ZZ9999 的机构",
}


@pytest.mark.parametrize("command", sorted(REFERENCES))
def test_a_row_that_fails_parsing_still_reports_its_unknown_references(xuzhou, tmp_path, command):
    """Issue 14: a bad date and unknown references in one row: the date error and each unknown reference,
    in the words the apply step uses for a row that parses."""
    date_field = IMPORTS[command][2]
    row = {**example(command), date_field: "2024/01/05", **REFERENCES[command]}
    expected = {date_field: "2024/01/05 不是 YYYY-MM-DD 格式的日期"}
    expected |= {name: UNKNOWN_REASONS[name] for name in REFERENCES[command]}
    rejected(tmp_path, command, row, expected)


@pytest.mark.parametrize("command", sorted(REFERENCES))
def test_the_apply_step_gives_the_same_reason_for_an_unknown_reference(xuzhou, tmp_path, command):
    """The same unknown references in a row that parses: the apply step names one of them in the same words."""
    status, _file_error, errors = run(
        tmp_path, command, csv_file(IMPORTS[command][1], [{**example(command), **REFERENCES[command]}])
    )
    assert status == 1
    assert len(errors) >= 1
    for _row, field, reason in errors:
        assert UNKNOWN_REASONS[field] in reason, errors


def test_a_failed_row_with_known_references_gets_no_reference_error(xuzhou, tmp_path):
    row = {**example("import_hospital_stays"), "admitted_on": "2024/01/05"}
    Person = apps.get_model("enrollment.Person")
    assert Person.objects.filter(national_id=row["national_id"]).exists()
    rejected(tmp_path, "import_hospital_stays", row, {"admitted_on": "不是 YYYY-MM-DD 格式的日期"})


def test_the_references_of_failed_rows_take_one_query_per_kind(xuzhou, django_assert_num_queries):
    from enrollment.selectors import person_reference
    from institutions.selectors import institution_reference

    failed = [
        RowProblems(
            [RowError(row, "starts_on", "bad")],
            {"national_id": f"{UNKNOWN_PERSON[:-3]}{row:03d}", "institution_code": f"ZZ{row:04d}"},
        )
        for row in range(2, 12)
    ]
    with django_assert_num_queries(2):
        problems = reference_problems(failed, [person_reference(), institution_reference()])
    assert len(problems) == 20
    # a field that failed parsing is not looked up
    failed = [RowProblems([RowError(2, "national_id", "bad")], {"national_id": UNKNOWN_PERSON})]
    with django_assert_num_queries(0):
        assert reference_problems(failed, [person_reference()]) == []
