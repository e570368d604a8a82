"""Issue 18 (SPEC 3): contributions and waiting per seed, through the SPEC 11 commands only, worked by hand.

Each test quotes the seed clause it reads; the figures in the comments are the hand-worked answer.
"""

import contextlib
import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from enrollment.imports import ACCOUNT_EVENT_COLUMNS, PAYMENT_COLUMNS, ROSTER_COLUMNS, ROSTER_OPTIONAL
from enrollment.services.family import available_balance
from ltci.core.idnumber import make_id_number
from tests.benefits.test_contracts import write

ROSTER = [c for c in ROSTER_COLUMNS if c not in ROSTER_OPTIONAL]  # the SPEC 11.1 columns
PAYMENTS, EVENTS = PAYMENT_COLUMNS, ACCOUNT_EVENT_COLUMNS


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def person(region: str, serial: int, birth=dt.date(1980, 3, 1)) -> str:
    return make_id_number(region, birth, serial)


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.suppress(SystemExit):  # rejected rows exit 1 (SPEC 11): the output is what we read
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def exported(year: int) -> dict[str, dict]:
    out, _ = run("export_contributions", "--year", str(year))
    return {row["national_id"]: row for row in csv.DictReader(io.StringIO(out.lstrip("\ufeff")))}


def waiting(national_id: str, day: str) -> dict:
    out, _ = run("explain_eligibility", national_id, day, "--json")
    return next(c for c in json.loads(out)["conditions"] if c["code"] == "waiting_period")


def test_xuzhou_2022_exemption_follows_the_first_application(tmp_path, xuzhou):
    """Seed 001 五(一): "新参保人员设置6个月的待遇享受等待期……(2021年度已经参加我市基本医疗保险并享受待遇的人员,
    2022年首次申请长护险待遇,不受等待期限制)。以后年度未按时足额缴费人员,视为新参保人员。"

    Both residents were insured in 2020 and paid 2022 late (2022-10-10, deadline 01-31): a waiting period
    2022-10-10..2023-04-10 (payable from add_months(2022-10-11, 6) = 2023-04-11). A first applied on
    2022-09-01 (in 2022): exempt, also in 2023. B first applied on 2023-02-01: not exempt.
    """
    a, b = person("320302", 11), person("320302", 13)
    rows = [[n, n[-4:], "resident", "320302", "2020-01-01", "", "false", "", ""] for n in (a, b)]
    run("import_roster", write(tmp_path, "r.csv", ROSTER, rows))
    run("run_contributions", "--year", "2022", "--on", "2022-01-05")
    pay = [[n, "2022", "20.00", "2022-10-10", "resident_premium", ""] for n in (a, b)]
    pay += [[n, "2023", "20.00", "2022-12-20", "resident_premium", ""] for n in (a, b)]
    run("import_payments", write(tmp_path, "p.csv", PAYMENTS, pay))
    run(
        "import_conclusions",
        write(
            tmp_path,
            "c.csv",
            ["national_id", "grade", "concluded_on", "valid_until", "agency_code", "applied_on"],
            [[a, "4", "2022-10-20", "", "", "2022-09-01"], [b, "4", "2023-03-01", "", "", "2023-02-01"]],
        ),
    )
    assert waiting(a, "2023-02-01")["passed"] is True
    assert "first application on 2022-09-01" in waiting(a, "2023-02-01")["detail"]
    assert waiting(b, "2023-02-01")["reason_code"] == "WAITING"
    rows_2023 = exported(2023)
    assert rows_2023[a]["payable_from"] == "2023-01-01"
    assert rows_2023[b]["payable_from"] == "2023-04-11"


def test_conclusions_applied_on_after_the_conclusion_is_refused(tmp_path, xuzhou):
    """The optional `applied_on` column of import_conclusions: an application follows no conclusion."""
    a = person("320302", 15)
    run(
        "import_roster",
        write(
            tmp_path, "r.csv", ROSTER, [[a, "甲", "resident", "320302", "2020-01-01", "", "false", "", ""]]
        ),
    )
    _, err = run(
        "import_conclusions",
        write(
            tmp_path,
            "c.csv",
            ["national_id", "grade", "concluded_on", "applied_on"],
            [[a, "4", "2022-10-20", "2022-11-01"], [a, "4", "2022-12-20", "2022-13-01"]],
        ),
    )
    assert "row 2, field applied_on: 2022-11-01" in err
    assert "row 3, field applied_on" in err


