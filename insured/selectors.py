"""Reads of the insured person's page (SPEC 8): whom an account may view, and everything shown about that person.

The site sits above every domain app, so it reads each app's models and selectors directly (downward)."""

import datetime as dt
import functools
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assessment.models import Application, Conclusion, ExpiryReminder
from benefits.models import AgentLink, InsuredAccount
from benefits.payment import standards_for
from benefits.selectors import decisions_for_person, hospital_stays_for_person
from enrollment.models import Contribution, CoveragePeriod, Person
from ltci.core.models import overlapping_q
from ltci.core.policy import PolicyError
from settlement.selectors import payments_for_person, person_months


def account_of(user) -> InsuredAccount | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        InsuredAccount.objects.filter(user=user, activated_at__isnull=False).select_related("person").first()
    )


def viewable_persons(*, account: InsuredAccount, on: dt.date) -> list:
    """The account's own person (if insured) and the principals of its links in force, in that order."""
    persons = [account.person] if account.person_id else []
    principal_ids = (
        AgentLink.objects.in_force(on).filter(account=account).values_list("principal_id", flat=True)
    )
    persons += list(Person.objects.filter(pk__in=list(principal_ids)).order_by("name", "pk"))
    return persons


def account_and_viewable(*, account_id: int, viewable_ids=None, on: dt.date) -> tuple[InsuredAccount, list]:
    """The account and the persons it may view on the day (see viewable_persons for the rule)."""
    account = InsuredAccount.objects.select_related("person").get(pk=account_id)
    return account, viewable_persons(account=account, on=on)


def status_of(*, person, on: dt.date, policy_stamp=None) -> dict:
    """Everything the page shows about one person (plain querysets; the page cache spares repeat views).

    ``policy_stamp`` identifies the policy tables' contents (the shared page version): the payment standards
    shown are then reused from the last page with the same stamp, form, class and day instead of read again.
    """
    from enrollment.selectors import payable_from

    decisions = list(decisions_for_person(person=person))
    # The one in force on the day (decisions of a person never overlap: exclusion constraint).
    decision = next(
        (
            d
            for d in sorted(decisions, key=lambda d: d.pk)
            if d.starts_on <= on and (d.ends_on is None or d.ends_on >= on)
        ),
        None,
    )
    contributions = list(Contribution.objects.filter(person=person).order_by("-year"))
    coverage = list(CoveragePeriod.objects.filter(person=person).order_by("-start"))
    arrears = [c for c in contributions if c.status in (c.Status.ARREARS, c.Status.PARTLY_PAID)]
    return {
        "person": person,
        "coverage": coverage,
        "contributions": contributions,
        "arrears": arrears,
        "payable_from": payable_from(person=person, coverage=coverage, contributions=contributions),
        "applications": list(Application.objects.filter(person=person).order_by("-applied_on")[:10]),
        "conclusions": list(
            Conclusion.objects.filter(person=person)
            .exclude(state=Conclusion.State.DRAFT)
            .order_by("-concluded_on")[:10]
        ),
        "decision": decision,
        "standards": _standards(decision, on, policy_stamp) if decision else [],
        "decisions": decisions[:10],
        "hospital_stays": list(hospital_stays_for_person(person=person)[:5]),
        "reminders": _reminders(person, on),
        "months": person_months(person=person),
        "payments": payments_for_person(person=person),
        "today": on,
    }


def _reminders(person, on: dt.date) -> list:
    # SPEC 4.3: reminded from 60 days before expiry until a new conclusion replaces it or it expires.
    return list(
        ExpiryReminder.objects.filter(
            overlapping_q(Conclusion, on, None, prefix="conclusion__"),  # not expired yet
            conclusion__person=person,
            conclusion__state=Conclusion.State.FINAL,
            remind_on__lte=on,
        )
        .select_related("conclusion")
        .order_by("conclusion__valid_until")
    )


_standards_seen: dict[tuple, list] = {}


def _standards(decision, on: dt.date, policy_stamp) -> list[tuple[str, str]]:
    if policy_stamp is None:
        return decision_standards(decision, on)
    key = (policy_stamp, decision.care_form, decision.benefit_class, on, get_language())
    if key not in _standards_seen:
        if len(_standards_seen) > 1000:
            _standards_seen.clear()
        _standards_seen[key] = decision_standards(decision, on)
    return list(_standards_seen[key])


