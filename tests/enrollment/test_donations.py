"""Donations (捐助) and interest entered by staff: fund income with donor and purpose (SPEC 3.3, 7.3)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError

from enrollment.models import FundIncome
from enrollment.services.fund import fund_income_record
from ltci.core.roles import ENROLLMENT_CLERK, FUND_ACCOUNTANT


def staff(name, role, *codenames):
    user = User.objects.create_user(name, password="x", is_staff=True)  # noqa: S106
    group = Group.objects.get_or_create(name=role)[0]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="enrollment", codename__in=codenames)
    )
    user.groups.add(group)
    return user


def test_donation_is_booked_with_donor_purpose_and_who(db, admin_user):
    line = fund_income_record(
        source="donation",
        amount=Decimal("5000.00"),
        booked_on=dt.date(2026, 3, 1),
        donor="徐州市慈善总会",
        purpose="辅助器具",
        region_code="320302",
        actor=admin_user,
    )
    assert (line.year, line.source, line.donor, line.purpose, line.created_by) == (
        2026,
        "donation",
        "徐州市慈善总会",
        "辅助器具",
        admin_user,
    )
    assert line.source_key.startswith("manual:")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"donor": ""}, "donor"),
        ({"purpose": " "}, "purpose"),
        ({"amount": Decimal("0.00")}, "amount"),
        ({"amount": Decimal("1.005")}, "amount"),
        ({"region_code": "999999"}, "region_code"),
        ({"source": "pooled_fund"}, "source"),
    ],
)
def test_bad_donation_names_the_field_and_writes_nothing(db, kwargs, field):
    base = {
        "source": "donation",
        "amount": Decimal("100.00"),
        "booked_on": dt.date(2026, 3, 1),
        "donor": "张三",
        "purpose": "基金",
        "region_code": "",
    }
    with pytest.raises(ValidationError) as exc:
        fund_income_record(**{**base, **kwargs})
    assert field in exc.value.message_dict
    assert not FundIncome.objects.exists()


def test_interest_needs_no_donor(db):
    line = fund_income_record(source="interest", amount=Decimal("12.34"), booked_on=dt.date(2026, 6, 30))
    assert line.donor == "" and line.amount == Decimal("12.34")


def test_accountant_enters_a_donation_in_the_admin(client, db):
    accountant = staff("acc", FUND_ACCOUNTANT, "add_fundincome", "view_fundincome")
    client.force_login(accountant)
    page = client.post(
        "/admin/enrollment/fundincome/add/",
        {
            "source": "donation",
            "amount": "800.00",
            "booked_on": "2026-04-01",
            "region_code": "",
            "donor": "某公司",
            "purpose": "失能预防",
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    line = FundIncome.objects.get()
    assert (line.donor, line.amount, line.created_by, line.year) == (
        "某公司",
        Decimal("800.00"),
        accountant,
        2026,
    )


def test_admin_form_refuses_a_donation_without_donor(client, db):
    client.force_login(staff("acc", FUND_ACCOUNTANT, "add_fundincome", "view_fundincome"))
    page = client.post(
        "/admin/enrollment/fundincome/add/",
        {
            "source": "donation",
            "amount": "800.00",
            "booked_on": "2026-04-01",
            "region_code": "",
            "donor": "",
            "purpose": "失能预防",
        },
    )
    assert page.status_code == 200 and "社会捐助必须填写捐助方" in page.content.decode()
    assert not FundIncome.objects.exists()


def test_admin_form_offers_only_donation_and_interest(client, db):
    client.force_login(staff("acc", FUND_ACCOUNTANT, "add_fundincome", "view_fundincome"))
    page = client.post(
        "/admin/enrollment/fundincome/add/",
        {
            "source": "pooled_fund",
            "amount": "800.00",
            "booked_on": "2026-04-01",
            "region_code": "",
            "donor": "x",
            "purpose": "y",
        },
    )
    assert page.status_code == 200 and not FundIncome.objects.exists()


def test_clerk_without_the_permission_cannot_enter_income(client, db):
    client.force_login(staff("clerk", ENROLLMENT_CLERK, "view_person"))
    assert client.get("/admin/enrollment/fundincome/add/").status_code == 403
    assert (
        client.post(
            "/admin/enrollment/fundincome/add/",
            {"source": "donation", "amount": "1.00", "booked_on": "2026-04-01", "donor": "x", "purpose": "y"},
        ).status_code
        == 403
    )
    assert not FundIncome.objects.exists()
