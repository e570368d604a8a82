"""Arrears recovery from personal-account credits (SPEC 3.3 从下期账户划入额中抵扣, SPEC 9 daily).

A credit recovers outstanding employee contributions whenever both exist, in whichever order they arrive:
the credit import applies its new credits; the yearly run and the daily job apply every credit whose
amount is not used up yet (credit minus its linked `arrears_recovery` transactions) to contributions that
became short since (a year's run made after the credit was imported, a payment that created the year).
"""

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from .. import rules
from ..models import Contribution, ContributionTransaction

Tx = ContributionTransaction.Kind

# Persons with an open employee contribution and a credit with an unapplied rest dated after the
# contribution's recovery threshold (rules.recovery_threshold: least(due_by, booked_on)).
PENDING = """
SELECT DISTINCT c.person_id
FROM enrollment_contribution c
JOIN enrollment_accountevent e ON e.person_id = c.person_id AND e.event = 'credit'
     AND e.occurred_on > least(c.due_by, coalesce(c.booked_on, c.due_by))
WHERE NOT c.subsidised AND c.insurance_type = 'employee' AND c.individual_paid < c.individual_amount
  AND (%(year)s::int IS NULL OR c.year = %(year)s::int)
  AND e.amount > coalesce((SELECT sum(t.amount) FROM enrollment_contributiontransaction t
                           WHERE t.account_event_id = e.id), 0)
"""


def recover_arrears(person_ids) -> int:
    """Apply the unapplied rest of the persons' credits to their outstanding employee contributions, oldest
    year first, each credit in date order. Return the number of recoveries booked.

    Rows are locked (contributions, then the credits' rests are read), so a concurrent import and daily job
    apply each yuan once; the (credit, contribution) source_key is unique as a last guard.
    """
    person_ids = set(person_ids)
    if not person_ids:
        return 0
    open_contribs = defaultdict(list)
    for c in (
        Contribution.objects.select_for_update()
        .filter(person_id__in=person_ids, subsidised=False, insurance_type="employee")
        .exclude(status__in=["paid", "waived"])
        .order_by("person_id", "year")
    ):
        if c.individual_paid < c.individual_amount:
            open_contribs[c.person_id].append(c)
    if not open_contribs:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT e.id, e.person_id, e.amount - coalesce(sum(t.amount), 0), e.occurred_on
                          FROM enrollment_accountevent e
                          LEFT JOIN enrollment_contributiontransaction t ON t.account_event_id = e.id
                          WHERE e.person_id = ANY(%s) AND e.event = 'credit'
                          GROUP BY e.id HAVING e.amount > coalesce(sum(t.amount), 0)
                          ORDER BY e.person_id, e.occurred_on, e.id""",
            [list(open_contribs)],
        )
        credits = cursor.fetchall()
    return _apply(credits, open_contribs, timezone.localdate())


def _apply(credits, open_contribs, today: dt.date) -> int:
    txs, touched, was_arrears = [], {}, set()
    for event_id, person_id, rest, occurred_on in credits:
        left = Decimal(rest)
        for c in open_contribs.get(person_id, []):
            if left <= 0:
                break
            if (
                occurred_on <= rules.recovery_threshold(due_by=c.due_by, booked_on=c.booked_on)
                or c.individual_paid >= c.individual_amount
            ):
                continue
            if c.status == Contribution.Status.ARREARS:
                was_arrears.add(c.pk)
            take = min(left, c.individual_amount - c.individual_paid)
            left -= take
            c.individual_paid += take
            if c.individual_paid >= c.individual_amount:
                c.fully_paid_on = occurred_on
            c.status = rules.payment_status(
                individual_amount=c.individual_amount,
                individual_paid=c.individual_paid,
                due=c.due_by,
                today=max(today, occurred_on),
            )
            touched[c.pk] = c
            key = hashlib.sha256(f"{event_id}:{c.pk}".encode()).hexdigest()[:32]
            txs.append(
                ContributionTransaction(
                    contribution=c,
                    kind=Tx.ARREARS_RECOVERY,
                    amount=take,
                    occurred_on=occurred_on,
                    channel="account_credit",
                    account_event_id=event_id,
                    source_key=f"recovery:{key}",
                )
            )
    if touched:
        from simple_history.utils import bulk_update_with_history

        bulk_update_with_history(
            list(touched.values()), Contribution, ["individual_paid", "status", "fully_paid_on"]
        )
        ContributionTransaction.objects.bulk_create(txs)
        arrears_recovered_notify([touched[pk] for pk in was_arrears], on=today)
    return len(txs)


def arrears_recovered_notify(contributions, *, on: dt.date) -> None:
    """Tell each person whose arrears are now paid in full (issue 19), once per contribution."""
    from ltci.core.notify import Event, notify_many

    from ..selectors import person_recipients

    paid = [c for c in contributions if c.status == Contribution.Status.PAID]
    if not paid:
        return
    recipients = person_recipients({c.person_id for c in paid})
    notify_many(
        event=Event.ARREARS_RECOVERED,
        items=[
            (f"contribution:{c.pk}", recipients[c.person_id], {"year": c.year, "paid_on": c.fully_paid_on})
            for c in paid
        ],
        on=on,
    )


def recover_pending(*, year: int | None = None, batch: int = 5000) -> int:
    """Yearly run and daily job: apply every credit with an unapplied rest to contributions (of the year,
    or of any year) that are short now. Return the number of recoveries booked."""
    with connection.cursor() as cursor:
        cursor.execute(PENDING, {"year": year})
        persons = [r[0] for r in cursor.fetchall()]
    booked = 0
    for at in range(0, len(persons), batch):
        with transaction.atomic():
            booked += recover_arrears(persons[at : at + batch])
    return booked
