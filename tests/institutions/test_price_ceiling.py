"""Issue 14: the highest agreed daily price is a policy parameter (agreement_checks), read on the agreement's
first day by every door that sets a price (the institution import, the sign service, the admin form)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from institutions import services
from institutions.errors import InstitutionError
from institutions.models import Agreement, Institution
from ltci.core.models import PolicyRecord

from . import helpers
from .test_imports import HEADER, row, run


@pytest.fixture
def ceiling_50(xuzhou):
    """The pack's ceiling lowered by staff to 50.00 (the xuzhou standard is 60.00)."""
    PolicyRecord.objects.filter(kind="agreement_checks").update(value={"max_daily_price": "50.00"})


def test_every_pack_marks_the_ceiling_as_a_default():
    from pathlib import Path

    import yaml

    for pack in sorted(Path("ltci/policy_packs").glob("*.yaml")):
        records = [r for r in yaml.safe_load(pack.read_text())["records"] if r["kind"] == "agreement_checks"]
        assert [r["value"] for r in records] == [{"max_daily_price": "2000.00"}], pack
        assert all(r["default"] is True and r["default_reason"] for r in records)


def test_import_refuses_a_price_above_the_policy_ceiling_and_keeps_nothing(db, ceiling_50):
    report = run(HEADER + row(life="50.01"))
    assert [(e.field, e.reason) for e in report.errors] == [
        (
            "price_life",
            "「生活照料收费标准（price_life）」：生活照料约定日价50.01元超过政策规定的约定日价上限50.00元",
        )
    ]
    assert not Institution.objects.exists()
    assert run(HEADER + row(life="50.00")).applied == 1


def test_import_refuses_a_price_on_a_date_without_the_ceiling_in_force(db, xuzhou):
    PolicyRecord.objects.filter(kind="agreement_checks").update(valid_from=dt.date(2027, 1, 1))
    report = run(HEADER + row(life="40.00"))
    assert [e.field for e in report.errors] == ["price_life"]
    assert "'agreement_checks'" in report.errors[0].reason and "2026-01-01" in report.errors[0].reason
    assert run(HEADER + row(code="XZ0002", life="")).applied == 1  # no price: the standard, no ceiling read


def test_sign_service_reads_the_ceiling_in_force_on_the_first_day(db, ceiling_50):
    staff = helpers.plain_user("officer", is_staff=True)
    inst = Institution.objects.create(code="XZ0100", name="甲", type="elderly_care", region_code="320302")
    services.institution_submit_review(institution=inst, actor=staff, reason="材料齐全")
    services.institution_pass_review(institution=inst, actor=staff, reason="资格符合")
    terms = {
        "institution": inst,
        "valid_from": dt.date(2026, 1, 1),
        "valid_to": dt.date(2027, 12, 31),
        "care_forms": ["residential"],
        "insurance_expires_on": dt.date(2026, 12, 31),
        "actor": staff,
        "reason": "签约",
        "on": dt.date(2026, 1, 1),
    }
    with pytest.raises(InstitutionError) as exc:
        services.agreement_sign(price_medical=D("55.00"), **terms)
    assert (exc.value.field, str(exc.value)) == (
        "price_medical",
        "医疗护理约定日价55.00元超过政策规定的约定日价上限50.00元",
    )
    assert not Agreement.objects.exists()
    assert services.agreement_sign(price_medical=D("50.00"), **terms).price_medical == D("50.00")
