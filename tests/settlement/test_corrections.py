"""Corrections of approved months (SPEC 7.2): adjustment lines in a later month, never a change of the month."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from ltci.core import roles
from settlement import states
from settlement.models import Correction, LedgerEntry, SettlementLine, Statement
from settlement.services.appeals import AppealRefused, correction_create
from settlement.services.fund import reconcile
from settlement.services.run import settlement_run

from .conftest import D, bed_days, line_for, staff


@pytest.fixture
def approved_may(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    officer = staff("officer", roles.SETTLEMENT_OFFICER)
    run = settlement_run(month=D(2024, 5, 1), actor=officer)
    states.run_transition(run=run, to="audited", actor=officer)
    states.run_transition(run=run, to="approved", actor=staff("boss", roles.SUPERVISOR))
    return SettlementLine.objects.get(run=run), nid, officer


def test_a_correction_recovers_money_in_the_next_month(world, approved_may):
    line, nid, officer = approved_may
    # a hospital stay of 2 days reported after approval: 2 x 42 paid too much.
    correction_create(
        line=line, amount=Decimal("-84.00"), reason="医保系统补报住院 5-10 至 5-12", actor=officer
    )
    june = [x for x in world.settle("2024-06") if x["national_id"] == nid]
    assert [
        (x["quantity"], x["charged_amount"], x["fund_amount"], x["personal_amount"], x["rejected_amount"])
        for x in june
    ] == [("0", "0.00", "-84.00", "0.00", "84.00")]
    statement = Statement.objects.get(run__month=D(2024, 6, 1))
    assert (statement.adjustments, statement.net_payable) == (Decimal("-84.00"), Decimal("-84.00"))
    line.refresh_from_db()
    assert line.fund_amount == Decimal("1302.00")  # the approved May line is untouched
    world.settle("2024-06")  # a re-run of the June draft keeps the adjustment exactly once
    assert SettlementLine.objects.filter(run__month=D(2024, 6, 1), is_adjustment=True).count() == 1
    assert Correction.objects.get().settled_in.month == D(2024, 6, 1)


def test_approved_correction_reaches_the_ledger_and_reconciles(world, approved_may):
    line, nid, officer = approved_may
    correction_create(line=line, amount=Decimal("-84.00"), reason="补报住院", actor=officer)
    june = settlement_run(month=D(2024, 6, 1), actor=officer)
    states.run_transition(run=june, to="audited", actor=officer)
    states.run_transition(run=june, to="approved", actor=User.objects.get(username="boss"))
    assert LedgerEntry.objects.get(memo__startswith="结算 2024-06").amount == Decimal("84.00")
    assert reconcile()[0] == []


@pytest.mark.parametrize(
    "amount,reason,message",
    [
        (Decimal("0"), "x", "不能为0"),
        (Decimal("-1302.01"), "x", "追回金额不能超过"),
        (Decimal("558.01"), "x", "补付金额不能超过"),
        (Decimal("-1.00"), " ", "更正原因"),
    ],
)
def test_bad_corrections_are_refused(approved_may, amount, reason, message):
    line, _, officer = approved_may
    with pytest.raises(AppealRefused, match=message):
        correction_create(line=line, amount=amount, reason=reason, actor=officer)


def test_corrections_need_the_role_and_an_approved_month(world, approved_may):
    line, nid, officer = approved_may
    with pytest.raises(AppealRefused, match="无权"):
        correction_create(
            line=line, amount=Decimal("-1.00"), reason="x", actor=staff("clerk", roles.ENROLLMENT_CLERK)
        )
    world.records(bed_days("YL001", nid, D(2024, 6, 1), D(2024, 6, 1)))
    world.settle("2024-06")
    draft_line = SettlementLine.objects.get(run__month=D(2024, 6, 1), person__national_id=nid)
    with pytest.raises(AppealRefused, match="重新运行"):
        correction_create(line=draft_line, amount=Decimal("-1.00"), reason="x", actor=officer)


def test_admin_correction_form_shows_the_refusal(world, approved_may, client):
    line, _, _ = approved_may
    client.force_login(User.objects.get(username="boss"))
    response = client.post(
        "/admin/settlement/correction/add/", {"line": line.pk, "amount": "-2000.00", "reason": "x"}
    )
    assert response.status_code == 200 and "追回金额不能超过" in response.content.decode()
    response = client.post(
        "/admin/settlement/correction/add/", {"line": line.pk, "amount": "-10.00", "reason": "多报一天"}
    )
    assert response.status_code == 302
    assert Correction.objects.get().created_by.username == "boss"
    assert line_for(world.settle("2024-06"), line.person.national_id)["fund_amount"] == "-10.00"


@pytest.mark.parametrize("who", ["anonymous", "clerk", "accountant"])
def test_correction_admin_refuses_users_without_the_role(approved_may, client, who):
    line, _, _ = approved_may
    if who != "anonymous":
        group = roles.ENROLLMENT_CLERK if who == "clerk" else roles.FUND_ACCOUNTANT
        client.force_login(staff(who, group))
    response = client.post(
        "/admin/settlement/correction/add/", {"line": line.pk, "amount": "-10.00", "reason": "x"}
    )
    assert response.status_code in (302, 403)
    if who == "anonymous":
        assert "/login/" in response["Location"]
    assert not Correction.objects.exists()
