"""Residential care (SPEC 5.2 A) worked by hand from seed 001 五(三)1, May 2024 (31 days)."""

from decimal import Decimal

from .conftest import D, bed_days, line_for


def _check_sum(line):
    assert Decimal(line["charged_amount"]) == (
        Decimal(line["fund_amount"]) + Decimal(line["personal_amount"]) + Decimal(line["rejected_amount"])
    )


def test_full_month_severe_life_60_a_day_fund_70_percent(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    line = line_for(world.settle(), nid)
    # 31 x 60 = 1860; fund 1860 x 0.70 = 1302; person 558.
    assert (
        line["quantity"],
        line["charged_amount"],
        line["fund_amount"],
        line["personal_amount"],
        line["rejected_amount"],
        line["reason_codes"],
    ) == ("31", "1860.00", "1302.00", "558.00", "0.00", "")


def test_severe_life_and_medical_in_a_medical_institution(world):
    nid = world.beneficiary(form="residential", institution="YY001")
    world.records(
        bed_days("YY001", nid, D(2024, 5, 1), D(2024, 5, 31))
        + bed_days("YY001", nid, D(2024, 5, 1), D(2024, 5, 31), charge="50.00", component="medical")
    )
    line = line_for(world.settle(), nid)
    # life 1860 x 0.70 = 1302; medical 31 x 50 = 1550 x 0.80 = 1240; quantity counts days, not records.
    assert (line["quantity"], line["charged_amount"], line["fund_amount"], line["personal_amount"]) == (
        "31",
        "3410.00",
        "2542.00",
        "868.00",
    )


def test_moderate_life_45_a_day(world):
    nid = world.beneficiary(form="residential", institution="YL001", grade="2")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31), charge="45.00"))
    line = line_for(world.settle(), nid)
    # 31 x 45 = 1395; fund x 0.70 = 976.50; person 418.50.
    assert (line["fund_amount"], line["personal_amount"]) == ("976.50", "418.50")


def test_medical_component_in_an_elderly_care_institution_is_form_not_agreed(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 2), charge="50.00", component="medical"))
    line = line_for(world.settle(), nid)
    assert (line["fund_amount"], line["rejected_amount"], line["reason_codes"]) == (
        "0.00",
        "100.00",
        "FORM_NOT_AGREED",
    )


def test_over_agreed_price_only_the_excess_is_rejected(world):
    nid = world.beneficiary(form="residential", institution="YL002")
    world.records(bed_days("YL002", nid, D(2024, 5, 1), D(2024, 5, 31), charge="80.00"))
    line = line_for(world.settle(), nid)
    # base = min(80, agreed 55, standard 60) = 55; 31 x 55 = 1705 x 0.70 = 1193.50; rejected 31 x 25 = 775.
    assert (
        line["charged_amount"],
        line["fund_amount"],
        line["personal_amount"],
        line["rejected_amount"],
        line["reason_codes"],
    ) == ("2480.00", "1193.50", "511.50", "775.00", "OVER_PRICE")
    _check_sum(line)


def test_charge_above_the_standard_without_agreed_price_is_over_price(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 1), charge="70.00"))
    line = line_for(world.settle(), nid)
    assert (line["fund_amount"], line["personal_amount"], line["rejected_amount"], line["reason_codes"]) == (
        "42.00",
        "18.00",
        "10.00",
        "OVER_PRICE",
    )


def test_special_group_gets_five_more_points(world):
    nid = world.beneficiary(form="residential", institution="YL001", categories="medical_aid")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    line = line_for(world.settle(), nid)
    # 1860 x 0.75 = 1395; person 465.
    assert (line["fund_amount"], line["personal_amount"]) == ("1395.00", "465.00")