STANDARD_LABELS = {
    "daily": _("每日标准（元）"),
    "fund_ratio": _("基金支付比例"),
    "monthly_limit": _("月度限额（元）"),
    "daily_allowance": _("亲情照护补贴（元/日）"),
    "visits_monthly_limit": _("上门服务月度标准（元）"),
    "untrained_ratio": _("未培训照护人支付比例"),
    "copay_per_visit": _("每次个人自付（元）"),
    "yearly_limit": _("年度限额（元）"),
}
COMPONENT_LABELS = {"": "", "life": _("生活照料"), "medical": _("医疗护理")}


def decision_standards(decision, on: dt.date) -> list[tuple[str, str]]:
    """The payment standards in force for the decision's form and class, as (label, value) lines in the
    current language. A standard not available (not entered, other scheme) is shown as such."""
    lines = []
    components = ["life", "medical"] if decision.care_form == "residential" else [""]
    for component in components:
        try:
            standard = standards_for(decision.care_form, decision.benefit_class, component, on=on)
        except PolicyError:
            if component != "medical":
                lines.append(
                    (str(COMPONENT_LABELS[component] or _("支付标准")), str(_("以经办机构公布为准")))
                )
            continue
        prefix = str(COMPONENT_LABELS[component])
        separator = " · " if prefix else ""
        for key, label in STANDARD_LABELS.items():
            if key in standard.values and standard.values.entered(key):
                lines.append((f"{prefix}{separator}{label}", str(standard.values[key])))
    return lines


@dataclass(frozen=True)
class PageState:
    """Who views whom, and the versions of everything the page shows (insured.models)."""

    account_id: int
    person_id: int | None  # the account's own person
    viewed_id: int | None  # the person shown: the chosen one if the account may view it, else the first
    account_version: int
    person_version: int
    shared_version: int


@functools.cache
def _state_sql() -> str:
    from .models import AccountVersion, PersonVersion, SharedVersion

    account, link, person = (m._meta.db_table for m in (InsuredAccount, AgentLink, Person))
    in_force = (
        "l.account_id = a.id AND l.valid_from <= %(on)s AND (l.valid_to IS NULL OR l.valid_to >= %(on)s)"
    )
    return f"""
SELECT a.id, a.person_id, s.viewed, coalesce(av.version, 0), coalesce(pv.version, 0), coalesce(sv.version, 0)
FROM "{account}" a
CROSS JOIN LATERAL (SELECT CASE
    WHEN %(chosen)s::bigint = a.person_id THEN a.person_id
    WHEN EXISTS (SELECT 1 FROM "{link}" l WHERE {in_force} AND l.principal_id = %(chosen)s::bigint)
        THEN %(chosen)s::bigint
    WHEN a.person_id IS NOT NULL THEN a.person_id
    ELSE (SELECT p.id FROM "{link}" l JOIN "{person}" p ON p.id = l.principal_id WHERE {in_force}
          ORDER BY p.name, p.id LIMIT 1)
    END AS viewed) s
LEFT JOIN "{AccountVersion._meta.db_table}" av ON av.account_id = a.id
LEFT JOIN "{PersonVersion._meta.db_table}" pv ON pv.person_id = s.viewed
LEFT JOIN "{SharedVersion._meta.db_table}" sv ON sv.name = 'shared'
WHERE a.user_id = %(user)s AND a.activated_at IS NOT NULL"""  # noqa: S608 (table names from the models)


def page_state(*, user_id: int, chosen, on: dt.date) -> PageState | None:
    """One query by the user's unique account and the versions' primary keys; None: no activated account."""
    with connection.cursor() as cursor:
        cursor.execute(
            _state_sql(), {"user": user_id, "on": on, "chosen": chosen if isinstance(chosen, int) else None}
        )
        row = cursor.fetchone()
    return PageState(*row) if row is not None else None


def notifications_of(*, account: InsuredAccount, person: Person, limit: int = 50) -> list:
    """The notices about ``person`` the account may read (issue 19): those sent to the person, and those sent to
    this account as the person's agent; newest first."""
    from django.db.models import Q

    from ltci.core.models import Notification

    return list(
        Notification.objects.filter(
            Q(recipient_kind="person", recipient_id=person.pk)
            | Q(recipient_kind="agent", recipient_id=account.pk, subject_ref=person.national_id)
        ).order_by("-created_at", "-id")[:limit]
    )
