"""Nantong's home benefits through the run (seed 002): daily allowance, package with co-payment, devices."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from benefits.models import BenefitDecision
from settlement.models import ServiceRecord, SettlementLine
from settlement.services.run import settlement_run
from tests.benefits.conftest import make_conclusion, make_institution, make_person

D = dt.date


@pytest.fixture
def nantong(load_pack):
    load_pack("nantong")


def _record(inst, person, day, charge, kind="home_visit", n=0):
    start = dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=dt.UTC) if kind == "home_visit" else None
    return ServiceRecord.objects.create(
        institution=inst,
        person=person,
        kind=kind,
        service_date=day,
        charged_amount=Decimal(charge),
        source_key=f"t:{person.pk}:{day}:{kind}:{n}",
        caregiver_national_id="",
        started_at=start,
        ended_at=start + dt.timedelta(hours=1) if start else None,
    )


def test_daily_allowance_15_severe_8_moderate(nantong):
    severe, moderate = make_person(), make_person()
    make_conclusion(severe, grade=4)
    make_conclusion(moderate, grade=2)
    for person in (severe, moderate):
        BenefitDecision.objects.create(person=person, care_form="daily_allowance", starts_on=D(2024, 1, 1))
    settlement_run(month=D(2024, 6, 1))
    amounts = dict(SettlementLine.objects.values_list("person_id", "fund_amount"))
    assert amounts == {severe.pk: Decimal("450.00"), moderate.pk: Decimal("240.00")}  # 30 x 15, 30 x 8


def test_package_visits_pay_five_yuan_a_visit_and_devices_share_8_to_2(nantong):
    from institutions.models import Caregiver, Employment

    person = make_person()
    make_conclusion(person, grade=4)
    inst = make_institution(type="home_care", care_forms=("home_package_copay", "device"), beds=0)
    caregiver = Caregiver.objects.create(national_id="320302198001010011", name="护理员")
    Employment.objects.create(caregiver=caregiver, institution=inst, employed_from=D(2023, 1, 1))
    BenefitDecision.objects.create(
        person=person, care_form="home_package_copay", institution=inst, starts_on=D(2024, 1, 1)
    )
    for n in range(17):
        record = _record(inst, person, D(2024, 6, 1) + dt.timedelta(days=n), "70.00")
        ServiceRecord.objects.filter(pk=record.pk).update(caregiver_national_id=caregiver.national_id)
    _record(inst, person, D(2024, 6, 3), "9000.00", kind="device")
    settlement_run(month=D(2024, 6, 1))
    package = SettlementLine.objects.get(care_form="home_package_copay")
    # 1-17 June 2024 (Sat 1 .. Mon 17): 4 visits a week are paid (2 + 4 + 4 + 1 = 11), the other 6 are
    # OVER_LIMIT (420); 11 x 70 = 770: person 11 x 5 = 55, fund 715 (below the 1100 limit).
    assert (package.fund_amount, package.personal_amount, package.rejected_amount) == (
        Decimal("715.00"),
        Decimal("55.00"),
        Decimal("420.00"),
    )
    device = SettlementLine.objects.get(care_form="device")
    # 9000 against the 8000 yearly limit: base 8000 -> fund 6400, person 1600, 1000 OVER_LIMIT.
    assert (device.fund_amount, device.personal_amount, device.rejected_amount, device.reason_codes) == (
        Decimal("6400.00"),
        Decimal("1600.00"),
        Decimal("1000.00"),
        ["OVER_LIMIT"],
    )


def test_jinjiang_stops_with_the_missing_standard_named(load_pack):
    load_pack("jinjiang-2023")
    person = make_person()
    make_conclusion(person, grade=4)
    BenefitDecision.objects.create(person=person, care_form="remote_cash", starts_on=D(2024, 1, 1))
    with pytest.raises(CommandError, match="'covered_classes'.*has not been entered yet"):
        call_command("run_settlement", "--month", "2024-06", stdout=io.StringIO())
    assert not SettlementLine.objects.exists()