def test_catch_up_run_after_the_deadline_counts_account_transfers_on_time(tmp_path, xuzhou):
    """Seed 001 四(二): "参加职工医保的个人缴纳部分,每年1月底前由经办机构统一从医疗保险个人账户中划转当年度参保费用".

    The 2024 run is booked late, on 2024-03-01 (deadline 01-31). A's account held 100.00 on 2024-01-10: the
    office's transfer of 20.00 counts on the deadline, paid on time, no wait. B held 5.00 by the deadline and
    100.00 only from 2024-02-20: paid on the booking day 2024-03-01, arrears 02-01..02-29, waiting until
    2024-09-01, payable from add_months(2024-03-02, 6) = 2024-09-02.
    """
    a, b = person("320302", 21), person("320302", 23)
    rows = [[n, n[-4:], "employee", "320302", "2020-01-01", "", "true", "", ""] for n in (a, b)]
    run("import_roster", write(tmp_path, "r.csv", ROSTER, rows))
    events = [
        [a, "balance", "100.00", "2024-01-10"],
        [b, "balance", "5.00", "2024-01-10"],
        [b, "balance", "100.00", "2024-02-20"],
    ]
    run("import_account_events", write(tmp_path, "e.csv", EVENTS, events))
    run("run_contributions", "--year", "2024", "--on", "2024-03-01")
    rows_2024 = exported(2024)
    assert (rows_2024[a]["status"], rows_2024[a]["paid_on"], rows_2024[a]["payable_from"]) == (
        "paid",
        "2024-01-31",
        "2024-01-01",
    )
    assert (rows_2024[b]["status"], rows_2024[b]["paid_on"], rows_2024[b]["payable_from"]) == (
        "paid",
        "2024-03-01",
        "2024-09-02",
    )


def enter_standard(**value):
    """Staff enter the amounts the seed leaves to implementing rules (the admin's 政策参数)."""
    from ltci.core.models import PolicyRecord

    PolicyRecord.objects.filter(kind="contribution_standard").update(value={"form": "fixed", **value})
    PolicyRecord.objects.filter(kind="subsidised_categories").update(value={"categories": []})


def test_lianyungang_residents_from_2025_and_the_first_year_prorated(tmp_path, load_pack):
    """Seed 000 三(一): "2023年先从职工医保参保人员开始试点。……2024年底前将居民医保参保人员纳入长护险参保对象。"
    and "本意见自 2023 年 7 月 1 日起施行".

    With a yearly standard of 100.00 (individual 40.00 + pooled fund 60.00, entered by staff): the employee's
    2023 covers July..December, 6 months: 20.00 + 30.00 (partial_year prorated, a default). The resident has no
    2024 contribution (not one day of 2024 charged a full year) and pays the full 40.00 in 2025.
    """
    load_pack("lianyungang-2023")
    enter_standard(total="100.00", individual="40.00", pooled_fund="60.00")
    e, r = person("320706", 31), person("320706", 33)
    rows = [
        [e, "职工", "employee", "320706", "2023-07-01", "", "true", "", ""],
        [r, "居民", "resident", "320706", "2020-01-01", "", "false", "", ""],
    ]
    run("import_roster", write(tmp_path, "r.csv", ROSTER, rows))
    run("import_account_events", write(tmp_path, "e.csv", EVENTS, [[e, "balance", "200.00", "2023-07-05"]]))
    run("run_contributions", "--year", "2023", "--on", "2023-07-10")
    row = exported(2023)[e]
    assert (row["individual_amount"], row["pooled_fund_amount"], row["status"]) == ("20.00", "30.00", "paid")
    for year in (2024, 2025):
        run("run_contributions", "--year", str(year), "--on", f"{year}-01-10")
    assert r not in exported(2024)
    assert exported(2025)[r]["individual_amount"] == "40.00"
    assert exported(2025)[e]["individual_amount"] == "40.00"


def test_jinjiang_last_partial_year_prorated(tmp_path, load_pack):
    """Seed 003: "筹资标准暂定为90元/人·年" (individual 60 + city fiscal 30) and 四(四) "本文件自2023年4月1日起施行，
    有效期至2026年3月31日止".

    2023 covers April..December, 9 months: individual 45.00, fiscal 22.50; 2026 covers January..March,
    3 months: individual 15.00, fiscal 7.50 (partial_year prorated, a default); 2024 the full 60.00 + 30.00.
    """
    load_pack("jinjiang-2023")
    e = person("350582", 41)
    rows = [[e, "职工", "employee", "350582", "2020-01-01", "", "false", "", ""]]
    run("import_roster", write(tmp_path, "r.csv", ROSTER, rows))
    got = {}
    for year in (2023, 2024, 2026):
        run("run_contributions", "--year", str(year), "--on", f"{year}-01-10")
        row = exported(year)[e]
        got[year] = (row["individual_amount"], row["fiscal_amount"])
    assert got == {2023: ("45.00", "22.50"), 2024: ("60.00", "30.00"), 2026: ("15.00", "7.50")}


