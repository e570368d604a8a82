"""Personal-account events (SPEC 3.3, 11.2): balances for the yearly run, credits that recover arrears."""
import hashlib
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from ltci.core.importing import RowError

from .. import rules
from ..models import Contribution, ContributionTransaction, Person

Tx = ContributionTransaction.Kind


@transaction.atomic
def account_events_apply(parsed) -> tuple[int, int, list[RowError]]:
    errors: list[RowError] = []
    seen: dict[tuple, int] = {}
    rows = []
    for row_no, r in parsed:
        key = (r.national_id, r.event, r.amount, r.occurred_on)
        if key in seen:
            errors.append(RowError(row_no, "*", f"duplicate: the same event is already in row {seen[key]}"))
            continue
        seen[key] = row_no
        rows.append((row_no, r))
    persons = {p[0]: p[1:] for p in Person.objects.filter(national_id__in={r.national_id for _, r in rows})
               .values_list("national_id", "id", "has_personal_account")}
    valid = []
    for row_no, r in rows:
        person = persons.get(r.national_id)
        if person is None:
            errors.append(RowError(row_no, "national_id", f"unknown person {r.national_id} (not in the roster)"))
        elif not person[1]:
            errors.append(RowError(row_no, "national_id", "the person has no personal account "
                                   "(has_personal_account is false in the roster)"))
        else:
            valid.append((person[0], r))
    if not valid:
        return 0, 0, errors
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO enrollment_accountevent (person_id, event, amount, occurred_on, created_at)
               SELECT *, now() FROM unnest(%s::bigint[], %s::varchar[], %s::numeric[], %s::date[])
               ON CONFLICT ON CONSTRAINT account_event_once DO NOTHING
               RETURNING id, person_id, event, amount, occurred_on""",
            [[p for p, _ in valid], [r.event for _, r in valid], [r.amount for _, r in valid],
             [r.occurred_on for _, r in valid]])
        inserted = cursor.fetchall()
    credits = sorted((row for row in inserted if row[2] == "credit"), key=lambda x: (x[1], x[4], x[0]))
    if credits:
        recover_arrears(credits)
    return len(inserted), len(valid) - len(inserted), errors


def recover_arrears(credits) -> int:
    """Deduct outstanding employee contributions from new credits, oldest year first (SPEC 3.3).

    credits: [(event_id, person_id, "credit", amount, occurred_on)] sorted by person and date. A
    contribution is recovered from a credit dated after its transfer's booking date or after its due_by
    (rules.recovery_threshold). Return the number of recoveries.
    """
    person_ids = {c[1] for c in credits}
    open_contribs = defaultdict(list)
    for c in (Contribution.objects.select_for_update().filter(person_id__in=person_ids, subsidised=False,
                                                               insurance_type="employee")
              .exclude(status__in=["paid", "waived"]).order_by("person_id", "year")):
        if c.individual_paid < c.individual_amount:
            open_contribs[c.person_id].append(c)
    today = timezone.localdate()
    txs, touched = [], {}
    for event_id, person_id, _, amount, occurred_on in credits:
        left = amount
        for c in open_contribs.get(person_id, []):
            if left <= 0:
                break
            if occurred_on <= rules.recovery_threshold(due_by=c.due_by, booked_on=c.booked_on) \
                    or c.individual_paid >= c.individual_amount:
                continue
            take = min(left, c.individual_amount - c.individual_paid)
            left -= take
            c.individual_paid += take
            if c.individual_paid >= c.individual_amount:
                c.fully_paid_on = occurred_on
            c.status = rules.payment_status(individual_amount=c.individual_amount, individual_paid=c.individual_paid,
                                            due=c.due_by, today=max(today, occurred_on))
            touched[c.pk] = c
            key = hashlib.sha256(f"{event_id}:{c.pk}".encode()).hexdigest()[:32]
            txs.append(ContributionTransaction(contribution=c, kind=Tx.ARREARS_RECOVERY, amount=take,
                                               occurred_on=occurred_on, channel="account_credit",
                                               source_key=f"recovery:{key}"))
    if touched:
        from simple_history.utils import bulk_update_with_history

        bulk_update_with_history(list(touched.values()), Contribution, ["individual_paid", "status", "fully_paid_on"])
        ContributionTransaction.objects.bulk_create(txs)
    return len(txs)
