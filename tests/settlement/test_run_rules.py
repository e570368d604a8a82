"""Every audit rule of SPEC 7.2 firing with its code; export format; late records."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ..interfaces import RECORDS
from .conftest import CAREGIVER, D, bed_days, line_for, new_id, stored_unchecked, visit


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


def test_duplicate_row_in_one_file_is_refused_at_entry_and_a_stored_duplicate_rejected_as_duplicate(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    rows = bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 2))
    out, _ = world.records(rows + rows[:1])
    assert "2 applied" in out  # the copy is refused when submitted (SPEC 7.1, issue 14)
    stored_unchecked(rows[:1])  # a copy stored before the entry checks: the month-end audit still rejects it
    line = line_for(world.settle(), nid)
    assert (
        line["quantity"],
        line["charged_amount"],
        line["fund_amount"],
        line["rejected_amount"],
        line["reason_codes"],
    ) == ("2", "180.00", "84.00", "60.00", "DUPLICATE")


def test_same_file_imported_twice_changes_nothing(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    path = world._file(
        RECORDS,
        bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 3)),
    )
    out = io.StringIO()
    call_command("import_service_records", path, stdout=out)
    call_command("import_service_records", path, stdout=out)
    assert "3 rows, 0 applied, 3 unchanged" in out.getvalue()
    assert line_for(world.settle(), nid)["reason_codes"] == ""


def test_same_record_in_a_second_file_is_refused_at_entry(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 1)))
    out, _ = world.records(
        bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 2))
    )  # another file resending the 1st
    assert "1 applied" in out
    line = line_for(world.settle(), nid)
    assert (line["quantity"], line["fund_amount"], line["reason_codes"]) == ("2", "84.00", "")


@pytest.mark.parametrize(
    "setup,code",
    [
        ("arrears", "ARREARS"),
        ("waiting", "WAITING"),
        ("no_conclusion", "NO_CONCLUSION"),
        ("mild", "NO_CONCLUSION"),
    ],
)
def test_person_conditions_reject_with_their_code(world, setup, code):
    nid = new_id("19600101")  # under 70: residents aged 70+ are fully subsidised (never in arrears)
    if setup == "waiting":
        world.persons([{"national_id": nid, "enrolled_on": "2024-03-01"}])
        world.contributions([])
        world.run(
            "import_payments",
            ["national_id", "year", "amount", "paid_on", "channel", "payer_national_id"],
            [
                {
                    "national_id": nid,
                    "year": 2024,
                    "amount": "20.00",
                    "paid_on": "2024-03-05",
                    "channel": "resident_premium",
                }
            ],
        )
    else:
        world.persons([{"national_id": nid}])
        if setup != "arrears":
            world.contributions([nid])
        else:
            world.contributions([])
    if setup != "no_conclusion":
        world.conclusions([{"national_id": nid, "grade": "1" if setup == "mild" else "4"}])
    world.decisions([{"national_id": nid, "care_form": "residential", "institution_code": "YL001"}])
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 1)))
    line = line_for(world.settle(), nid)
    assert (line["fund_amount"], line["rejected_amount"], line["reason_codes"]) == ("0.00", "60.00", code)


def test_person_without_decision_is_no_decision(world):
    nid = new_id()
    world.persons([{"national_id": nid}])
    world.contributions([nid])
    world.conclusions([{"national_id": nid, "grade": "4"}])
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 1)))
    assert line_for(world.settle(), nid)["reason_codes"] == "NO_DECISION"


def test_person_not_insured_is_not_covered(world):
    nid = new_id()
    world.persons([{"national_id": nid, "enrolled_on": "2024-06-01"}])
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 1)))
    assert line_for(world.settle(), nid)["reason_codes"] == "NOT_COVERED"


def test_staff_exclusion_rejects_with_its_5_3_code(world):
    from settlement.models import ServiceRecord

    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 2)))
    ServiceRecord.objects.filter(person__national_id=nid, service_date=D(2024, 5, 2)).update(
        excluded_code="EXCLUDED_THIRD_PARTY"
    )
    line = line_for(world.settle(), nid)
    assert (line["fund_amount"], line["rejected_amount"], line["reason_codes"]) == (
        "42.00",
        "60.00",
        "EXCLUDED_THIRD_PARTY",
    )


def test_several_codes_are_sorted_and_semicolon_separated(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.hospital([{"national_id": nid, "admitted_on": "2024-05-02", "discharged_on": "2024-05-03"}])
    rows = bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 3), charge="70.00")
    world.records(rows)
    stored_unchecked(rows[:1])
    line = line_for(world.settle(), nid)
    # day 1: 60 base + 10 over; day 1 copy: duplicate 70; day 2: hospital 70; day 3: 60 + 10 over.
    assert line["reason_codes"] == "DUPLICATE;HOSPITAL;OVER_PRICE"
    assert (
        line["charged_amount"],
        line["fund_amount"],
        line["personal_amount"],
        line["rejected_amount"],
    ) == ("280.00", "84.00", "36.00", "160.00")


def test_export_header_and_format(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 1)))
    call_command("run_settlement", "--month", "2024-05", stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_settlement", "--month", "2024-05", stdout=out)
    text = out.getvalue().splitlines()
    assert text[0] == (
        "institution_code,national_id,care_form,quantity,charged_amount,fund_amount,"
        "personal_amount,rejected_amount,reason_codes"
    )
    assert text[1] == f"YL001,{nid},residential,1,60.00,42.00,18.00,0.00,"


def test_export_of_a_month_never_run_is_an_error(world):
    with pytest.raises(CommandError, match="has not been run"):
        call_command("export_settlement", "--month", "2024-04", stdout=io.StringIO())


def test_bad_month_is_an_error(world):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("run_settlement", "--month", "2024-5", stdout=io.StringIO())


def test_export_sorts_payouts_first_then_institution_and_id(world):
    a = world.beneficiary(form="residential", institution="YL001")
    b = world.beneficiary(form="residential", institution="YY001")
    c = world.beneficiary(form="remote_cash")
    world.records(
        bed_days("YY001", b, D(2024, 5, 1), D(2024, 5, 1))
        + bed_days("YL001", a, D(2024, 5, 1), D(2024, 5, 1))
    )
    lines = world.settle()
    assert [(x["institution_code"], x["national_id"]) for x in lines] == [("", c), ("YL001", a), ("YY001", b)]


def test_late_record_goes_into_the_next_month_as_a_late_line(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 4, 1), D(2024, 4, 29)))
    april = world.settle("2024-04")
    assert line_for(april, nid)["quantity"] == "29"
    world.records(
        bed_days("YL001", nid, D(2024, 4, 30), D(2024, 4, 30))
        + bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 2))
    )
    may = world.settle("2024-05")
    assert sorted((x["quantity"], x["fund_amount"]) for x in may if x["national_id"] == nid) == [
        ("1", "42.00"),
        ("2", "84.00"),
    ]
    from settlement.models import SettlementLine

    late = SettlementLine.objects.get(run__month=D(2024, 5, 1), is_late=True)
    assert late.service_month == D(2024, 4, 1)
    # Re-running April (still a draft) does not take the record May already settled.
    assert line_for(world.settle("2024-04"), nid)["quantity"] == "29"


def test_records_of_an_unrun_earlier_month_are_not_swept_in(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 4, 30), D(2024, 5, 1)))
    assert line_for(world.settle("2024-05"), nid)["quantity"] == "1"


def test_every_line_adds_up(world):
    from settlement.models import SettlementLine

    a = world.beneficiary(form="home_visits", institution="JJ001")
    world.records([visit("JJ001", a, f"2024-05-{d:02d}", "133.33", CAREGIVER) for d in range(1, 9)])
    b = world.beneficiary(form="residential", institution="YL002", categories="pupil")
    world.records(bed_days("YL002", b, D(2024, 5, 1), D(2024, 5, 31), charge="57.77"))
    world.settle()
    for line in SettlementLine.objects.all():
        assert line.charged_amount == line.fund_amount + line.personal_amount + line.rejected_amount
    line = SettlementLine.objects.get(person__national_id=b)
    # base min(57.77, 55) = 55 x 31 = 1705 x 0.75 = 1278.75; over 2.77 x 31 = 85.87.
    assert (line.fund_amount, line.personal_amount, line.rejected_amount) == (
        Decimal("1278.75"),
        Decimal("426.25"),
        Decimal("85.87"),
    )
