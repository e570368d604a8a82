"""Institutions' notice (issue 19): a recorded violation is told to the institution, once."""

import datetime as dt

from institutions import services
from institutions.models import InstitutionContact
from ltci.core.models import Notification

from . import helpers
from .test_lifecycle import staff  # noqa: F401 (fixture)


def test_a_recorded_violation_is_told_to_the_institution(db, staff):  # noqa: F811
    inst = helpers.institution()
    InstitutionContact.objects.create(
        institution=inst, mobile="13700000003", consent_on=dt.date(2026, 1, 1), preferred_channel="sms"
    )
    violation = services.violation_record(
        institution=inst,
        type="false_records",
        description="虚构服务记录3条",
        found_on=dt.date(2026, 5, 10),
        action="rectification",
        actor=staff,
    )
    (told,) = Notification.objects.filter(event="violation", recipient_ref=inst.code)
    assert (told.recipient_kind, told.channel, told.event_key) == (
        "institution",
        "sms",
        f"violation:{violation.pk}",
    )
    assert "于2026年5月10日存在违规行为" in told.body
