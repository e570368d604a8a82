"""SPEC 11.3, 11.7, 11.9 through the command interfaces only, against dates worked by hand from seed 001.

Everyone is a Xuzhou resident enrolled in 2020 and paid 2026 on time unless the case says otherwise.
"""

import datetime as dt
import json

import pytest
from django.core.management import CommandError
from django.utils import translation

from ltci.core.idnumber import make_id_number

from ..interfaces import (
    CONCLUSIONS,
    DECISIONS,
    INSTITUTIONS,
    PAYMENTS,
    ROSTER,
    STAYS,
    institution,
    run,
    write,
)


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


D = dt.date
P = {
    name: make_id_number("320302", D(1950, 2, 1 + i), 30 + 2 * i)
    for i, name in enumerate(["res", "hosp", "dead", "late", "full1", "full2", "remote", "mod"])
}
P["late"] = make_id_number("320302", D(1980, 4, 4), 44)  # under 70: pays the individual part (no subsidy)


def explain(person, day, *extra):
    out, _ = run("explain_eligibility", P[person], day, "--json", *extra)
    return json.loads(out)


def failing(data):
    return [c["reason_code"] for c in data["conditions"] if not c["passed"]]


@pytest.fixture
def city(db, tmp_path, xuzhou):
    roster = [
        [P[n], n, "resident", "320302", enrolled, "", "false", ended, reason]
        for n, enrolled, ended, reason in [
            ("res", "2020-01-01", "", ""),
            ("hosp", "2020-01-01", "", ""),
            ("dead", "2020-01-01", "2026-05-20", "died"),
            ("late", "2026-03-01", "", ""),
            ("full1", "2020-01-01", "", ""),
            ("full2", "2020-01-01", "", ""),
            ("remote", "2020-01-01", "", ""),
            ("mod", "2020-01-01", "", ""),
        ]
    ]
    run("import_roster", write(tmp_path, "roster.csv", ROSTER, roster))
    run("run_contributions", "--year", "2026", "--on", "2026-01-05")
    # "late" was enrolled on 2026-03-01 and paid on 2026-03-05: payable from 2026-09-06 (SPEC 3.4).
    payments = [[P[n], "2026", "20.00", "2026-01-10", "resident_premium", ""] for n in P if n != "late"]
    payments.append([P["late"], "2026", "20.00", "2026-03-05", "resident_premium", ""])
    run("import_payments", write(tmp_path, "pay.csv", PAYMENTS, payments))
    institutions = [
        institution("E1", "养老院一", "elderly_care", "residential", 1),
        institution("H1", "居家一", "home_care", "home_visits;home_family", 0),
    ]
    run("import_institutions", write(tmp_path, "inst.csv", INSTITUTIONS, institutions))
    grades = {"res": 4, "hosp": 3, "dead": 5, "late": 3, "full1": 3, "full2": 3, "remote": 3, "mod": 2}
    conclusions = [[P[n], g, "2026-01-01", "", ""] for n, g in grades.items()]
    run("import_conclusions", write(tmp_path, "concl.csv", CONCLUSIONS, conclusions))
    return tmp_path


def test_residential_decisions_take_free_beds_and_a_full_house_rejects_the_row(city):
    out, err = run(
        "import_benefit_decisions",
        write(
            city,
            "dec.csv",
            DECISIONS,
            [
                [P["full1"], "residential", "E1", "", "2026-02-01", "2026-03-31"],
                [P["full2"], "residential", "E1", "", "2026-03-15", ""],  # the only bed is taken until 03-31
                [
                    P["res"],
                    "residential",
                    "E1",
                    "",
                    "2026-04-01",
                    "",
                ],  # free again: the discharge day is 04-01
            ],
        ),
    )
    assert "3 rows, 2 applied, 0 unchanged, 1 rejected" in out
    assert "row 3, field institution_code: no free registered bed at E1 on 2026-03-15" in err
    from benefits.models import Admission, BenefitDecision

    assert not BenefitDecision.objects.filter(person__national_id=P["full2"]).exists()
    assert list(Admission.objects.order_by("admitted_on").values_list("admitted_on", "discharged_on")) == [
        (D(2026, 2, 1), D(2026, 4, 1)),
        (D(2026, 4, 1), None),
    ]
    # The last day of a decision is a bed-day; the resident of the next decision is on the bed from 04-01.
    assert explain("full1", "2026-03-31")["eligible"] is True
    assert failing(explain("full1", "2026-04-01")) == ["NO_DECISION", "NO_DECISION"]
    data = explain("res", "2026-04-01")
    assert data["eligible"] is True
    assert data["conditions"][-1]["record"].startswith("Admission#")


