"""Home care and allowances (SPEC 5.2 B) worked by hand from seed 001 五(三)2, May 2024 (31 days)."""

from .conftest import CAREGIVER, CAREGIVER2, CAREGIVER3, line_for, stored_unchecked, visit


def _visits(nid, days, charge="100.00", code="JJ001", caregiver=CAREGIVER):
    return [visit(code, nid, f"2024-05-{d:02d}", charge, caregiver) for d in days]


def test_home_visits_full_month_over_the_900_limit(world):
    nid = world.beneficiary(form="home_visits", institution="JJ001")
    world.records(_visits(nid, range(1, 11)))
    line = line_for(world.settle(), nid)
    # 10 visits x 100 = 1000; limit 900 all from the fund; 100 OVER_LIMIT; no co-payment.
    assert (
        line["care_form"],
        line["quantity"],
        line["charged_amount"],
        line["fund_amount"],
        line["personal_amount"],
        line["rejected_amount"],
        line["reason_codes"],
    ) == ("home_visits", "10", "1000.00", "900.00", "0.00", "100.00", "OVER_LIMIT")


def test_home_visits_partial_month_limit_is_prorated(world):
    nid = world.beneficiary(
        form="home_visits", institution="JJ001", concluded_on="2024-05-11", starts_on="2024-05-11"
    )
    world.records(_visits(nid, range(11, 19)))
    line = line_for(world.settle(), nid)
    # eligible 11-31 = 21 days: 900 x 21 / 31 = 609.677... -> 609.68; 8 x 100 = 800; 190.32 over.
    assert (line["fund_amount"], line["rejected_amount"], line["reason_codes"]) == (
        "609.68",
        "190.32",
        "OVER_LIMIT",
    )


def test_home_visits_moderate_within_600(world):
    nid = world.beneficiary(form="home_visits", institution="JJ001", grade="2")
    world.records(_visits(nid, range(1, 6), charge="120.00"))
    line = line_for(world.settle(), nid)
    assert (line["fund_amount"], line["rejected_amount"]) == ("600.00", "0.00")


def test_home_visits_hospital_days_reduce_the_limit_and_reject_visits(world):
    nid = world.beneficiary(form="home_visits", institution="JJ001")
    world.hospital([{"national_id": nid, "admitted_on": "2024-05-10", "discharged_on": "2024-05-20"}])
    world.records(_visits(nid, [5, 12, 20]))
    line = line_for(world.settle(), nid)
    # hospital 10-19: 21 eligible days -> limit 609.68; the visit of the 12th is HOSPITAL; 200 paid.
    assert (line["fund_amount"], line["rejected_amount"], line["reason_codes"]) == (
        "200.00",
        "100.00",
        "HOSPITAL",
    )


def test_family_care_trained_carer_allowance_and_visits(world):
    nid = world.beneficiary(form="home_family", institution="JJ001", carer_trained="true")
    world.records(_visits(nid, [3, 10, 17, 24]))
    lines = world.settle()
    allowance = line_for(lines, nid, code="")
    visits = line_for(lines, nid, code="JJ001")
    # 20 x 31 = 620 paid to the person (charged = fund); 4 x 100 visits against 300: 100 over.
    assert (
        allowance["care_form"],
        allowance["quantity"],
        allowance["charged_amount"],
        allowance["fund_amount"],
    ) == ("home_family", "31", "620.00", "620.00")
    assert (visits["fund_amount"], visits["rejected_amount"], visits["reason_codes"]) == (
        "300.00",
        "100.00",
        "OVER_LIMIT",
    )
    assert lines[0]["institution_code"] == ""  # payouts sort first


def test_family_care_untrained_carer_is_paid_80_percent(world):
    nid = world.beneficiary(form="home_family", institution="JJ001", carer_trained="false")
    line = line_for(world.settle(), nid)
    # 20 x 31 x 0.80 = 496.
    assert (line["institution_code"], line["fund_amount"], line["personal_amount"]) == ("", "496.00", "0.00")


def test_family_care_moderate_death_day_is_payable(world):
    nid = world.beneficiary(
        form="home_family",
        institution="JJ001",
        grade="2",
        carer_trained="true",
        ended_on="2024-05-20",
        end_reason="died",
    )
    line = line_for(world.settle(), nid)
    # 10 x 20 days (1-20 including the death day) = 200.
    assert (line["quantity"], line["fund_amount"]) == ("20", "200.00")


