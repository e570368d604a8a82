"""One month of a Xuzhou office through the SPEC 11 command interfaces only, against amounts worked by hand
from seed 001 (徐政办发〔2021〕86号 五(三)).

October 2026 has 31 days. Everyone was enrolled in 2020 and paid 2026 on time, so nobody waits.
"""

import csv
import datetime as dt
import io
import json

import pytest

from ltci.core.idnumber import make_id_number

from .interfaces import (
    CAREGIVERS,
    CONCLUSIONS,
    DECISIONS,
    INSTITUTIONS,
    PAYMENTS,
    RECORDS,
    ROSTER,
    STAYS,
    institution,
    run,
    write,
)

D = dt.date
P = {
    name: make_id_number("320302", D(1940, 1, 1 + i), 10 + 2 * i)
    for i, name in enumerate(["p1", "p2", "p3", "p4", "p5", "p6", "p7"])
}
# p8 is under 70, so the resident-aged-70+ subsidy does not pay for them.
P["p8"] = make_id_number("320302", D(1960, 3, 8), 26)
CAREGIVER = make_id_number("320311", D(1980, 5, 5), 21)


def visits(inst, person, days, amount, start_hour=9):
    return [
        [
            inst,
            P[person],
            "home_visit",
            f"2026-10-{d:02d}",
            "",
            amount,
            CAREGIVER,
            f"2026-10-{d:02d}T{start_hour:02d}:00",
            f"2026-10-{d:02d}T{start_hour + 1:02d}:00",
            "清洁照料;饮食照料",
        ]
        for d in days
    ]


@pytest.fixture
def october(db, tmp_path, xuzhou):
    roster = [
        [P[n], n.upper(), "resident", "320302", "2020-01-01", cats, "false", ended, reason]
        for n, cats, ended, reason in [
            ("p1", "", "", ""),
            ("p2", "", "", ""),
            ("p3", "medical_aid", "", ""),
            ("p4", "", "", ""),
            ("p5", "", "2026-10-20", "died"),
            ("p6", "disabled_severe", "", ""),
            ("p7", "", "", ""),
            ("p8", "", "", ""),
        ]
    ]
    run("import_roster", write(tmp_path, "roster.csv", ROSTER, roster))
    run("run_contributions", "--year", "2026", "--on", "2026-01-05")
    # p1-p7 are residents aged 70+ (fully subsidised); p8 is 66 and never pays (arrears).
    payments = [
        [P[n], "2026", "20.00", "2026-01-10", "resident_premium", ""] for n in ("p1", "p2", "p4", "p5", "p7")
    ]
    run("import_payments", write(tmp_path, "payments.csv", PAYMENTS, payments))
    institutions = [
        institution("M1", "护理院一", "medical", "residential", 10),
        institution("E1", "养老院一", "elderly_care", "residential", 5),
        institution("H1", "居家服务一", "home_care", "home_visits;home_family", 0),
    ]
    run("import_institutions", write(tmp_path, "inst.csv", INSTITUTIONS, institutions))
    caregivers = [["H1", CAREGIVER, "护理员甲", "养老护理员", "2025-01-01", ""]]
    run("import_caregivers", write(tmp_path, "cg.csv", CAREGIVERS, caregivers))
    grades = {"p1": 3, "p2": 2, "p3": 4, "p4": 5, "p5": 2, "p6": 3, "p7": 2, "p8": 3}
    conclusions = [[P[n], g, "2026-01-01", "", ""] for n, g in grades.items()]
    run("import_conclusions", write(tmp_path, "concl.csv", CONCLUSIONS, conclusions))
    decisions = [
        [P["p1"], "residential", "M1", "", "2026-01-01", ""],
        [P["p2"], "residential", "E1", "", "2026-01-01", ""],
        [P["p3"], "home_visits", "H1", "", "2026-01-01", ""],
        [P["p4"], "home_family", "H1", "false", "2026-01-01", ""],
        [P["p5"], "remote_cash", "", "", "2026-01-01", ""],
        [P["p6"], "residential", "E1", "", "2026-01-01", ""],
        [P["p7"], "home_visits", "H1", "", "2026-10-11", ""],
        [P["p8"], "home_visits", "H1", "", "2026-01-01", ""],
    ]
    run("import_benefit_decisions", write(tmp_path, "dec.csv", DECISIONS, decisions))
    stays = [[P["p2"], "2026-10-10", "2026-10-15", "徐州市中心医院"]]
    run("import_hospital_stays", write(tmp_path, "hosp.csv", STAYS, stays))
    days = range(1, 32)
    records = (
        [
            ["M1", P["p1"], "bed_day", f"2026-10-{d:02d}", comp, amt, "", "", "", ""]
            for d in days
            for comp, amt in (("life", "80.00"), ("medical", "60.00"))
        ]
        + [["E1", P["p2"], "bed_day", f"2026-10-{d:02d}", "life", "40.00", "", "", "", ""] for d in days]
        + [["E1", P["p6"], "bed_day", f"2026-10-{d:02d}", "life", "60.00", "", "", "", ""] for d in days]
        + visits("H1", "p3", range(1, 11), "100.00")
        + visits("H1", "p4", (3, 17), "200.00", start_hour=11)
        + visits("H1", "p7", (5, 12, 14, 19, 21, 26), "100.00", start_hour=14)
        + visits("H1", "p8", (6,), "100.00", start_hour=16)
    )
    run("import_service_records", write(tmp_path, "records.csv", RECORDS, records))
    run("run_settlement", "--month", "2026-10")
    out, _ = run("export_settlement", "--month", "2026-10")
    return list(csv.DictReader(io.StringIO(out)))


