"""Payments of the individual part outside the account (SPEC 3.3, 11.2): one transaction per row."""

import datetime as dt
import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ltci.core.idnumber import age_on
from ltci.core.import_fields import RowError, duplicate_message, unknown_person_message
from ltci.core.policy import PolicyError

from .. import rules
from ..models import Contribution, ContributionTransaction, CoveragePeriod, Person, WageBase
from ..selectors import persons_by_national_id
from .arrears import arrears_recovered_notify, recover_arrears
from .family import available_balance, relation_problem
from .standards import family_payment_relations, year_policy

Tx = ContributionTransaction.Kind


def payment_key(r) -> str:
    raw = f"{r.national_id}|{r.year}|{r.amount}|{r.paid_on.isoformat()}|{r.channel}|{r.payer_national_id}"
    return "payment:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def first_coverage_in_year(person_ids, year: int) -> dict[int, tuple[dt.date, str]]:
    """The first coverage period overlapping the year per person: (start, insurance_type)."""
    jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out: dict[int, tuple[dt.date, str]] = {}
    qs = (
        CoveragePeriod.objects.overlapping(jan1, dec31)
        .filter(person_id__in=person_ids)
        .order_by("person_id", "start")
    )
    for pid, start, itype in qs.values_list("person_id", "start", "insurance_type"):
        out.setdefault(pid, (start, itype))
    return out


class NoWageBase(PolicyError):
    """A wage-base standard (seed 004) and no wage base of the person for the year: no contribution yet."""


def new_contribution(person: Person, year: int, start: dt.date, itype: str, policy) -> Contribution:
    """Build (unsaved) the contribution the yearly run would create for this person and year."""
    std = policy.standard_for(itype, person.categories)
    if std is None:
        raise PolicyError(f"insurance type {itype} is not covered in {year}")
    ref = max(dt.date(year, 1, 1), start, std.covered_from)
    sub = rules.subsidy_category(
        categories=person.categories,
        insurance_type=itype,
        age=age_on(person.birth_date, ref),
        subsidised=policy.subsidised,
        resident_age_min=policy.resident_age_min,
    )
    a = std.amounts
    if a.rates is not None:  # seed 004: a wage-base standard needs the person's wage base of the year
        wage = WageBase.objects.filter(person=person, year=year).values_list("amount", flat=True).first()
        if wage is None:
            raise NoWageBase(
                _("%(year)s 年度缴费按本人缴费基数计算，但该参保人尚无 %(year)s 年缴费基数（先导入缴费基数）")
                % {"year": year}
            )
        a = rules.wage_amounts(a, wage)
    due = rules.due_by(year=year, deadline=policy.deadline, coverage_start=max(start, std.covered_from))
    return Contribution(
        person=person,
        year=year,
        insurance_type=itype,
        region_code=person.region_code,
        total_amount=a.total,
        individual_amount=a.individual,
        pooled_fund_amount=a.pooled_fund,
        fiscal_amount=a.fiscal,
        employer_amount=a.employer,
        subsidised=bool(sub),
        subsidy_category=sub,
        individual_paid=a.individual if sub else 0,
        status=Contribution.Status.WAIVED if sub else Contribution.Status.DUE,
        due_by=due,
        fully_paid_on=ref if sub else None,
        policy_record_id=std.record_id,
    )


