"""Reads of the status page (SPEC 8): whom an account may view, and everything shown about that person."""

import datetime as dt

from ltci.core.queries import SENTINEL_DAY, SENTINEL_ID, Precompiled, id_set

from .models import AgentLink, InsuredAccount

# The settlement app (above benefits) registers the reader of each month's services and amounts in its
# AppConfig.ready(), so the status page shows them without importing upward (STYLE: apps depend downward).
_monthly_providers: list = []


def register_monthly_services_provider(provider) -> None:
    """Register ``provider(*, person) -> [{"month", "lines", "fund", "personal"}]`` for the status page."""
    if provider not in _monthly_providers:
        _monthly_providers.append(provider)


def monthly_services(*, person) -> list[dict] | None:
    """Each month's services and what the fund and the person paid; None when no settlement app is installed."""
    if not _monthly_providers:
        return None
    months: list[dict] = []
    for provider in _monthly_providers:
        months += provider(person=person)
    return months


def account_of(user) -> InsuredAccount | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        InsuredAccount.objects.filter(user=user, activated_at__isnull=False).select_related("person").first()
    )


def viewable_persons(*, account: InsuredAccount, on: dt.date) -> list:
    """The account's own person (if insured) and the principals of its links in force, in that order."""
    from enrollment.models import Person

    persons = [account.person] if account.person_id else []
    principal_ids = (
        AgentLink.objects.in_force(on).filter(account=account).values_list("principal_id", flat=True)
    )
    persons += list(Person.objects.filter(pk__in=list(principal_ids)).order_by("name", "pk"))
    return persons


def _build_decisions(person):
    from .selectors import decisions_for_person

    return decisions_for_person(person=person)


def _build_stays(person):
    from .selectors import hospital_stays_for_person

    return hospital_stays_for_person(person=person)[:5]


def _build_contributions(person):
    from enrollment.models import Contribution

    return Contribution.objects.filter(person=person).order_by("-year")


def _build_coverage(person):
    from enrollment.models import CoveragePeriod

    return CoveragePeriod.objects.filter(person=person).order_by("-start")


def _build_applications(person):
    from assessment.models import Application

    return Application.objects.filter(person=person).order_by("-applied_on")[:10]


def _build_conclusions(person):
    from assessment.models import Conclusion

    return (
        Conclusion.objects.filter(person=person)
        .exclude(state=Conclusion.State.DRAFT)
        .order_by("-concluded_on")[:10]
    )


def _build_reminders(person, on):
    from assessment.models import Conclusion, ExpiryReminder
    from ltci.core.models import overlapping_q

    # SPEC 4.3: reminded from 60 days before expiry until a new conclusion replaces it or it expires.
    return (
        ExpiryReminder.objects.filter(
            overlapping_q(Conclusion, on, None, prefix="conclusion__"),  # not expired yet
            conclusion__person=person,
            conclusion__state=Conclusion.State.FINAL,
            remind_on__lte=on,
        )
        .select_related("conclusion")
        .order_by("conclusion__valid_until")
    )


# The page's reads, compiled once per process (ltci.core.queries.Precompiled): a first view of the page ran
# 13 small queries whose building and compiling cost more CPU than everything else on the page.
_READS = {
    name: Precompiled(build, person=SENTINEL_ID)
    for name, build in (
        ("decisions", _build_decisions),
        ("stays", _build_stays),
        ("contributions", _build_contributions),
        ("coverage", _build_coverage),
        ("applications", _build_applications),
        ("conclusions", _build_conclusions),
    )
}
_READS["reminders"] = Precompiled(_build_reminders, person=SENTINEL_ID, on=SENTINEL_DAY)


def _build_account(account):
    return InsuredAccount.objects.select_related("person").filter(pk=account)


def _build_persons(ids):
    from enrollment.models import Person

    return Person.objects.filter(pk__in=id_set(ids))


_READS["account"] = Precompiled(_build_account, account=SENTINEL_ID)
_READS["persons"] = Precompiled(_build_persons, ids=[SENTINEL_ID])


