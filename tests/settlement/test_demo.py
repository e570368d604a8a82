import io

import pytest
from django.core.management import call_command

from settlement.models import Payment, SettlementRun


@pytest.mark.django_db(transaction=False)
def test_demo_shows_a_paid_an_audited_and_an_open_month(xuzhou):
    call_command("seed_demo", "--persons", "300", stdout=io.StringIO())
    states = list(SettlementRun.objects.order_by("month").values_list("state", flat=True))
    assert states == ["paid", "audited", "draft"]
    # Issue 19: paid through bank returns, one payment failed and re-issued once to a corrected account.
    failed = Payment.objects.get(state="failed")
    assert failed.bank_reason == "账户已销户"
    assert failed.reissue.state == "paid" and failed.reissue.account != failed.account
    assert not Payment.objects.exclude(state__in=["paid", "failed"]).exists()
    out, err = io.StringIO(), io.StringIO()
    call_command("reconcile_fund", stdout=out, stderr=err)
    assert "0 differences" in out.getvalue(), err.getvalue()
    call_command("seed_demo", "--persons", "300", stdout=io.StringIO())  # idempotent
    assert SettlementRun.objects.count() == 3
