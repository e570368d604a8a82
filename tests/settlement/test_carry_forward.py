"""A negative net payable (recoveries above what the fund owes) is carried into the institution's next
statement, once (SPEC 7.2 statements)."""

from decimal import Decimal

import pytest

from institutions.models import Institution, Violation
from ltci.core import roles
from settlement import states
from settlement.models import Statement
from settlement.services.run import bank_rows, settlement_run

from .conftest import D, bed_days, staff


@pytest.fixture
def people():
    return staff("officer", roles.SETTLEMENT_OFFICER), staff("boss", roles.SUPERVISOR)


def _approve(run, people):
    officer, boss = people
    states.run_transition(run=run, to="audited", actor=officer)
    return states.run_transition(run=run, to="approved", actor=boss)


def _setup(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 7, 31)))
    Violation.objects.create(
        institution=Institution.objects.get(code="YL001"),
        type="false_records",
        description="虚报床日",
        found_on=D(2024, 5, 20),
        amount_to_recover=Decimal("2000.00"),
        penalty=Decimal("0"),
        action="rectification",
    )


def test_a_negative_net_payable_is_deducted_from_the_next_statement(world, people):
    _setup(world)
    may = _approve(settlement_run(month=D(2024, 5, 1), actor=people[0]), people)
    may_statement = Statement.objects.get(run=may)
    # fund 31 x 60 x 70% = 1302.00, deposit 5% 65.10, recovered 2000.00: the institution owes 763.10.
    assert may_statement.net_payable == Decimal("-763.10")
    assert [r for r in bank_rows(may) if r[0] == "institution"] == []
    june = settlement_run(month=D(2024, 6, 1), actor=people[0])
    statement = Statement.objects.get(run=june)
    # fund 30 x 60 x 70% = 1260.00, deposit 63.00, carried -763.10: net 433.90.
    assert (statement.carried, statement.carried_from_id, statement.net_payable) == (
        Decimal("-763.10"),
        may_statement.pk,
        Decimal("433.90"),
    )
    _approve(june, people)
    july = Statement.objects.get(run=settlement_run(month=D(2024, 7, 1), actor=people[0]))
    assert (july.carried, july.carried_from_id) == (Decimal("0.00"), None)


def test_approval_is_refused_when_another_month_carried_the_same_amount(world, people):
    _setup(world)
    _approve(settlement_run(month=D(2024, 5, 1), actor=people[0]), people)
    june = settlement_run(month=D(2024, 6, 1), actor=people[0])
    july = settlement_run(month=D(2024, 7, 1), actor=people[0])  # computed before June was approved
    assert Statement.objects.get(run=july).carried == Decimal("-763.10")
    _approve(june, people)
    states.run_transition(run=july, to="audited", actor=people[0])
    with pytest.raises(states.TransitionRefused, match="结转"):
        states.run_transition(run=july, to="approved", actor=people[1])
    rerun = settlement_run(month=D(2024, 7, 1), actor=people[0])
    assert Statement.objects.get(run=rerun).carried == Decimal("0.00")
