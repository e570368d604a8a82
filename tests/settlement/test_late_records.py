"""Late records (SPEC 7.1): a record of a month already run goes into the next run, found by when the office
received it (a generated bed-day is received when the institution confirms it)."""

import datetime as dt

from django.utils import timezone

from institutions.models import Institution
from settlement.models import ServiceRecord, SettlementLine
from settlement.services.records import bed_days_confirm

from .conftest import D, bed_days, line_for


def _generated_unconfirmed(nid, day, received_days_ago):
    qs = ServiceRecord.objects.filter(person__national_id=nid, service_date=day)
    qs.update(
        origin=ServiceRecord.Origin.GENERATED,
        confirmed=False,
        received_at=timezone.now() - dt.timedelta(days=received_days_ago),
    )


def test_a_bed_day_confirmed_after_its_month_was_run_is_settled_late_next_month(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 4, 1), D(2024, 4, 30)))
    _generated_unconfirmed(nid, D(2024, 4, 30), received_days_ago=20)  # generated long before the run
    assert line_for(world.settle("2024-04"), nid)["quantity"] == "29"
    assert bed_days_confirm(institution=Institution.objects.get(code="YL001"), month=D(2024, 4, 1)) == 1
    record = ServiceRecord.objects.get(person__national_id=nid, service_date=D(2024, 4, 30))
    assert timezone.now() - record.received_at < dt.timedelta(minutes=1)
    world.settle("2024-05")
    late = SettlementLine.objects.get(run__month=D(2024, 5, 1), person__national_id=nid, is_late=True)
    assert (late.service_month, late.quantity, str(late.fund_amount)) == (D(2024, 4, 1), 1, "42.00")


def test_records_settled_by_their_month_are_not_taken_again_by_later_runs(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 4, 1), D(2024, 4, 30)))
    world.settle("2024-04")
    ServiceRecord.objects.filter(person__national_id=nid).update(
        received_at=timezone.now()
    )  # within the margin
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 3)))
    may = world.settle("2024-05")
    assert [x["quantity"] for x in may if x["national_id"] == nid] == ["3"]
    june = world.settle("2024-06")
    assert [x for x in june if x["national_id"] == nid] == []


def test_a_month_re_run_after_the_next_keeps_out_what_the_next_took(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 4, 1), D(2024, 4, 29)))
    world.settle("2024-04")
    world.records(bed_days("YL001", nid, D(2024, 4, 30), D(2024, 4, 30)))  # late: May takes it
    world.settle("2024-05")
    world.settle("2024-06")
    assert line_for(world.settle("2024-04"), nid)["quantity"] == "29"
    assert line_for(world.settle("2024-05"), nid, care_form="residential")["quantity"] == "1"