def test_hospital_stay_days_from_admission_to_the_day_before_discharge(city):
    run(
        "import_benefit_decisions",
        write(city, "dec.csv", DECISIONS, [[P["hosp"], "home_visits", "H1", "", "2026-01-01", ""]]),
    )
    out, err = run(
        "import_hospital_stays",
        write(
            city,
            "stays.csv",
            STAYS,
            [
                [P["hosp"], "2026-06-10", "2026-06-15", "徐州市中心医院"],
                [
                    P["hosp"],
                    "2026-06-15",
                    "2026-06-15",
                    "徐州市中心医院",
                ],  # same-day stay on the discharge day: no days
                [P["hosp"], "2026-07-01", "", "徐州市第一人民医院"],  # still in hospital
            ],
        ),
    )
    assert "3 rows, 3 applied" in out and not err
    expected = {
        "2026-06-09": [],
        "2026-06-10": ["HOSPITAL"],
        "2026-06-14": ["HOSPITAL"],
        "2026-06-15": [],
        "2026-06-30": [],
        "2026-07-01": ["HOSPITAL"],
        "2026-08-20": ["HOSPITAL"],
    }
    assert {day: failing(explain("hosp", day)) for day in expected} == expected
    stay = explain("hosp", "2026-06-12")["conditions"][5]
    assert stay["code"] == "not_in_hospital" and stay["record"].startswith("HospitalStay#")
    # The discharge arrives later: from that day on the person is payable again.
    run(
        "import_hospital_stays",
        write(city, "stays2.csv", STAYS, [[P["hosp"], "2026-07-01", "2026-07-20", "徐州市第一人民医院"]]),
    )
    assert failing(explain("hosp", "2026-07-19")) == ["HOSPITAL"]
    assert failing(explain("hosp", "2026-07-20")) == []


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["{hosp}", "2026-06-10", "2026-06-09", "医院"],
            "row 2, field discharged_on: discharge 2026-06-09 is before admission 2026-06-10",
        ),
        (["{hosp}", "2026/06/10", "", "医院"], "row 2, field admitted_on: "),
        (["{hosp}", "", "", "医院"], "row 2, field admitted_on: is required"),
        (["{hosp}", "2026-06-10", "", ""], "row 2, field hospital: is required"),
        (["320302195002010000", "2026-06-10", "", "医院"], "row 2, field national_id: "),
        (["110101199001011237", "2026-06-10", "", "医院"], "row 2, field national_id: no insured person"),
    ],
)
def test_hospital_stay_bad_rows_name_row_field_and_reason(city, row, message):
    row = [c.format(hosp=P["hosp"]) for c in row]
    out, err = run("import_hospital_stays", write(city, "bad.csv", STAYS, [row]))
    assert "1 rejected" in out
    assert message in err
    from benefits.models import HospitalStay

    assert not HospitalStay.objects.exists()


def test_waiting_period_runs_six_months_from_the_day_after_full_payment(city):
    run(
        "import_benefit_decisions",
        write(city, "dec.csv", DECISIONS, [[P["late"], "home_visits", "H1", "", "2026-03-10", ""]]),
    )
    assert failing(explain("late", "2026-09-05")) == ["WAITING"]
    waiting = explain("late", "2026-09-05")["conditions"][2]
    assert waiting["code"] == "waiting_period" and "2026-09-06" in waiting["detail"]
    assert explain("late", "2026-09-06")["eligible"] is True


