"""The institutions' claim deadline (SPEC 7.1): late flags and reminders before and after the deadline."""

import datetime as dt

from django.contrib.auth.models import User
from django.core import mail

from institutions.models import Institution, InstitutionUser
from settlement.models import Claim, ClaimReminder
from settlement.services.records import claim_deadline, claim_reminders, claim_submit

from .conftest import D


def _user(code, name, role="clerk"):
    user = User.objects.create_user(name, password="pw", email=f"{name}@example.cn")  # noqa: S106
    InstitutionUser.objects.create(user=user, institution=Institution.objects.get(code=code), role=role)
    return user


def test_deadline_is_the_policy_day_of_the_next_month(world):
    assert claim_deadline(D(2024, 5, 1)) == D(2024, 6, 5)
    assert claim_deadline(D(2024, 12, 1)) == D(2025, 1, 5)


def test_claim_after_the_deadline_is_flagged_late(world):
    institution = Institution.objects.get(code="YL001")
    on_time = claim_submit(
        institution=institution, month=D(2024, 5, 1), now=dt.datetime(2024, 6, 5, 12, tzinfo=dt.UTC)
    )
    assert (on_time.deadline, on_time.late) == (D(2024, 6, 5), False)
    late = claim_submit(
        institution=Institution.objects.get(code="YY001"),
        month=D(2024, 5, 1),
        now=dt.datetime(2024, 6, 6, 12, tzinfo=dt.UTC),
    )
    assert late.late is True


def test_reminders_go_to_institutions_without_a_claim_once(world):
    _user("YL001", "yl_clerk")
    _user("YY001", "yy_clerk")
    _user("YY001", "yy_carer", role="caregiver")
    claim_submit(institution=Institution.objects.get(code="YY001"), month=D(2024, 5, 1))
    assert claim_reminders(on=D(2024, 6, 1)) == []  # more than 3 days before the deadline
    due = claim_reminders(on=D(2024, 6, 2))
    assert "YL001" in {r.institution.code for r in due} and "YY001" not in {r.institution.code for r in due}
    assert ["yl_clerk@example.cn"] in [m.to for m in mail.outbox]
    assert all("yy_" not in "".join(m.to) for m in mail.outbox)
    assert claim_reminders(on=D(2024, 6, 3)) == []  # already reminded for this month
    overdue = claim_reminders(on=D(2024, 6, 6))
    assert {r.kind for r in overdue} == {"overdue"}
    assert ClaimReminder.objects.filter(institution__code="YL001", month=D(2024, 5, 1)).count() == 2
    assert Claim.objects.filter(institution__code="YL001").count() == 0


def test_claim_reminder_beat_entry(db):
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="settlement.tasks.claim_reminders_today").exists()
