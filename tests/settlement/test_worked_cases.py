"""More worked cases from seed 001 (徐政办发〔2021〕86号 五(三)), computed by hand, May 2024 (31 days).

Each expectation is (quantity, charged, fund, personal, rejected, reason_codes) of the exported line.
"""

from ..interfaces import RECORDS
from .conftest import CAREGIVER, D, bed_days, line_for, visit


def _row(line):
    return (
        line["quantity"],
        line["charged_amount"],
        line["fund_amount"],
        line["personal_amount"],
        line["rejected_amount"],
        line["reason_codes"],
    )


def test_moderate_life_and_medical_in_a_medical_institution(world):
    nid = world.beneficiary(form="residential", institution="YY001", grade="2")
    world.records(
        bed_days("YY001", nid, D(2024, 5, 1), D(2024, 5, 31), charge="45.00")
        + bed_days("YY001", nid, D(2024, 5, 1), D(2024, 5, 31), charge="25.00", component="medical")
    )
    # life 31 x 45 = 1395 x 70% = 976.50; medical 31 x 25 = 775 x 80% = 620; fund 1596.50 of 2170.
    assert _row(line_for(world.settle(), nid)) == ("31", "2170.00", "1596.50", "573.50", "0.00", "")


def test_bonus_group_raises_life_and_medical_ratio(world):
    nid = world.beneficiary(form="residential", institution="YY001", categories="disabled_severe")
    world.records(
        bed_days("YY001", nid, D(2024, 5, 1), D(2024, 5, 31))
        + bed_days("YY001", nid, D(2024, 5, 1), D(2024, 5, 31), charge="50.00", component="medical")
    )
    # life 1860 x 75% = 1395; medical 1550 x 85% = 1317.50.
    assert _row(line_for(world.settle(), nid)) == ("31", "3410.00", "2712.50", "697.50", "0.00", "")


def test_residential_partial_month_from_the_decision_start(world):
    nid = world.beneficiary(
        form="residential", institution="YL001", concluded_on="2024-05-11", starts_on="2024-05-11"
    )
    world.records(bed_days("YL001", nid, D(2024, 5, 11), D(2024, 5, 31)))
    # 21 bed-days x 60 x 70% = 882.
    assert _row(line_for(world.settle(), nid)) == ("21", "1260.00", "882.00", "378.00", "0.00", "")


def test_residential_days_before_the_decision_are_no_decision(world):
    nid = world.beneficiary(form="residential", institution="YL001", starts_on="2024-05-11")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    # 1-10: no decision yet (600 rejected); 11-31: 21 x 60 x 70% = 882.
    assert _row(line_for(world.settle(), nid)) == (
        "31",
        "1860.00",
        "882.00",
        "378.00",
        "600.00",
        "NO_DECISION",
    )


