import io

import pytest
from django.core.management import call_command

from settlement.models import SettlementRun


@pytest.mark.django_db(transaction=False)
def test_demo_shows_a_paid_an_audited_and_an_open_month(xuzhou):
    call_command("seed_demo", "--persons", "300", stdout=io.StringIO())
    states = list(SettlementRun.objects.order_by("month").values_list("state", flat=True))
    assert states == ["paid", "audited", "draft"]
    call_command("seed_demo", "--persons", "300", stdout=io.StringIO())  # idempotent
    assert SettlementRun.objects.count() == 3
