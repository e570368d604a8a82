"""Institutions' entries on the staff dashboard and the provider portal's home (ltci.core.workqueues).

Staff: liability-insurance notices not yet handled are among the day's warnings. Portal: the institution's
agreement, liability insurance and caregiver certificates expiring within LTCI_EXPIRY_WARNING_DAYS, and the
violations it was ordered to rectify within as many days (docs/decisions.md, "The provider portal's to-dos").
"""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ltci.core.workqueues import PortalTodo, Todo, WorkQueue, register, register_portal

from .models import Agreement, CaregiverCertificate, Employment, InsuranceNotice, Violation, ViolationAction
from .selectors import current_agreement

register(
    WorkQueue(
        key="institutions.insurance_notices",
        label=_("责任险到期提醒"),
        capability="institutions.insurance_check",
        model=InsuranceNotice,
        filters={"acknowledged__exact": False},
        warning=True,
        order=91,
    ),
)


def _horizon(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=settings.LTCI_EXPIRY_WARNING_DAYS)


def _agreement_expiring(institution, today) -> list[Todo]:
    agreement = current_agreement(institution=institution)
    if agreement is None or agreement.state != Agreement.State.ACTIVE:
        return []
    if not today <= agreement.valid_to <= _horizon(today):
        return []
    return [
        Todo(
            label=gettext("服务协议即将到期"),
            url=reverse("portal:agreement"),
            detail=gettext("协议于 %(date)s 到期，请及时申请续签")
            % {"date": f"{agreement.valid_to:%Y-%m-%d}"},
            urgent=True,
        )
    ]


def _insurance_expiring(institution, today) -> list[Todo]:
    agreement = current_agreement(institution=institution)
    live = (Agreement.State.ACTIVE, Agreement.State.SUSPENDED)
    if agreement is None or agreement.state not in live or agreement.insurance_expires_on is None:
        return []
    expires = agreement.insurance_expires_on
    if expires > _horizon(today) or agreement.valid_to < today:
        return []
    detail = (
        gettext("第三方责任保险已于 %(date)s 到期，请续保并报经办机构登记")
        if expires < today
        else gettext("第三方责任保险将于 %(date)s 到期，请及时续保")
    ) % {"date": f"{expires:%Y-%m-%d}"}
    return [Todo(label=gettext("责任险到期"), url=reverse("portal:agreement"), detail=detail, urgent=True)]


def _certificates_expiring(institution, today) -> list[Todo]:
    employed = Employment.objects.in_force(today).filter(institution=institution).values("caregiver_id")
    count = CaregiverCertificate.objects.filter(
        caregiver_id__in=employed, expires_on__gte=today, expires_on__lte=_horizon(today)
    ).count()
    return [
        Todo(
            label=gettext("护理人员证书即将到期"),
            url=reverse("portal:caregivers"),
            count=count,
            detail=gettext("%(days)s 天内到期") % {"days": settings.LTCI_EXPIRY_WARNING_DAYS},
        )
    ]


def _violations_to_answer(institution, today) -> list[Todo]:
    since = today - dt.timedelta(days=settings.LTCI_EXPIRY_WARNING_DAYS)
    count = Violation.objects.filter(
        institution=institution, action=ViolationAction.RECTIFICATION, found_on__gte=since
    ).count()
    return [
        Todo(
            label=gettext("违规待整改"),
            url=reverse("portal:violations"),
            count=count,
            detail=gettext("近 %(days)s 天责令整改的违规，请整改并报经办机构")
            % {"days": settings.LTCI_EXPIRY_WARNING_DAYS},
            urgent=True,
        )
    ]


register_portal(
    PortalTodo(key="institutions.agreement", capability="portal.view", items=_agreement_expiring, order=60),
    PortalTodo(key="institutions.insurance", capability="portal.view", items=_insurance_expiring, order=61),
    PortalTodo(
        key="institutions.certificates", capability="portal.records", items=_certificates_expiring, order=62
    ),
    PortalTodo(
        key="institutions.violations", capability="portal.records", items=_violations_to_answer, order=63
    ),
)