def test_jinjiang_has_no_waiting_period(tmp_path, load_pack):
    """Seed 003 二(三): "……经申请评定为相应失能等级的长期护理保险参保人员定为待遇享受对象" -- no waiting period anywhere.

    An employee without an account enrolled 2024-03-01 pays 60.00 on 2024-03-05 (due by 03-31): not covered
    in January-February, unpaid 03-01..03-04, payable from the payment day 2024-03-05 (in Xuzhou: 2024-09-06).
    """
    load_pack("jinjiang-2023")
    e = person("350582", 43)
    run(
        "import_roster",
        write(
            tmp_path, "r.csv", ROSTER, [[e, "职工", "employee", "350582", "2024-03-01", "", "false", "", ""]]
        ),
    )
    run(
        "import_payments",
        write(tmp_path, "p.csv", PAYMENTS, [[e, "2024", "60.00", "2024-03-05", "large_medical", ""]]),
    )
    row = exported(2024)[e]
    assert (row["status"], row["paid_on"], row["payable_from"]) == ("paid", "2024-03-05", "2024-03-05")
    assert waiting(e, "2024-03-05")["passed"] is True


VILLAGE_ROSTER = ROSTER_COLUMNS


def test_jinjiang_special_type_and_contributions_by_village(tmp_path, load_pack):
    """Seed 003 二(一): "在晋江辖区内参加基本医保的所有人员和本级管理的离休干部、一至六级残疾军人纳入长期护理保险参保对象范围";
    二(二): "离休干部、一至六级残疾军人个人缴费部分，由市财政全额承担" and "个人缴费部分以村（社区）为单位组织集体参保缴费……
    市级财政再按15元/人·年的标准补助村（社区）集体。各镇（街道）按不少于10元/人·年的标准补助村（社区）集体".

    2024: village 350582101001 has residents A and B (individual 60.00 each, A paid), village 350582101002
    resident C and the retired cadre D outside basic medical insurance (type special: 60.00 waived, paid by
    the city). Collective subsidies per paying resident: 15.00 city and 10.00 town.
    """
    load_pack("jinjiang-2023")
    a, b, c, d = (person("350582", n) for n in (51, 53, 55, 57))
    v1, v2 = "350582101001", "350582101002"
    rows = [
        [a, "甲", "resident", "350582", "2020-01-01", "", "false", "", "", v1],
        [b, "乙", "resident", "350582", "2020-01-01", "", "false", "", "", v1],
        [c, "丙", "resident", "350582", "2020-01-01", "", "false", "", "", v2],
        [d, "丁", "special", "350582", "2020-01-01", "retired_cadre", "false", "", "", v2],
    ]
    out, _ = run("import_roster", write(tmp_path, "r.csv", VILLAGE_ROSTER, rows))
    run("run_contributions", "--year", "2024", "--on", "2024-01-10")
    run(
        "import_payments",
        write(tmp_path, "p.csv", PAYMENTS, [[a, "2024", "60.00", "2024-01-20", "cash", ""]]),
    )
    row = exported(2024)[d]
    assert (row["insurance_type"], row["individual_amount"], row["fiscal_amount"], row["status"]) == (
        "special",
        "60.00",
        "30.00",
        "waived",
    )
    out, _ = run("export_village_contributions", "--year", "2024")
    got = list(csv.reader(io.StringIO(out)))
    assert got[0][:3] == ["region_code", "village_code", "persons"]
    assert got[1:] == [
        ["350582", v1, "2", "120.00", "60.00", "60.00", "60.00", "30.00", "20.00"],
        ["350582", v2, "2", "120.00", "60.00", "60.00", "60.00", "15.00", "10.00"],
    ]


