"""benefits.demo through seed_demo: decisions in every Xuzhou care form, logins, idempotent."""

import pytest
from django.core.management import call_command

from benefits import demo
from benefits.models import BenefitDecision, HospitalStay, InsuredAccount

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.slow]


def test_seed_demo_makes_decisions_in_every_care_form_and_logins(xuzhou, capsys):
    from django.contrib.auth.models import Group

    from ltci.core.roles import ALL_ROLES

    for name in ALL_ROLES:  # a transactional (browser) test earlier in the run flushes migration data
        Group.objects.get_or_create(name=name)
    call_command("seed_demo", persons=200)
    forms = set(BenefitDecision.objects.values_list("care_form", flat=True))
    assert {"residential", "home_visits", "home_family", "remote_cash"} <= forms, forms
    assert HospitalStay.objects.exists()
    assert InsuredAccount.objects.filter(activated_at__isnull=False).count() == 2
    count = BenefitDecision.objects.count()
    call_command("seed_demo", persons=200)
    assert BenefitDecision.objects.count() == count
    lines = demo.login_lines("http://localhost:8000")
    assert len(lines) == 2 and "/me/login/" in lines[0]
