"""`python manage.py export_contributions --year YYYY` (SPEC 11.5) against hand-computed rows.

Xuzhou (seed 001, 四(一)): 70 = individual 20 + pooled fund 30 + fiscal 20; deadline 31 January; waiting
period 6 months from the day after full payment (五(一) "自医保信息系统获取参保人员足额缴费信息的次日起开始
计算，6个月后方可给付"); "以后年度未按时足额缴费人员，视为新参保人员"; "欠费期间待遇不予支付".
"""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from enrollment.imports import import_account_events, import_payments
from enrollment.models import AccountEvent, Person
from enrollment.selectors import contribution_conditions
from enrollment.services.run import contribution_run_year
from ltci.core.models import PolicyRecord

from .conftest import nid

HEADER = (
    "national_id,insurance_type,year,individual_amount,pooled_fund_amount,fiscal_amount,employer_amount,"
    "other_amount,status,paid_on,payable_from"
)


def pay(*rows):
    body = "national_id,year,amount,paid_on,channel,payer_national_id\n" + "".join(r + "\n" for r in rows)
    report = import_payments(content=body.encode(), filename="p.csv")
    assert report.errors == []


def credit(national_id, amount, on):
    body = f"national_id,event,amount,occurred_on\n{national_id},credit,{amount},{on}\n"
    assert import_account_events(content=body.encode(), filename="e.csv").errors == []


def balance(national_id, amount, on):
    AccountEvent.objects.create(
        person=Person.objects.get(national_id=national_id), event="balance", amount=amount, occurred_on=on
    )


def export(year) -> dict[str, dict]:
    out = io.StringIO()
    call_command("export_contributions", "--year", str(year), stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0] == HEADER
    return {r["national_id"]: r for r in csv.DictReader(io.StringIO(text))}


def row(r) -> tuple:
    return tuple(r[k] for k in HEADER.split(",")[1:])


def test_paid_on_time_shows_the_standard_split_with_the_fiscal_part(roster):
    """Seed 001 四(一): 70 = 个人20 + 医保统筹基金30 + 政府财政补助20.

    Resident enrolled 2023-01-01 (before the first system year 2024), pays 2024 on 2024-01-10 and 2025 on
    2025-01-15, both by 31 January: an unbroken on-time run reaching back to the first system year, so no
    waiting period: payable_from = first covered day of 2025 = 2025-01-01; paid_on = 2025-01-15.
    """
    roster(f"{nid(1)},甲,resident,320305,2023-01-01,,false,,")
    pay(
        f"{nid(1)},2024,20.00,2024-01-10,resident_premium,",
        f"{nid(1)},2025,20.00,2025-01-15,resident_premium,",
    )
    assert row(export(2025)[nid(1)]) == (
        "resident",
        "2025",
        "20.00",
        "30.00",
        "20.00",
        "0.00",
        "0.00",
        "paid",
        "2025-01-15",
        "2025-01-01",
    )


def test_waived_individual_part_has_no_paid_on(roster):
    """Seed 001 四(二): 医疗救助对象 ... 个人参保费用由政府全额补助.

    medical_aid resident, runs 2024 and 2025: the fiscal source pays the individual 20 (still shown in
    individual_amount, the standard split); status waived, paid_on empty; waived years count as on time and
    the person was enrolled before 2024: payable_from 2025-01-01.
    """
    roster(f"{nid(1)},甲,resident,320305,2023-01-01,medical_aid,false,,")
    contribution_run_year(year=2024, on=dt.date(2024, 1, 20))
    contribution_run_year(year=2025, on=dt.date(2025, 1, 20))
    assert row(export(2025)[nid(1)]) == (
        "resident",
        "2025",
        "20.00",
        "30.00",
        "20.00",
        "0.00",
        "0.00",
        "waived",
        "",
        "2025-01-01",
    )