def test_hospital_stay_in_the_middle_rejects_admission_to_day_before_discharge(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.hospital([{"national_id": nid, "admitted_on": "2024-05-10", "discharged_on": "2024-05-15"}])
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    line = line_for(world.settle(), nid)
    # days 10-14 in hospital (5 x 60 = 300 rejected); 26 payable days x 60 = 1560 x 0.70 = 1092.
    assert (
        line["quantity"],
        line["charged_amount"],
        line["fund_amount"],
        line["personal_amount"],
        line["rejected_amount"],
        line["reason_codes"],
    ) == ("31", "1860.00", "1092.00", "468.00", "300.00", "HOSPITAL")


def test_death_in_the_month_death_day_is_not_a_bed_day(world):
    nid = world.beneficiary(form="residential", institution="YL001", ended_on="2024-05-20", end_reason="died")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    line = line_for(world.settle(), nid)
    # 1-19 payable: 19 x 60 = 1140 x 0.70 = 798; 20-31 (12 days, 720) NOT_COVERED.
    assert (line["fund_amount"], line["personal_amount"], line["rejected_amount"], line["reason_codes"]) == (
        "798.00",
        "342.00",
        "720.00",
        "NOT_COVERED",
    )


def test_two_institutions_on_one_day_the_other_institution_gets_double_care(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(
        bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31))
        + bed_days("YY001", nid, D(2024, 5, 5), D(2024, 5, 5))
    )
    lines = world.settle()
    assert line_for(lines, nid, code="YL001")["fund_amount"] == "1302.00"
    other = line_for(lines, nid, code="YY001")
    assert (
        other["charged_amount"],
        other["fund_amount"],
        other["rejected_amount"],
        other["reason_codes"],
    ) == ("60.00", "0.00", "60.00", "DOUBLE_CARE")


def test_bed_day_after_discharge_from_the_institution_is_bed(world):
    from benefits.models import Admission

    nid = world.beneficiary(form="residential", institution="YL001")
    Admission.objects.filter(person__national_id=nid).update(discharged_on=D(2024, 5, 30))
    world.records(bed_days("YL001", nid, D(2024, 5, 29), D(2024, 5, 31)))
    line = line_for(world.settle(), nid)
    # 29 payable; 30 (discharge day) and 31 are not bed-days.
    assert (line["fund_amount"], line["rejected_amount"], line["reason_codes"]) == ("42.00", "120.00", "BED")


def test_bed_no_longer_registered_is_bed(world):
    from benefits.models import Admission
    from institutions.models import Bed

    first = world.beneficiary(form="residential", institution="YL001")
    second = world.beneficiary(form="residential", institution="YL001")
    Bed.objects.filter(pk=Admission.objects.get(person__national_id=second).bed_id).update(
        registered_to=D(2024, 4, 30)
    )
    world.records(
        bed_days("YL001", first, D(2024, 5, 1), D(2024, 5, 1))
        + bed_days("YL001", second, D(2024, 5, 1), D(2024, 5, 1))
    )
    lines = world.settle()
    assert [line_for(lines, nid)["reason_codes"] for nid in (first, second)] == ["", "BED"]


def _five_residents_four_registered_beds(world):
    """Five residents of YL001 on five beds, one of which is registered to another institution: YL001 has
    four registered beds for five bed-days of 1 May (records in resident order)."""
    from benefits.models import Admission
    from institutions.models import Bed, Institution

    nids = [world.beneficiary(form="residential", institution="YL001") for _ in range(5)]
    Bed.objects.filter(pk=Admission.objects.get(person__national_id=nids[2]).bed_id).update(
        institution=Institution.objects.get(code="YL002"), label="YL001-借用"
    )
    world.records([row for nid in nids for row in bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 1))])
    return nids


def test_bed_days_beyond_the_registered_beds_of_the_day_are_bed(world):
    nids = _five_residents_four_registered_beds(world)
    lines = world.settle()
    assert [line_for(lines, nid)["reason_codes"] for nid in nids] == ["", "", "", "", "BED"]


def test_an_excluded_bed_day_does_not_take_a_registered_bed(world):
    from settlement.models import ServiceRecord

    nids = _five_residents_four_registered_beds(world)
    ServiceRecord.objects.filter(person__national_id=nids[1]).update(excluded_code="EXCLUDED_THIRD_PARTY")
    lines = world.settle()
    assert [line_for(lines, nid)["reason_codes"] for nid in nids] == ["", "EXCLUDED_THIRD_PARTY", "", "", ""]