@transaction.atomic
def payments_apply(parsed, *, actor=None) -> tuple[int, int, list[RowError]]:
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    rows = []
    for row_no, r in parsed:
        key = payment_key(r)
        if key in seen:
            errors.append(RowError(row_no, "*", duplicate_message(seen[key])))
            continue
        seen[key] = row_no
        rows.append((row_no, r, key))
    ids = {r.national_id for _, r, _ in rows} | {
        r.payer_national_id for _, r, _ in rows if r.payer_national_id
    }
    persons = persons_by_national_id(ids)
    existing_keys = set(
        ContributionTransaction.objects.filter(source_key__in=[k for *_, k in rows]).values_list(
            "source_key", flat=True
        )
    )
    pairs = {(persons[r.national_id].pk, r.year) for _, r, _ in rows if r.national_id in persons}
    contributions = {
        (c.person_id, c.year): c
        for c in Contribution.objects.select_for_update()
        .filter(person_id__in={p for p, _ in pairs}, year__in={y for _, y in pairs})
        .order_by("person_id", "year")
    }
    coverage_by_year = {}
    policies = {}
    today = timezone.localdate()
    applied = unchanged = 0
    new_contribs, touched, txs, fresh, recovered = [], {}, [], {}, []
    debited: dict[int, Decimal] = {}  # family payments of this file per payer (not yet saved)
    for row_no, r, key in sorted(rows, key=lambda x: (x[1].national_id, x[1].year, x[1].paid_on, x[0])):
        person = persons.get(r.national_id)
        if person is None:
            errors.append(RowError(row_no, "national_id", unknown_person_message(r.national_id)))
            continue
        if key in existing_keys:
            unchanged += 1
            continue
        payer = None
        if r.channel == "family_account":
            payer = persons.get(r.payer_national_id)
            allowed = family_payment_relations(r.paid_on)
            if not allowed:
                errors.append(
                    RowError(
                        row_no,
                        "channel",
                        _(
                            "%(date)s 有效的政策不允许用职工个人账户为家庭成员缴费（family_account 家庭共济账户）"
                        )
                        % {"date": r.paid_on.isoformat()},
                    )
                )
                continue
            if payer is None or payer.insurance_type != "employee" or not payer.has_personal_account:
                errors.append(
                    RowError(
                        row_no,
                        "payer_national_id",
                        _("%(id)s 不是有个人账户的职工参保人") % {"id": r.payer_national_id},
                    )
                )
                continue
            problem = relation_problem(payer=payer, person=person, allowed=allowed)
            if problem is None:
                left = available_balance(payer, on=r.paid_on) - debited.get(payer.pk, 0)
                if r.amount > left:
                    problem = _("代缴人个人账户余额不足（%(date)s 可用 %(left)s）") % {
                        "date": r.paid_on.isoformat(),
                        "left": f"{max(left, 0):.2f}",
                    }
            if problem is not None:
                errors.append(RowError(row_no, "payer_national_id", problem))
                continue
        contribution = contributions.get((person.pk, r.year))
        if contribution is None:
            if r.year not in coverage_by_year:
                coverage_by_year[r.year] = first_coverage_in_year([p.pk for p in persons.values()], r.year)
            cover = coverage_by_year[r.year].get(person.pk)
            if cover is None:
                errors.append(RowError(row_no, "year", _("该参保人 %(year)s 年未参保") % {"year": r.year}))
                continue
            try:
                if r.year not in policies:
                    policies[r.year] = year_policy(r.year)
                contribution = new_contribution(person, r.year, cover[0], cover[1], policies[r.year])
            except PolicyError as exc:
                errors.append(RowError(row_no, "year", str(exc)))
                continue
            contributions[(person.pk, r.year)] = contribution
            fresh[id(contribution)] = contribution
        outstanding = (
            0 if contribution.subsidised else contribution.individual_amount - contribution.individual_paid
        )
        if r.amount > outstanding:
            errors.append(
                RowError(
                    row_no,
                    "amount",
                    _("%(amount)s 超过 %(year)s 年度应缴金额（尚欠 %(due)s）")
                    % {"amount": r.amount, "year": r.year, "due": f"{max(outstanding, 0):.2f}"},
                )
            )
            continue
        if contribution.status == Contribution.Status.ARREARS:
            recovered.append(contribution)
        contribution.individual_paid += r.amount
        if contribution.individual_paid >= contribution.individual_amount:
            contribution.fully_paid_on = r.paid_on
        contribution.status = rules.payment_status(
            individual_amount=contribution.individual_amount,
            individual_paid=contribution.individual_paid,
            due=contribution.due_by,
            today=today,
        )
        touched[id(contribution)] = contribution
        if id(contribution) in fresh and contribution not in new_contribs:
            new_contribs.append(contribution)
        txs.append(
            (
                contribution,
                ContributionTransaction(
                    kind=Tx.PAYMENT,
                    amount=r.amount,
                    occurred_on=r.paid_on,
                    channel=r.channel,
                    payer=payer,
                    source_key=key,
                ),
            )
        )
        applied += 1
        if payer is not None:
            debited[payer.pk] = debited.get(payer.pk, Decimal(0)) + r.amount
    _save(new_contribs, touched, txs)
    arrears_recovered_notify(recovered, on=today)
    recover_arrears(
        {c.person_id for c in new_contribs if c.insurance_type == "employee"}
    )  # credits came first
    return applied, unchanged, errors


def _save(new_contribs, touched, txs):
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    if new_contribs:
        bulk_create_with_history(new_contribs, Contribution)
        saved = {
            (c.person_id, c.year): c.pk
            for c in Contribution.objects.filter(
                person_id__in={c.person_id for c in new_contribs}, year__in={c.year for c in new_contribs}
            )
        }
        for c in new_contribs:
            c.pk = saved[(c.person_id, c.year)]
        ContributionTransaction.objects.bulk_create(
            [
                ContributionTransaction(
                    contribution_id=c.pk,
                    kind=Tx.FISCAL_SUBSIDY,
                    amount=c.individual_amount,
                    occurred_on=c.fully_paid_on,
                    channel="fiscal",
                    source_key=f"run:{c.year}:subsidy:{c.pk}",
                )
                for c in new_contribs
                if c.subsidised and c.individual_amount > 0
            ]
        )
    new_ids = {id(c) for c in new_contribs}
    existing = [c for key, c in touched.items() if key not in new_ids]
    if existing:
        bulk_update_with_history(existing, Contribution, ["individual_paid", "status", "fully_paid_on"])
    for c, tx in txs:
        tx.contribution_id = c.pk
    ContributionTransaction.objects.bulk_create([tx for _, tx in txs])