def test_arrears_recovered_from_a_credit_restarts_the_waiting_period(roster):
    """Seed 001 四(二): 个人账户资金余额不足时，从下期账户划入额中抵扣; 以后年度未按时足额缴费人员，视为新参保人员.

    Employee with an account, enrolled 2023-01-01. 2024: balance 50, transfer 20 on 2024-01-20 (on time).
    2025: balance 5 -> transfer 5 on 2025-01-20, 15 short -> arrears after 31 January. A credit of 100 on
    2025-03-05 recovers the 15: paid in full on 2025-03-05 (paid_on). Arrears 2025-02-01..2025-03-04 (January
    is the grace of a person paid on time last year, but SPEC 11.5 wants the day after the waiting period),
    then waiting: 2025-03-06 + 6 months = payable from 2025-09-06. The 2024 row: paid 2024-01-20, payable from 2024-01-01.
    """
    roster(f"{nid(1)},甲,employee,320303,2023-01-01,,true,,")
    balance(nid(1), 50, dt.date(2024, 1, 1))
    contribution_run_year(year=2024, on=dt.date(2024, 1, 20))
    balance(nid(1), 5, dt.date(2025, 1, 1))
    contribution_run_year(year=2025, on=dt.date(2025, 1, 20))
    # January is payable (grace) but arrears follow to the end of the year: no payable_from.
    assert row(export(2025)[nid(1)])[7:] == ("arrears", "", "")
    credit(nid(1), "100.00", "2025-03-05")
    rows = export(2025)
    assert row(rows[nid(1)]) == (
        "employee",
        "2025",
        "20.00",
        "30.00",
        "20.00",
        "0.00",
        "0.00",
        "paid",
        "2025-03-05",
        "2025-09-06",
    )
    assert row(export(2024)[nid(1)])[7:] == ("paid", "2024-01-20", "2024-01-01")
    person = Person.objects.get(national_id=nid(1))
    # The same rule as eligibility: the day before is blocked, payable_from passes.
    assert not all(c.passed for c in contribution_conditions(person=person, on=dt.date(2025, 9, 5)))
    assert all(c.passed for c in contribution_conditions(person=person, on=dt.date(2025, 9, 6)))


def test_arrears_never_recovered_has_no_payable_day(roster):
    """Resident enrolled 2023-01-01, first system year 2024 (the other person's payment), nothing paid for
    2024: January is grace (insured before the system took over), then ARREARS 2024-02-01..2024-12-31 to the
    end of the year: no covered day after the last block, payable_from empty. The other person paid on
    2024-01-10, by the deadline: no arrears (not even 1-9 January) and no waiting: payable from 2024-01-01.
    """
    roster(
        f"{nid(1)},甲,resident,320305,2023-01-01,,false,,", f"{nid(3)},乙,resident,320305,2023-01-01,,false,,"
    )
    pay(f"{nid(3)},2024,20.00,2024-01-10,resident_premium,")
    contribution_run_year(year=2024, on=dt.date(2024, 1, 20))
    rows = export(2024)
    assert row(rows[nid(1)])[7:] == ("arrears", "", "")
    assert row(rows[nid(3)])[7:] == ("paid", "2024-01-10", "2024-01-01")


def test_partly_paid_after_the_deadline_is_arrears(roster):
    """SPEC 11.5: `arrears` covers a part paid. 5 of 20 paid on 2024-01-10, deadline 2024-01-31 passed."""
    roster(f"{nid(1)},甲,resident,320305,2023-01-01,,false,,")
    pay(f"{nid(1)},2024,5.00,2024-01-10,resident_premium,")
    assert row(export(2024)[nid(1)])[7:] == ("arrears", "", "")


def test_paid_late_inside_the_waiting_period(roster):
    """Seed 001 五(一): 新参保人员设置6个月的待遇享受等待期 ...; 以后年度未按时足额缴费人员，视为新参保人员.

    Resident newly enrolled 2024-09-01 (first system year 2024): 2024 paid 2024-09-10 (due 2024-09-30, on
    time); waiting until 2025-03-10 (2024-09-11 + 6 months = payable 2025-03-11), so no day of 2024 is
    payable: the 2024 row's payable_from is empty. 2025 paid late on 2025-02-15, inside that waiting period:
    arrears 2025-02-01..02-14, new waiting from the full payment: 2025-02-16 + 6 months = 2025-08-16.
    """
    roster(f"{nid(1)},甲,resident,320305,2024-09-01,,false,,")
    pay(
        f"{nid(1)},2024,20.00,2024-09-10,resident_premium,",
        f"{nid(1)},2025,20.00,2025-02-15,resident_premium,",
    )
    assert row(export(2024)[nid(1)])[7:] == ("paid", "2024-09-10", "")
    assert row(export(2025)[nid(1)])[7:] == ("paid", "2025-02-15", "2025-08-16")