def test_roster_village_and_special_type_bad_inputs(tmp_path, load_pack):
    """The roster's optional village_code column and the special insurance type refuse what they cannot be."""
    load_pack("jinjiang-2023")
    rows = [
        [person("350582", 61), "甲", "resident", "350582", "2020-01-01", "", "false", "", "", "3505821010"],
        [person("350582", 63), "乙", "resident", "350582", "2020-01-01", "", "false", "", "", "320302101001"],
        [person("350582", 65), "丙", "special", "350582", "2020-01-01", "", "false", "", "", ""],
        [person("350582", 67), "丁", "resident", "350582", "2020-01-01", "", "false", "", "", "35058210100A"],
    ]
    _, err = run("import_roster", write(tmp_path, "r.csv", VILLAGE_ROSTER, rows))
    assert "row 2, field village_code: 3505821010 is not a 12-digit village/community code" in err
    assert "row 3, field village_code: 320302101001 is not in the insured region 350582" in err
    assert "row 4, field insurance_type: special (retired cadres, grade 1-6 disabled veterans) needs" in err
    assert "row 5, field village_code: 35058210100A is not a 12-digit village/community code" in err


RELATIONS = ["payer_national_id", "national_id", "relation"]


def test_lianyungang_family_payment_checks_the_register_and_debits_the_account(tmp_path, load_pack):
    """Seed 000 三(三): "职工医保个人账户可为其父母、配偶、子女缴纳长护险费用".

    The employee's account held 60.00 on 2025-01-05. Father (registered parent) pays 40.00 from it on
    2025-01-10: applied, 20.00 left; son (registered child) 40.00 on 2025-01-11: rejected, 20.00 available;
    a neighbour without a registered relation: rejected.
    """
    load_pack("lianyungang-2023")
    enter_standard(total="100.00", individual="40.00", pooled_fund="60.00")
    payer, father, son, neighbour = (person("320706", n) for n in (71, 73, 75, 77))
    rows = [[payer, "职工", "employee", "320706", "2023-07-01", "", "true", "", ""]]
    rows += [
        [n, n[-4:], "resident", "320706", "2020-01-01", "", "false", "", ""] for n in (father, son, neighbour)
    ]
    run("import_roster", write(tmp_path, "r.csv", ROSTER, rows))
    run(
        "import_account_events", write(tmp_path, "e.csv", EVENTS, [[payer, "balance", "60.00", "2025-01-05"]])
    )
    out, err = run(
        "import_family_relations",
        write(
            tmp_path,
            "f.csv",
            RELATIONS,
            [
                [payer, father, "parent"],
                [payer, son, "child"],
                [payer, payer, "child"],
                [payer, neighbour, "cousin"],
            ],
        ),
    )
    assert "4 rows, 2 applied, 0 unchanged, 2 rejected" in out
    assert "row 4, field national_id" in err and "row 5, field relation" in err
    pay = [
        [father, "2025", "40.00", "2025-01-10", "family_account", payer],
        [son, "2025", "40.00", "2025-01-11", "family_account", payer],
        [neighbour, "2025", "40.00", "2025-01-12", "family_account", payer],
    ]
    out, err = run("import_payments", write(tmp_path, "p.csv", PAYMENTS, pay))
    assert "3 rows, 1 applied, 0 unchanged, 2 rejected" in out
    assert "row 3, field payer_national_id" in err and "20.00" in err
    assert "row 4, field payer_national_id" in err
    rows_2025 = exported(2025)
    assert (rows_2025[father]["status"], rows_2025[father]["paid_on"]) == ("paid", "2025-01-10")


WAGES = ["national_id", "year", "employer_code", "wage_base"]
EMPLOYER_PAYMENTS = ["employer_code", "year", "amount", "paid_on", "reference"]
E1, E2 = "91320302MA1XXXXX1A", "91320302MA1YYYYY2B"


