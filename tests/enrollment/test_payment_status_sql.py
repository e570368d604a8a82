"""enrollment.rules.payment_status (Python) and PAYMENT_STATUS_SQL (the yearly run, the daily arrears job)
give the same status on random amounts and dates: the SQL copy is held to the rule."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrollment import rules
from enrollment.services.run import contribution_mark_arrears

from ..benefits.conftest import make_person

pytestmark = pytest.mark.django_db
CI = settings(deadline=None, suppress_health_check=list(HealthCheck), max_examples=300)
amounts = st.decimals(min_value=0, max_value=500, places=2)
days = st.dates(min_value=dt.date(2023, 12, 1), max_value=dt.date(2024, 3, 31))


@CI
@given(amount=amounts, paid=amounts, due=days, today=days)
def test_the_sql_status_is_the_python_status(amount, paid, due, today):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rules.PAYMENT_STATUS_SQL} FROM (VALUES (%(amount)s::numeric, %(paid)s::numeric, "  # noqa: S608
            "%(due)s::date)) v(individual_amount, individual_paid, due_by)",
            {"amount": amount, "paid": paid, "due": due, "on": today},
        )
        (status,) = cursor.fetchone()
    assert status == rules.payment_status(
        individual_amount=amount, individual_paid=paid, due=due, today=today
    )


@pytest.mark.parametrize(
    ("paid", "status", "today", "expected"),
    [
        ("0", "due", dt.date(2024, 2, 1), "arrears"),  # the day after the due day
        ("0", "due", dt.date(2024, 1, 31), "due"),  # the due day itself is on time
        ("10", "partly_paid", dt.date(2024, 2, 1), "arrears"),
        ("30", "paid", dt.date(2024, 2, 1), "paid"),
    ],
)
def test_the_daily_arrears_job_applies_the_rule(paid, status, today, expected):
    person = make_person(paid_years=[2024])
    contribution = person.contributions.get(year=2024)
    contribution.individual_paid, contribution.status = Decimal(paid), status
    contribution.save()
    contribution_mark_arrears(on=today)
    contribution.refresh_from_db()
    assert contribution.status == expected
    assert expected == rules.payment_status(
        individual_amount=contribution.individual_amount,
        individual_paid=contribution.individual_paid,
        due=contribution.due_by,
        today=today,
    )
