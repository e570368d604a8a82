"""Builders for institution tests (real services, real PostgreSQL); other apps' tests may reuse them."""

import datetime as dt
import itertools

from django.contrib.auth import get_user_model

from institutions import services
from institutions.models import Institution, InstitutionUser
from institutions.rules import make_credit_code
from ltci.core.idnumber import make_id_number

PASSWORD = "portal-test-pass-1"  # noqa: S105 (test fixture)
_serial = itertools.count(1)


def institution(
    *,
    code=None,
    type="elderly_care",
    active=True,
    beds=0,
    valid_from=dt.date(2024, 1, 1),
    valid_to=dt.date(2030, 12, 31),
    insurance=dt.date(2030, 12, 31),
    care_forms=("residential",),
    price_life=None,
    price_medical=None,
    on=None,
):
    """An institution through the real lifecycle (applied -> review -> evaluation -> signed)."""
    n = next(_serial)
    inst = Institution.objects.create(
        code=code or f"T{n:04d}",
        name=f"测试机构{n}",
        type=type,
        region_code="320302",
        credit_code=make_credit_code("320302", n),
    )
    if active:
        on = on or valid_from
        services.institution_submit_review(institution=inst, actor=None, reason="申请", on=on)
        services.institution_pass_review(institution=inst, actor=None, reason="审核通过", on=on)
        services.agreement_sign(
            institution=inst,
            valid_from=valid_from,
            valid_to=valid_to,
            care_forms=list(care_forms),
            insurance_expires_on=insurance,
            price_life=price_life,
            price_medical=price_medical,
            actor=None,
            reason="签约",
            on=on,
        )
        inst.refresh_from_db()
    if beds:
        services.beds_set_count(institution=inst, count=beds, on=valid_from)
    return inst


def portal_user(inst, role="admin", username=None):
    username = username or f"{inst.code.lower()}-{role}-{next(_serial)}"
    link = services.institution_user_create(institution=inst, username=username, password=PASSWORD, role=role)
    return link.user


def plain_user(username=None, **extra):
    return get_user_model().objects.create_user(
        username=username or f"plain{next(_serial)}", password=PASSWORD, **extra
    )


def national_id(serial=None, birth=dt.date(1980, 5, 1)):
    return make_id_number("320302", birth, serial if serial is not None else next(_serial) % 1000)


__all__ = ["institution", "portal_user", "plain_user", "national_id", "InstitutionUser", "PASSWORD"]


def occupy(institution, *, since):
    """Put a resident on every bed of ``institution`` registered on ``since``, open-ended, as institutions sees
    it: BedUse rows (in production the triggers of benefits' admissions write them). Return their queryset."""
    from institutions.models import Bed, BedUse

    beds = Bed.objects.in_force(since).filter(institution=institution)
    start = BedUse.objects.order_by("-source_id").values_list("source_id", flat=True).first() or 0
    for n, bed in enumerate(beds, start=start + 1):
        BedUse.objects.create(source_id=n, bed=bed, person_id=n, start=since)
    return BedUse.objects.filter(bed__institution=institution)
