import datetime as dt

from enrollment.models import Person
from enrollment.selectors import contribution_blocks, contribution_conditions, payable_from
from enrollment.services.run import contribution_run_year

from .conftest import nid


def test_conditions_and_blocks_from_the_database(roster, django_assert_max_num_queries):
    roster(
        f"{nid(1)},甲,resident,320302,2026-03-01,,false,,", f"{nid(3)},乙,employee,320302,2020-01-01,,false,,"
    )
    contribution_run_year(year=2026, on=dt.date(2026, 3, 2))
    from enrollment.imports import import_payments

    body = (
        f"national_id,year,amount,paid_on,channel,payer_national_id\n"
        f"{nid(1)},2026,20.00,2026-03-05,resident_premium,\n"
    ).encode()
    assert import_payments(content=body, filename="p.csv").errors == []
    new = Person.objects.get(national_id=nid(1))
    old = Person.objects.get(national_id=nid(3))
    conds = contribution_conditions(person=new, on=dt.date(2026, 9, 5))
    assert [(c.code, c.passed, c.reason_code) for c in conds] == [
        ("covered", True, None),
        ("contribution_paid", True, None),
        ("waiting_period", False, "WAITING"),
    ]
    assert conds[0].detail == "参保期间 2026-03-01 起（参保）"
    assert payable_from(person=new) == dt.date(2026, 9, 6)
    # The status page passes the rows it has read; the answer is the same for both kinds of person.
    for person in (new, old):
        rows = {"coverage": list(person.coverage.all()), "contributions": list(person.contributions.all())}
        assert payable_from(person=person, **rows) == payable_from(person=person)
    with django_assert_max_num_queries(8):
        blocks = contribution_blocks(
            person_ids=[new.pk, old.pk], start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28)
        )
    assert blocks[new.pk] == [(dt.date(2026, 2, 1), dt.date(2026, 2, 28), "NOT_COVERED", "无参保期间")]
    assert blocks[old.pk][0][2] == "ARREARS"


def test_a_missing_waiting_period_stops_the_calculation_naming_the_policy(roster):
    """No default waiting period: without a `waiting_period` record in force the conditions raise."""
    import pytest

    from ltci.core.models import PolicyRecord
    from ltci.core.policy import NoPolicyInForce

    roster(f"{nid(5)},丙,resident,320302,2026-03-01,,false,,")
    contribution_run_year(year=2026, on=dt.date(2026, 3, 2))
    from enrollment.imports import import_payments

    body = (
        f"national_id,year,amount,paid_on,channel,payer_national_id\n"
        f"{nid(5)},2026,20.00,2026-03-05,resident_premium,\n"
    ).encode()
    assert import_payments(content=body, filename="p.csv").errors == []
    PolicyRecord.objects.filter(kind="waiting_period").delete()
    person = Person.objects.get(national_id=nid(5))
    with pytest.raises(NoPolicyInForce, match=r"no policy in force: 'waiting_period' \[\*\] on 2026-03-05"):
        contribution_conditions(person=person, on=dt.date(2026, 9, 5))