def account_and_viewable(*, account_id: int, viewable_ids) -> tuple[InsuredAccount, list]:
    """The account and the persons of ``viewable_ids`` in that order (the page state's list, see
    viewable_persons for the rule), read through Precompiled querysets."""
    account = _READS["account"](account=account_id)[0]
    principals = [i for i in viewable_ids if i != account.person_id]
    persons = {p.pk: p for p in _READS["persons"](ids=principals)} if principals else {}
    if account.person_id:
        persons[account.person_id] = account.person
    return account, [persons[i] for i in viewable_ids if i in persons]


def status_of(*, person, on: dt.date, policy_stamp: str | None = None) -> dict:
    """Everything the status page shows about one person.

    ``policy_stamp`` identifies the policy tables' contents (status_cache): the payment standards shown are
    then reused from the last page with the same stamp, form, class and day instead of read again.
    """
    from enrollment.selectors import payable_from

    decisions = _READS["decisions"](person=person.pk)
    # The one in force on the day (decisions of a person never overlap: exclusion constraint).
    decision = next(
        (
            d
            for d in sorted(decisions, key=lambda d: d.pk)
            if d.starts_on <= on and (d.ends_on is None or d.ends_on >= on)
        ),
        None,
    )
    contributions = _READS["contributions"](person=person.pk)
    coverage = _READS["coverage"](person=person.pk)
    arrears = [c for c in contributions if c.status in (c.Status.ARREARS, c.Status.PARTLY_PAID)]
    return {
        "person": person,
        "coverage": coverage,
        "contributions": contributions,
        "arrears": arrears,
        "payable_from": payable_from(person=person, coverage=coverage, contributions=contributions),
        "applications": _READS["applications"](person=person.pk),
        "conclusions": _READS["conclusions"](person=person.pk),
        "decision": decision,
        "standards": _standards(decision, on, policy_stamp) if decision else [],
        "decisions": decisions[:10],
        "hospital_stays": _READS["stays"](person=person.pk),
        "reminders": _READS["reminders"](person=person.pk, on=on),
        "months": monthly_services(person=person),
        "today": on,
    }


_standards_seen: dict[tuple, list] = {}


def _standards(decision, on: dt.date, policy_stamp: str | None) -> list[tuple[str, str]]:
    if policy_stamp is None:
        return decision_standards(decision, on)
    key = (policy_stamp, decision.care_form, decision.benefit_class, on)
    if key not in _standards_seen:
        if len(_standards_seen) > 1000:
            _standards_seen.clear()
        _standards_seen[key] = decision_standards(decision, on)
    return list(_standards_seen[key])


STANDARD_LABELS = {
    "daily": "每日标准（元）",
    "fund_ratio": "基金支付比例",
    "monthly_limit": "月度限额（元）",
    "daily_allowance": "亲情照护补贴（元/日）",
    "visits_monthly_limit": "上门服务月度标准（元）",
    "untrained_ratio": "未培训照护人支付比例",
    "copay_per_visit": "每次个人自付（元）",
    "yearly_limit": "年度限额（元）",
}
COMPONENT_LABELS = {"": "", "life": "生活照料", "medical": "医疗护理"}


def decision_standards(decision, on: dt.date) -> list[tuple[str, str]]:
    """The payment standards in force for the decision's form and class, as (label, value) lines.

    A standard not available (not entered, other scheme) is shown as such rather than failing the page.
    """
    from ltci.core.policy import PolicyError

    from .payment import standards_for

    lines = []
    components = ["life", "medical"] if decision.care_form == "residential" else [""]
    for component in components:
        try:
            standard = standards_for(decision.care_form, decision.benefit_class, component, on=on)
        except PolicyError:
            if component != "medical":
                lines.append((COMPONENT_LABELS[component] or "支付标准", "以经办机构公布为准"))
            continue
        prefix = COMPONENT_LABELS[component]
        for key, label in STANDARD_LABELS.items():
            if key in standard.values and standard.values.entered(key):
                lines.append((f"{prefix}{label}", str(standard.values[key])))
    return lines