def test_national_rates_on_each_wage_base_and_employer_income_from_payments(tmp_path, load_pack):
    """Seed 004 (五): "筹资以单位和个人缴费为主，单位和个人缴费原则上按同比例分担，其中单位缴费基数为职工工资总额，……
    个人缴费基数为本人工资收入，可由其职工基本医疗保险个人账户代扣代缴。"

    Staff enter the same rate 0.25% for both. 2024 wage bases: A 60000.00 -> 150.00 + 150.00; B 45678.90 ->
    114.19725 -> 114.20 + 114.20 (half-up per line); C has no wage base: no contribution yet. Employer E1
    (A and B, 职工工资总额 105678.90) owes 264.20; it pays 200.00 and 64.20: the fund's employer income is the
    264.20 paid, booked from the two payment records (not heads x standard). 2020 (the scheme from 2020-09-10,
    partial_year prorated): A 60000.00 -> 150.00 x 4/12 = 50.00 each.
    """
    from enrollment.models import FundIncome
    from ltci.core.models import PolicyRecord

    load_pack("national-2020")
    PolicyRecord.objects.filter(kind="contribution_standard").update(
        value={
            "form": "rate",
            "base": None,
            "individual_rate": "0.0025",
            "employer_rate": "0.0025",
            "base_from": "wage_base",
        }
    )
    a, b, c = (person("320302", n) for n in (81, 83, 85))
    rows = [[n, n[-4:], "employee", "320302", "2020-01-01", "", "true", "", ""] for n in (a, b, c)]
    run("import_roster", write(tmp_path, "r.csv", ROSTER, rows))
    wages = [
        [a, "2024", E1, "60000.00"],
        [b, "2024", E1, "45678.90"],
        [a, "2020", E1, "60000.00"],
        [a, "2024", E2, "1.00"],  # the same person and year twice
        [person("320302", 87), "2024", E1, "100.00"],  # not on the roster
        [c, "2024", "913203", "100.00"],
        [c, "2024", E1, "0"],
    ]
    out, err = run("import_wage_bases", write(tmp_path, "w.csv", WAGES, wages))
    assert "7 rows, 3 applied, 0 unchanged, 4 rejected" in out
    assert "row 5" in err and "row 6, field national_id" in err
    assert "row 7, field employer_code: 913203 is not an 18-character unified social credit code" in err
    assert "row 8, field wage_base" in err
    run("run_contributions", "--year", "2024", "--on", "2024-01-10")
    rows_2024 = exported(2024)
    assert c not in rows_2024
    got = {n: (rows_2024[n]["individual_amount"], rows_2024[n]["employer_amount"]) for n in (a, b)}
    assert got == {a: ("150.00", "150.00"), b: ("114.20", "114.20")}
    assert not FundIncome.objects.filter(year=2024, source="employer").exists()  # nothing paid yet
    pay = [
        [E1, "2024", "200.00", "2024-01-20", "DW2024-1"],
        [E1, "2024", "64.20", "2024-02-10", "DW2024-2"],
        [E2, "2024", "10.00", "2024-02-10", "DW2024-3"],  # no wage base names E2 in 2024
        [E1, "2024", "1.00", "2024-02-11", "DW2024-1"],  # the reference twice
    ]
    out, err = run("import_employer_payments", write(tmp_path, "ep.csv", EMPLOYER_PAYMENTS, pay))
    assert "4 rows, 2 applied, 0 unchanged, 2 rejected" in out
    assert "row 4, field employer_code" in err and "row 5, field reference" in err
    income = FundIncome.objects.filter(year=2024, source="employer")
    assert sum(i.amount for i in income) == Decimal("264.20")
    assert {i.region_code for i in income} == {"320302"} and sum(i.headcount for i in income) == 1
    run("run_contributions", "--year", "2024", "--on", "2024-02-20")  # a rerun books nothing again
    assert sum(i.amount for i in FundIncome.objects.filter(year=2024, source="employer")) == Decimal("264.20")
    run("run_contributions", "--year", "2020", "--on", "2020-09-20")
    assert (exported(2020)[a]["individual_amount"], exported(2020)[a]["employer_amount"]) == (
        "50.00",
        "50.00",
    )