def test_hospital_stay_from_the_previous_month(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.hospital([{"national_id": nid, "admitted_on": "2024-04-25", "discharged_on": "2024-05-03"}])
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    # 1-2 in hospital (120 rejected); the discharge day 3 is payable: 29 x 42 = 1218.
    assert _row(line_for(world.settle(), nid)) == ("31", "1860.00", "1218.00", "522.00", "120.00", "HOSPITAL")


def test_open_hospital_stay_rejects_every_later_day(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.hospital([{"national_id": nid, "admitted_on": "2024-05-29", "discharged_on": ""}])
    world.records(bed_days("YL001", nid, D(2024, 5, 27), D(2024, 5, 31)))
    # 27, 28 payable (84); 29-31 in hospital.
    assert _row(line_for(world.settle(), nid)) == ("5", "300.00", "84.00", "36.00", "180.00", "HOSPITAL")


def test_remote_cash_partial_month(world):
    nid = world.beneficiary(form="remote_cash", concluded_on="2024-05-11", starts_on="2024-05-11")
    # 21 days x 30 = 630, paid to the person (charged = fund).
    assert _row(line_for(world.settle(), nid)) == ("21", "630.00", "630.00", "0.00", "0.00", "")


def test_remote_cash_moderate_with_a_hospital_stay(world):
    nid = world.beneficiary(form="remote_cash", grade="2")
    world.hospital([{"national_id": nid, "admitted_on": "2024-05-10", "discharged_on": "2024-05-20"}])
    # 10-19 in hospital: 21 days x 20 = 420.
    assert _row(line_for(world.settle(), nid)) == ("21", "420.00", "420.00", "0.00", "0.00", "")


def test_family_care_partial_month_prorates_the_visit_limit(world):
    nid = world.beneficiary(
        form="home_family",
        institution="JJ001",
        carer_trained="true",
        concluded_on="2024-05-11",
        starts_on="2024-05-11",
    )
    world.records([visit("JJ001", nid, f"2024-05-{d:02d}", "100.00", CAREGIVER) for d in (12, 19, 26)])
    lines = world.settle()
    # allowance 21 x 20 = 420; visits limit 300 x 21 / 31 = 203.225... -> 203.23; 300 charged.
    assert _row(line_for(lines, nid, code="")) == ("21", "420.00", "420.00", "0.00", "0.00", "")
    assert _row(line_for(lines, nid, code="JJ001")) == (
        "3",
        "300.00",
        "203.23",
        "0.00",
        "96.77",
        "OVER_LIMIT",
    )


def test_family_care_moderate_untrained(world):
    nid = world.beneficiary(form="home_family", institution="JJ001", grade="2", carer_trained="false")
    # 10 x 31 x 80% = 248.
    assert _row(line_for(world.settle(), nid)) == ("31", "248.00", "248.00", "0.00", "0.00", "")


def test_home_visits_death_in_the_month_prorates_the_limit(world):
    nid = world.beneficiary(form="home_visits", institution="JJ001", ended_on="2024-05-20", end_reason="died")
    world.records(
        [visit("JJ001", nid, f"2024-05-{d:02d}", "150.00", CAREGIVER) for d in (2, 5, 8, 11, 14, 17, 20)]
    )
    # eligible 1-20 (the death day is payable for visits): 900 x 20 / 31 = 580.645... -> 580.65; 1050 charged.
    assert _row(line_for(world.settle(), nid)) == ("7", "1050.00", "580.65", "0.00", "469.35", "OVER_LIMIT")


def test_visit_of_another_institution_on_a_paid_day_is_double_care(world):
    from .conftest import CAREGIVER3

    nid = world.beneficiary(form="home_visits", institution="JJ001")
    world.records(
        [
            visit("JJ001", nid, "2024-05-02", "100.00", CAREGIVER),
            visit("JJ002", nid, "2024-05-02", "80.00", CAREGIVER3, "14:00", "15:00"),
        ]
    )
    lines = world.settle()
    assert _row(line_for(lines, nid, code="JJ001")) == ("1", "100.00", "100.00", "0.00", "0.00", "")
    assert _row(line_for(lines, nid, code="JJ002")) == ("1", "80.00", "0.00", "0.00", "80.00", "DOUBLE_CARE")


def test_visit_beside_a_paid_bed_day_is_double_care(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(
        bed_days("YL001", nid, D(2024, 5, 2), D(2024, 5, 2))
        + [visit("JJ001", nid, "2024-05-02", "100.00", CAREGIVER)]
    )
    lines = world.settle()
    assert line_for(lines, nid, code="YL001")["fund_amount"] == "42.00"
    assert _row(line_for(lines, nid, code="JJ001")) == (
        "1",
        "100.00",
        "0.00",
        "0.00",
        "100.00",
        "DOUBLE_CARE",
    )


def test_fen_rounding_half_up_on_the_line(world):
    nid = world.beneficiary(form="residential", institution="YL001", grade="2")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 1), charge="44.45"))
    # 44.45 x 70% = 31.115 -> 31.12 (half up); person 13.33.
    assert _row(line_for(world.settle(), nid)) == ("1", "44.45", "31.12", "13.33", "0.00", "")