def test_remote_cash_severe_and_moderate(world):
    severe = world.beneficiary(form="remote_cash")
    moderate = world.beneficiary(form="remote_cash", grade="2")
    lines = world.settle()
    assert line_for(lines, severe)["fund_amount"] == "930.00"  # 30 x 31
    assert line_for(lines, moderate)["fund_amount"] == "620.00"  # 20 x 31


def test_visit_after_death_is_not_covered(world):
    nid = world.beneficiary(form="home_visits", institution="JJ001", ended_on="2024-05-20", end_reason="died")
    world.records(_visits(nid, [20, 21]))
    line = line_for(world.settle(), nid)
    # the death day is payable for visits; the day after is not.
    assert (line["fund_amount"], line["rejected_amount"], line["reason_codes"]) == (
        "100.00",
        "100.00",
        "NOT_COVERED",
    )


def test_caregiver_not_registered_with_the_institution(world):
    nid = world.beneficiary(form="home_visits", institution="JJ001")
    world.records(_visits(nid, [2], caregiver=""))
    stored_unchecked(_visits(nid, [1], caregiver=CAREGIVER3))  # refused at entry since issue 14
    line = line_for(world.settle(), nid)
    assert (line["fund_amount"], line["rejected_amount"], line["reason_codes"]) == (
        "0.00",
        "200.00",
        "CAREGIVER",
    )


def test_overlapping_visits_of_one_caregiver_reject_the_later(world):
    first = world.beneficiary(form="home_visits", institution="JJ001")
    second = world.beneficiary(form="home_visits", institution="JJ001")
    world.records(
        [
            visit("JJ001", first, "2024-05-02", "100.00", CAREGIVER, "09:00", "10:00"),
            visit("JJ001", second, "2024-05-03", "100.00", CAREGIVER2, "09:30", "10:30"),
        ]
    )
    # refused at entry since issue 14 (the caregiver's visits overlap): stored as an earlier record
    stored_unchecked([visit("JJ001", second, "2024-05-02", "100.00", CAREGIVER, "09:30", "10:30")])
    lines = world.settle()
    assert line_for(lines, first)["reason_codes"] == ""
    assert (line_for(lines, second)["fund_amount"], line_for(lines, second)["reason_codes"]) == (
        "100.00",
        "CAREGIVER",
    )


def test_visit_by_institution_without_the_care_form_is_form_not_agreed(world):
    from institutions.models import Agreement
    from settlement.models import ServiceRecord

    nid = world.beneficiary(form="home_visits", institution="JJ002")
    # A visit form, so the record passes the entry check (SPEC 7.1); only the month knows the person's form.
    Agreement.objects.filter(institution__code="JJ002").update(care_forms=["community"])
    world.records(_visits(nid, [1], code="JJ002", caregiver=CAREGIVER3))
    assert ServiceRecord.objects.count() == 1
    assert line_for(world.settle(), nid)["reason_codes"] == "FORM_NOT_AGREED"


def test_visit_by_another_institution_than_the_decision_is_no_decision(world):
    nid = world.beneficiary(form="home_visits", institution="JJ001")
    world.records(_visits(nid, [1], code="JJ002", caregiver=CAREGIVER3))
    assert line_for(world.settle(), nid)["reason_codes"] == "NO_DECISION"


def test_bed_day_for_a_family_care_person_is_double_care(world):
    from .conftest import D, bed_days

    nid = world.beneficiary(form="home_family", institution="JJ001", carer_trained="true")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 1)))
    lines = world.settle()
    assert line_for(lines, nid, code="YL001")["reason_codes"] == "DOUBLE_CARE"
    assert line_for(lines, nid, code="")["fund_amount"] == "620.00"


def test_late_visits_only_get_what_is_left_of_their_month_limit(world):
    nid = world.beneficiary(form="home_visits", institution="JJ001")
    world.records([visit("JJ001", nid, f"2024-04-{d:02d}", "100.00", CAREGIVER) for d in range(1, 9)])
    assert line_for(world.settle("2024-04"), nid)["fund_amount"] == "800.00"
    world.records([visit("JJ001", nid, "2024-04-20", "150.00", CAREGIVER)])
    late = line_for(world.settle("2024-05"), nid)
    # April's limit 900: 800 already paid, the late 150 visit gets 100; 50 OVER_LIMIT.
    assert (late["fund_amount"], late["rejected_amount"], late["reason_codes"]) == (
        "100.00",
        "50.00",
        "OVER_LIMIT",
    )