def test_lianyungang_family_debits_are_taken_from_the_yearly_transfer(tmp_path, load_pack):
    """Seed 000 三(三): "职工医保个人账户可为其父母、配偶、子女缴纳长护险费用" -- the family payment is a debit of the
    payer's account, which the yearly run's transfer of the payer's own part must see, and the other way round.

    Balance 60.00 on 2025-01-05. The father's 40.00 is paid from it on 2025-01-10; the run of 2025-01-15 can
    transfer only 60.00 - 40.00 = 20.00 of the payer's own 40.00 (partly paid, 20.00 left). The mother's 40.00
    on 2025-01-20 is refused: 60.00 - 40.00 - 20.00 = 0.00 available.
    """
    from enrollment.models import Contribution

    load_pack("lianyungang-2023")
    enter_standard(total="100.00", individual="40.00", pooled_fund="60.00")
    payer, father, mother = (person("320706", n) for n in (91, 93, 95))
    rows = [[payer, "职工", "employee", "320706", "2023-07-01", "", "true", "", ""]]
    rows += [[n, n[-4:], "resident", "320706", "2020-01-01", "", "false", "", ""] for n in (father, mother)]
    run("import_roster", write(tmp_path, "r.csv", ROSTER, rows))
    run(
        "import_account_events", write(tmp_path, "e.csv", EVENTS, [[payer, "balance", "60.00", "2025-01-05"]])
    )
    run(
        "import_family_relations",
        write(tmp_path, "f.csv", RELATIONS, [[payer, father, "parent"], [payer, mother, "parent"]]),
    )
    pay = [[father, "2025", "40.00", "2025-01-10", "family_account", payer]]
    run("import_payments", write(tmp_path, "p.csv", PAYMENTS, pay))
    run("run_contributions", "--year", "2025", "--on", "2025-01-15")
    own = Contribution.objects.get(person__national_id=payer, year=2025)
    assert (own.individual_amount, own.individual_paid, own.status) == (
        Decimal("40.00"),
        Decimal("20.00"),
        "partly_paid",
    )
    pay = [[mother, "2025", "40.00", "2025-01-20", "family_account", payer]]
    out, err = run("import_payments", write(tmp_path, "p2.csv", PAYMENTS, pay))
    assert "1 rows, 0 applied, 0 unchanged, 1 rejected" in out
    assert "row 2, field payer_national_id" in err and "0.00" in err
    # the two readings of the account's debits (family payment and yearly transfer) agree on every day
    holder = own.person
    for day in (dt.date(2025, 1, d) for d in (4, 5, 9, 10, 14, 15, 31)):
        assert debits_available_sql(holder.pk, day) == available_balance(holder, on=day), day
    assert available_balance(holder, on=dt.date(2025, 1, 15)) == Decimal("0.00")


def debits_available_sql(person_id: int, on: dt.date) -> Decimal:
    """The account of ``person_id`` on ``on`` as the yearly run reads it (ACCOUNT_DEBITS_SQL): the latest
    balance less the debits after it; held to enrollment.services.family.available_balance (the ORM copy)."""
    from django.db import connection

    from enrollment.services.family import ACCOUNT_DEBITS_SQL

    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH debits AS ({ACCOUNT_DEBITS_SQL}), balance AS (
                    SELECT amount, occurred_on FROM enrollment_accountevent
                    WHERE person_id = %(lo)s AND event = 'balance' AND occurred_on <= %(on)s
                    ORDER BY occurred_on DESC, id DESC LIMIT 1)
                SELECT b.amount - coalesce((SELECT sum(d.amount) FROM debits d
                                            WHERE d.holder = %(lo)s AND d.occurred_on > b.occurred_on), 0)
                FROM balance b""",  # noqa: S608 (constants of the code)
            {"lo": person_id, "hi": person_id + 1, "on": on},
        )
        row = cursor.fetchone()
    return row[0] if row else Decimal("0.00")


def test_jinjiang_village_subsidies_prorated_in_the_first_year(tmp_path, load_pack):
    """Seed 003 二(二): "市级财政再按15元/人·年的标准补助村（社区）集体。各镇（街道）按不少于10元/人·年的标准补助村（社区）
    集体" and 四(四) "本文件自2023年4月1日起施行" -- a yearly amount per head, and the pack's partial_year prorates
    the first year (a default).

    2023 covers April..December, 9 months: per head 15 x 9/12 = 11.25 (city) and 10 x 9/12 = 7.50 (town), for
    2 residents of village 350582101003: 22.50 and 15.00; the individual parts 45.00 each. 2024: 30.00 and 20.00.
    """
    load_pack("jinjiang-2023")
    v = "350582101003"
    a, b = person("350582", 101), person("350582", 103)
    rows = [[n, n[-4:], "resident", "350582", "2020-01-01", "", "false", "", "", v] for n in (a, b)]
    run("import_roster", write(tmp_path, "r.csv", VILLAGE_ROSTER, rows))
    for year in (2023, 2024):
        run("run_contributions", "--year", str(year), "--on", f"{year}-04-10")
    got = {}
    for year in (2023, 2024):
        out, _ = run("export_village_contributions", "--year", str(year))
        got[year] = list(csv.reader(io.StringIO(out)))[1]
    assert got[2023] == ["350582", v, "2", "90.00", "0.00", "90.00", "45.00", "22.50", "15.00"]
    assert got[2024] == ["350582", v, "2", "120.00", "0.00", "120.00", "60.00", "30.00", "20.00"]