def test_late_bed_day_keeps_its_service_month_and_is_priced_by_it(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 4, 1), D(2024, 4, 1)))
    world.settle("2024-04")
    world.records(bed_days("YL001", nid, D(2024, 4, 2), D(2024, 4, 3)))
    lines = [x for x in world.settle("2024-05") if x["national_id"] == nid]
    assert [_row(x) for x in lines] == [("2", "120.00", "84.00", "36.00", "0.00", "")]
    from settlement.models import RecordAudit, SettlementLine

    late = SettlementLine.objects.get(run__month=D(2024, 5, 1), person__national_id=nid)
    assert (late.is_late, late.service_month) == (True, D(2024, 4, 1))
    assert sorted(a.record.service_date for a in RecordAudit.objects.filter(line=late)) == [
        D(2024, 4, 2),
        D(2024, 4, 3),
    ]


def test_a_line_with_two_ratios_is_rounded_once(world):
    nid = world.beneficiary(form="residential", institution="YY001", grade="2")
    world.records(
        bed_days("YY001", nid, D(2024, 5, 1), D(2024, 5, 1), charge="44.45")
        + bed_days("YY001", nid, D(2024, 5, 1), D(2024, 5, 1), charge="24.97", component="medical")
    )
    # 44.45 x 70% = 31.115 plus 24.97 x 80% = 19.976: 51.091 -> 51.09 (rounding each part would give 51.10).
    assert _row(line_for(world.settle(), nid)) == ("1", "69.42", "51.09", "18.33", "0.00", "")


def test_visit_times_may_be_given_as_times_of_the_service_date(world):
    from settlement.models import ServiceRecord

    nid = world.beneficiary(form="home_visits", institution="JJ001")
    row = visit("JJ001", nid, "2024-05-02", "100.00", CAREGIVER)
    out, err = world.records(
        [
            {**row, "started_at": "09:00", "ended_at": "10:30"},
            {**row, "service_date": "2024-05-03", "started_at": "25:00", "ended_at": "26:00"},
        ]
    )
    assert "导入 1 行" in out and "started_at" in err, (out, err)
    record = ServiceRecord.objects.get(person__national_id=nid)
    assert (record.started_at.isoformat(), record.ended_at.isoformat()) == (
        "2024-05-02T01:00:00+00:00",
        "2024-05-02T02:30:00+00:00",
    )


def test_xlsx_with_typed_cells_is_imported_like_csv(world, tmp_path):
    import datetime as dt
    import io

    from django.core.management import call_command
    from openpyxl import Workbook

    nid = world.beneficiary(form="home_visits", institution="JJ001")
    bed = world.beneficiary(form="residential", institution="YL001")
    book = Workbook()
    sheet = book.active
    sheet.append(RECORDS)
    sheet.append(
        [
            "JJ001",
            nid,
            "home_visit",
            dt.date(2024, 5, 2),
            None,
            100,
            CAREGIVER,
            dt.datetime(2024, 5, 2, 9, 0),  # noqa: DTZ001 - Excel cells are naive
            dt.datetime(2024, 5, 2, 10, 0),  # noqa: DTZ001
            "清洁照料;饮食照料",
        ]
    )
    sheet.append(
        [
            "JJ001",
            nid,
            "home_visit",
            dt.date(2024, 5, 3),
            None,
            120.5,
            CAREGIVER,
            dt.time(14, 0),
            dt.time(15, 0),
            "康复照护",
        ]
    )
    sheet.append(["YL001", bed, "bed_day", dt.date(2024, 5, 1), "life", 60, None, None, None, None])
    path = tmp_path / "records.xlsx"
    book.save(path)
    out = io.StringIO()
    call_command("import_service_records", str(path), stdout=out, stderr=io.StringIO())
    assert "导入 3 行" in out.getvalue()
    lines = world.settle()
    assert _row(line_for(lines, nid)) == ("2", "220.50", "220.50", "0.00", "0.00", "")
    assert _row(line_for(lines, bed)) == ("1", "60.00", "42.00", "18.00", "0.00", "")
