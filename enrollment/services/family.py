"""Family payment from an employee's personal account (seed 000 三(三): 职工医保个人账户可为其父母、配偶、子女缴纳
长护险费用): the relations register of the roster system, the relation check and the payer's available balance."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from ltci.core.import_fields import RowError, duplicate_message, unknown_person_message

from ..models import AccountEvent, ContributionTransaction, FamilyRelation
from ..selectors import persons_by_national_id


@transaction.atomic
def relations_apply(parsed) -> tuple[int, int, list[RowError]]:
    """Create or correct (payer, person) relations. Return (applied, unchanged, errors)."""
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    rows = []
    for row_no, r in parsed:
        key = (r.payer_national_id, r.national_id)
        if key in seen:
            errors.append(RowError(row_no, "*", duplicate_message(seen[key])))
            continue
        seen[key] = row_no
        rows.append((row_no, r))
    persons = persons_by_national_id({n for _, r in rows for n in (r.payer_national_id, r.national_id)})
    existing = {
        (f.payer_id, f.person_id): f
        for f in FamilyRelation.objects.select_for_update().filter(payer__in=[p.pk for p in persons.values()])
    }
    applied = unchanged = 0
    for row_no, r in rows:
        payer, person = persons.get(r.payer_national_id), persons.get(r.national_id)
        missing = [
            (f, n)
            for f, n, p in (
                ("payer_national_id", r.payer_national_id, payer),
                ("national_id", r.national_id, person),
            )
            if p is None
        ]
        if missing:
            errors.extend(RowError(row_no, f, unknown_person_message(n)) for f, n in missing)
            continue
        assert payer is not None and person is not None
        found = existing.get((payer.pk, person.pk))
        if found is None:
            FamilyRelation.objects.create(payer=payer, person=person, relation=r.relation)
            applied += 1
        elif found.relation != r.relation:
            found.relation = r.relation
            found.save(update_fields=["relation"])
            applied += 1
        else:
            unchanged += 1
    return applied, unchanged, errors


def relation_problem(*, payer, person, allowed: list[str]) -> str | None:
    """Why ``payer``'s account may not pay for ``person`` (None when it may): the register must hold a
    relation the policy in force allows."""
    relation = (
        FamilyRelation.objects.filter(payer=payer, person=person).values_list("relation", flat=True).first()
    )
    if relation is None:
        return _("亲属关系登记中没有 %(payer)s 与 %(person)s 的关系") % {
            "payer": payer.national_id,
            "person": person.national_id,
        }
    if relation not in allowed:
        return _("亲属关系 %(relation)s 不在政策允许代缴的亲属之列（%(allowed)s）") % {
            "relation": relation,
            "allowed": ", ".join(allowed),
        }
    return None


# What our office took from account holders' personal accounts (the medical system's next balance snapshot
# reflects it): family payments they made for relatives and the yearly run's transfers of their own part.
# `available_balance` (ORM) and the yearly run's TRANSFER (SQL: this query as a CTE, rows (holder,
# occurred_on, amount) for the holders with ids in [%(lo)s, %(hi)s)) read the same debits. The transfers are
# read per contribution of the range through the contribution_id index (OFFSET 0 keeps the lookup per row):
# a chunk of the yearly run reads its own persons' debits, never every transfer stored so far.
ACCOUNT_DEBITS_SQL = """
    SELECT t.payer_id AS holder, t.occurred_on, t.amount FROM enrollment_contributiontransaction t
    WHERE t.channel = 'family_account' AND t.payer_id >= %(lo)s AND t.payer_id < %(hi)s
    UNION ALL
    SELECT tc.person_id, t.occurred_on, t.amount FROM enrollment_contribution tc
    CROSS JOIN LATERAL (SELECT t.occurred_on, t.amount FROM enrollment_contributiontransaction t
                        WHERE t.contribution_id = tc.id AND t.kind = 'account_transfer' OFFSET 0) t
    WHERE tc.person_id >= %(lo)s AND tc.person_id < %(hi)s"""


def available_balance(payer, *, on: dt.date) -> Decimal:
    """The payer's account on ``on``: the latest balance on or before it, less what the office debited to the
    account after that balance (ACCOUNT_DEBITS_SQL: family payments and the yearly transfers; the balance is
    the end-of-day snapshot of the medical system)."""
    balance = (
        AccountEvent.objects.filter(person=payer, event=AccountEvent.Event.BALANCE, occurred_on__lte=on)
        .order_by("-occurred_on", "-id")
        .first()
    )
    if balance is None:
        return Decimal("0.00")
    spent = ContributionTransaction.objects.filter(
        Q(channel="family_account", payer=payer)
        | Q(kind=ContributionTransaction.Kind.ACCOUNT_TRANSFER, contribution__person=payer),
        occurred_on__gt=balance.occurred_on,
    ).aggregate(s=Sum("amount"))["s"]
    return balance.amount - (spent or 0)