def line(rows, person, care_form, institution):
    found = [
        r
        for r in rows
        if r["national_id"] == P[person]
        and r["care_form"] == care_form
        and r["institution_code"] == institution
    ]
    assert len(found) == 1, (person, care_form, institution, rows)
    r = found[0]
    return (
        r["quantity"],
        r["charged_amount"],
        r["fund_amount"],
        r["personal_amount"],
        r["rejected_amount"],
        r["reason_codes"],
    )


def test_export_header_is_the_contract(october):
    assert list(october[0].keys()) == [
        "institution_code",
        "national_id",
        "care_form",
        "quantity",
        "charged_amount",
        "fund_amount",
        "personal_amount",
        "rejected_amount",
        "reason_codes",
    ]


def test_every_line_balances(october):
    from decimal import Decimal

    for r in october:
        assert Decimal(r["charged_amount"]) == (
            Decimal(r["fund_amount"]) + Decimal(r["personal_amount"]) + Decimal(r["rejected_amount"])
        ), r


def test_severe_in_medical_institution_full_month_over_standard(october):
    # life: base 60, fund 42.00, personal 18, rejected 20 x 31; medical: base 50, fund 40, personal 10, rejected 10.
    assert line(october, "p1", "residential", "M1") == (
        "31",
        "4340.00",
        "2542.00",
        "868.00",
        "930.00",
        "OVER_PRICE",
    )


def test_moderate_with_hospital_stay_in_the_middle(october):
    # 10-10 .. 10-14 in hospital (discharge day 10-15 payable): 26 days x 40 x 70% = 728.00.
    assert line(october, "p2", "residential", "E1") == (
        "31",
        "1240.00",
        "728.00",
        "312.00",
        "200.00",
        "HOSPITAL",
    )


def test_plus_five_points_group(october):
    # disabled_severe: 75% of 60 = 45.00 x 31.
    assert line(october, "p6", "residential", "E1") == ("31", "1860.00", "1395.00", "465.00", "0.00", "")


def test_home_visits_over_the_monthly_limit(october):
    assert line(october, "p3", "home_visits", "H1") == (
        "10",
        "1000.00",
        "900.00",
        "0.00",
        "100.00",
        "OVER_LIMIT",
    )


def test_family_care_untrained_carer_and_visits(october):
    assert line(october, "p4", "home_family", "") == ("31", "496.00", "496.00", "0.00", "0.00", "")
    assert line(october, "p4", "home_family", "H1") == (
        "2",
        "400.00",
        "300.00",
        "0.00",
        "100.00",
        "OVER_LIMIT",
    )


def test_remote_cash_until_death(october):
    assert line(october, "p5", "remote_cash", "") == ("20", "400.00", "400.00", "0.00", "0.00", "")


def test_partial_month_prorated_limit(october):
    # decision from 10-11: 21 eligible days, limit 600 x 21 / 31 = 406.45; the 10-05 visit has no decision.
    assert line(october, "p7", "home_visits", "H1") == (
        "6",
        "600.00",
        "406.45",
        "0.00",
        "193.55",
        "NO_DECISION;OVER_LIMIT",
    )


def test_arrears_rejects_everything(october):
    assert line(october, "p8", "home_visits", "H1") == ("1", "100.00", "0.00", "0.00", "100.00", "ARREARS")


def test_explain_eligibility_json_names_the_failing_condition(october):
    out, _ = run("explain_eligibility", P["p2"], "2026-10-12", "--json")
    data = json.loads(out)
    assert data["eligible"] is False
    failed = [c for c in data["conditions"] if not c["passed"]]
    assert failed and failed[0]["reason_code"] == "HOSPITAL"