def test_death_ends_coverage_after_the_day_of_death_and_the_daily_job_ends_the_decision(city):
    run(
        "import_benefit_decisions",
        write(city, "dec.csv", DECISIONS, [[P["dead"], "residential", "E1", "", "2026-02-01", ""]]),
    )
    assert explain("dead", "2026-05-19")["eligible"] is True
    covered = explain("dead", "2026-05-21")["conditions"][0]
    assert (covered["passed"], covered["reason_code"]) == (False, "NOT_COVERED")
    # The day of death is covered, but it is not a bed-day once the admission ends on it.
    from benefits.models import Admission, BenefitDecision
    from benefits.services.housekeeping import end_decisions_daily

    assert end_decisions_daily()["died"] == 1
    decision = BenefitDecision.objects.get(person__national_id=P["dead"])
    assert (decision.ends_on, decision.end_reason) == (D(2026, 5, 20), "died")
    assert Admission.objects.get(person=decision.person).discharged_on == D(2026, 5, 20)
    day_of_death = explain("dead", "2026-05-20")
    # SPEC 5.2 dates: the day of death is not a bed-day; the explanation answers as the settlement does
    # (NOT_COVERED for a bed-day on that day, docs/decisions.md), and the bed is no longer registered.
    assert day_of_death["conditions"][0]["reason_code"] == "NOT_COVERED"
    assert failing(day_of_death)[0] == "NOT_COVERED"


def test_remote_cash_and_the_care_form_argument(city):
    run(
        "import_benefit_decisions",
        write(city, "dec.csv", DECISIONS, [[P["remote"], "remote_cash", "", "", "2026-01-01", ""]]),
    )
    assert explain("remote", "2026-05-01")["eligible"] is True
    data = explain("remote", "2026-05-01", "--care-form", "home_visits")
    assert data["eligible"] is False and "NO_DECISION" in failing(data)
    assert [c["number"] for c in data["conditions"]] == [1, 2, 2, 3, 4, 5, 6]


def test_explain_json_lists_every_condition_with_pass_or_fail_and_its_record(city):
    run(
        "import_benefit_decisions",
        write(city, "dec.csv", DECISIONS, [[P["mod"], "home_family", "H1", "true", "2026-01-01", ""]]),
    )
    data = explain("mod", "2026-05-01")
    assert [(c["code"], c["result"]) for c in data["conditions"]] == [
        ("covered", "pass"),
        ("contribution_paid", "pass"),
        ("waiting_period", "pass"),
        ("conclusion", "pass"),
        ("decision", "pass"),
        ("not_in_hospital", "pass"),
        ("agreement", "pass"),
    ]
    records = [c["record"] for c in data["conditions"]]
    assert records[0].startswith("CoveragePeriod#") and records[1].startswith("Contribution#")
    assert records[3].startswith("Conclusion#") and records[4].startswith("BenefitDecision#")
    assert records[6].startswith("Agreement#")


def test_explain_under_jinjiang_names_the_standard_left_for_staff(city, load_pack):
    run(
        "import_benefit_decisions",
        write(city, "dec.csv", DECISIONS, [[P["mod"], "home_visits", "H1", "", "2026-01-01", ""]]),
    )
    load_pack("jinjiang-2023")
    with pytest.raises(
        CommandError, match=r"'covered_classes' \[\*\] of scheme jinjiang-2023 .* not been entered"
    ):
        run("explain_eligibility", P["mod"], "2026-02-01")


def test_move_out_in_the_roster_ends_the_decision_through_the_daily_command(city):
    run(
        "import_benefit_decisions",
        write(city, "dec.csv", DECISIONS, [[P["full1"], "residential", "E1", "", "2026-02-01", ""]]),
    )
    run(
        "import_roster",
        write(
            city,
            "roster2.csv",
            ROSTER,
            [
                [
                    P["full1"],
                    "full1",
                    "resident",
                    "320302",
                    "2020-01-01",
                    "",
                    "false",
                    "2026-06-30",
                    "moved_out",
                ]
            ],
        ),
    )
    assert failing(explain("full1", "2026-07-01"))[0] == "NOT_COVERED"
    out, _ = run("end_benefit_decisions")
    assert "coverage_ended 1" in out and "died 0" in out
    from benefits.models import Admission, BenefitDecision

    decision = BenefitDecision.objects.get(person__national_id=P["full1"])
    assert (decision.ends_on, decision.end_reason) == (D(2026, 6, 30), "moved_out")
    assert Admission.objects.get(person=decision.person).discharged_on == D(2026, 7, 1)  # 06-30 is a bed-day
    out, _ = run("end_benefit_decisions")  # safe to run twice
    assert "coverage_ended 0" in out
    with pytest.raises(CommandError, match="--on: .2026-02-30. is not a date"):
        run("end_benefit_decisions", "--on", "2026-02-30")
