"""Fund: budget against actual, warnings sent to the fund staff, deposits kept at year end, yearly beat job."""

import io
from decimal import Decimal

from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command

from ltci.core import roles
from settlement import states, tasks
from settlement.models import FundBudget, HandlingFee, LedgerEntry
from settlement.services import reports
from settlement.services.run import settlement_run

from .conftest import D, bed_days, staff


def test_budget_against_actual_per_account(world):
    from enrollment.models import FundIncome

    FundIncome.objects.create(
        year=2024, source="fiscal", amount=Decimal("800.00"), booked_on=D(2024, 1, 5), source_key="t:b1"
    )
    HandlingFee.objects.create(month=D(2024, 2, 1), amount=Decimal("30.00"))
    FundBudget.objects.create(year=2024, account="income_fiscal", amount=Decimal("1000.00"))
    FundBudget.objects.create(year=2024, account="expense_handling", amount=Decimal("60.00"))
    FundBudget.objects.create(year=2024, account="expense_payout", amount=Decimal("500.00"))
    rows = {
        r["account"]: (r["budget"], r["actual"], r["difference"], r["rate"])
        for r in reports.budget_vs_actual(year=2024)
    }
    assert rows["income_fiscal"] == (
        Decimal("1000.00"),
        Decimal("800.00"),
        Decimal("-200.00"),
        Decimal("0.8000"),
    )
    assert rows["expense_handling"] == (
        Decimal("60.00"),
        Decimal("30.00"),
        Decimal("-30.00"),
        Decimal("0.5000"),
    )
    assert rows["expense_payout"] == (Decimal("500.00"), Decimal("0"), Decimal("-500.00"), Decimal("0"))


def test_reports_page_shows_the_budget(world, client):
    FundBudget.objects.create(year=2024, account="income_fiscal", amount=Decimal("1000.00"))
    client.force_login(staff("acc", roles.FUND_ACCOUNTANT))
    user = User.objects.get(username="acc")
    user.is_superuser = True
    user.save()
    page = client.get("/admin/settlement/settlementrun/reports/?year=2024").content.decode()
    assert "预算执行" in page and "¥1,000.00" in page


def test_new_warnings_are_mailed_to_fund_staff_once(world, django_capture_on_commit_callbacks):
    staff("acc", roles.FUND_ACCOUNTANT, email="acc@example.cn")
    staff("clerk", roles.ENROLLMENT_CLERK, email="clerk@example.cn")
    HandlingFee.objects.create(month=D(2024, 1, 1), amount=Decimal("400.00"))
    HandlingFee.objects.create(month=D(2024, 2, 1), amount=Decimal("500.00"))
    with django_capture_on_commit_callbacks(execute=True):
        reports.fund_warnings_check(on=D(2024, 3, 15))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["acc@example.cn"] and "基金预警" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        reports.fund_warnings_check(on=D(2024, 3, 15))  # the same day again: nothing new to send
    assert len(mail.outbox) == 1


def test_deposit_not_released_stays_in_the_fund_and_reconciles(world):
    from institutions.models import Appraisal, Institution

    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    officer = staff("officer", roles.SETTLEMENT_OFFICER)
    run = settlement_run(month=D(2024, 5, 1), actor=officer)
    states.run_transition(run=run, to="audited", actor=officer)
    states.run_transition(run=run, to="approved", actor=staff("boss", roles.SUPERVISOR))
    Appraisal.objects.create(
        institution=Institution.objects.get(code="YL001"), year=2024, total=75, release_rate=Decimal("0.50")
    )
    call_command("release_deposits", "--year", "2024", stdout=io.StringIO())
    # fund 1302 x 5% = 65.10 withheld; 50% released (32.55), the other 32.55 stays in the fund.
    assert LedgerEntry.objects.get(account="income_deposit_kept").amount == Decimal("32.55")
    out = io.StringIO()
    call_command("reconcile_fund", stdout=out)
    assert "0 differences" in out.getvalue()


def test_yearly_deposit_release_beat_entry_and_task(world):
    from django_celery_beat.models import PeriodicTask

    entry = PeriodicTask.objects.get(task="settlement.tasks.deposits_release_previous_year")
    assert (entry.crontab.month_of_year, entry.crontab.day_of_month) == ("1", "20")
    assert tasks.deposits_release_previous_year().endswith("0 institutions")


def test_beneficiaries_by_grade_and_care_form(world):
    world.beneficiary(form="remote_cash", grade="5")
    world.beneficiary(form="remote_cash", grade="2")
    nid = world.beneficiary(form="residential", institution="YL001", grade="5")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 1)))
    world.settle()
    rows = {
        (r["grade"], r["care_form"]): (r["persons"], r["fund"])
        for r in reports.beneficiaries_by_grade(month=D(2024, 5, 1))
    }
    assert rows == {
        (2, "remote_cash"): (1, Decimal("620.00")),
        (5, "remote_cash"): (1, Decimal("930.00")),
        (5, "residential"): (1, Decimal("42.00")),
    }


def test_reports_page_renders_grades_and_the_charts(world, client):
    from enrollment.models import FundIncome

    FundIncome.objects.create(
        year=2024,
        source="fiscal",
        region_code="320302",
        amount=Decimal("600.00"),
        booked_on=D(2024, 1, 5),
        source_key="t:r1",
    )
    world.beneficiary(form="remote_cash", grade="5")
    world.settle()
    user = staff("acc2", roles.FUND_ACCOUNTANT)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    page = client.get("/admin/settlement/settlementrun/reports/?year=2024").content.decode()
    assert "按失能等级" in page and 'class="chart chart-line"' in page and 'class="chart chart-bar"' in page