def test_employer_part_under_the_rate_form(load_pack):
    """Seed 004 (五) 资金筹集: 单位和个人缴费原则上按同比例分担 ... 个人缴费 ... 可由其职工基本医疗保险个人账户代扣代缴.

    national-2020 pack, rate form entered by staff: base 60000.00 x 0.001 = individual 60.00 and employer
    60.00 (equal proportion), pooled/fiscal/other 0. Employee enrolled 2023-01-01 with a balance of 100:
    transfer 60 on 2024-01-20 (on time); first system year 2024 and enrolled before it: payable 2024-01-01.
    """
    from enrollment.imports import import_roster

    from .conftest import roster_csv

    load_pack("national-2020")
    PolicyRecord.objects.filter(kind="contribution_standard").update(
        value={"form": "rate", "base": "60000.00", "individual_rate": "0.001", "employer_rate": "0.001"}
    )
    assert (
        import_roster(
            content=roster_csv(f"{nid(1)},甲,employee,320302,2023-01-01,,true,,"), filename="r.csv"
        ).errors
        == []
    )
    balance(nid(1), 100, dt.date(2024, 1, 1))
    contribution_run_year(year=2024, on=dt.date(2024, 1, 20))
    assert row(export(2024)[nid(1)]) == (
        "employee",
        "2024",
        "60.00",
        "0.00",
        "0.00",
        "60.00",
        "0.00",
        "paid",
        "2024-01-20",
        "2024-01-01",
    )


def test_not_due_before_the_deadline_even_before_the_yearly_run(roster):
    """Next year (its deadline 31 January is after today): no contribution record yet, so the row is the one
    the yearly run would create (70 = 20 + 30 + 20), status not_due, paid_on empty. The person paid this year
    on time (on 20 December of the year before, in advance), so January of next year is grace, but nothing is
    paid for next year yet (eligibility: ARREARS from 1 February): as things stand no day after a block is
    payable, payable_from is empty. A person ended before next year has no row (not insured that year)."""
    year = timezone.localdate().year + 1
    roster(
        f"{nid(1)},甲,resident,320305,{year - 2}-01-01,,false,,",
        f"{nid(3)},乙,resident,320305,{year - 2}-01-01,,false,{year - 1}-06-30,moved_out",
    )
    pay(f"{nid(1)},{year - 1},20.00,{year - 2}-12-20,resident_premium,")
    rows = export(year)
    assert set(rows) == {nid(1)}
    assert row(rows[nid(1)]) == (
        "resident",
        str(year),
        "20.00",
        "30.00",
        "20.00",
        "0.00",
        "0.00",
        "not_due",
        "",
        "",
    )


def test_one_row_per_insured_person_sorted_by_id(roster):
    """Dead before the year, ended before the year: no row; died during the year: a row."""
    roster(
        f"{nid(5)},丙,resident,320305,2023-01-01,,false,,",
        f"{nid(1)},甲,resident,320305,2023-01-01,,false,,",
        f"{nid(3)},乙,resident,320305,2023-01-01,,false,2023-12-31,moved_out",
        f"{nid(7)},丁,resident,320305,2023-01-01,,false,2024-03-01,died",
    )
    contribution_run_year(year=2024, on=dt.date(2024, 1, 20))
    assert list(export(2024)) == sorted([nid(1), nid(5), nid(7)])


@pytest.mark.parametrize("args, message", [(["--year", "abc"], "four-digit year"), ([], "--year")])
def test_bad_year_is_a_command_error(xuzhou, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_contributions", *args, stdout=io.StringIO())
