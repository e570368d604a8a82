"""Security review findings 9 and 11: reserved status-page usernames and the shared caregiver record."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from benefits.models import InsuredAccount
from benefits.services.accounts import AccountError, account_create
from institutions import services
from institutions.errors import InstitutionError
from institutions.models import Caregiver

from . import helpers


@pytest.mark.parametrize("username", ["ins-{nid}", "INS-{nid}", " Ins-anything "])
def test_portal_users_cannot_claim_an_insured_persons_login_name(db, username):
    """Finding 9: a portal user named ins-<ID> blocked that person's status-page account."""
    inst = helpers.institution()
    name = username.format(nid=helpers.national_id(701))
    with pytest.raises(InstitutionError) as exc:
        services.institution_user_create(
            institution=inst, username=name, password=helpers.PASSWORD, role="clerk"
        )
    assert exc.value.field == "username"
    assert not get_user_model().objects.filter(username__iexact=name.strip()).exists()


def test_portal_user_form_shows_the_reserved_name_error(db):
    inst = helpers.institution()
    client = Client()
    client.force_login(helpers.portal_user(inst, "admin"))
    nid = helpers.national_id(702)
    response = client.post(
        "/portal/users/",
        {"username": f"ins-{nid}", "name": "x", "role": "clerk", "password": "A-long-enough-pass-9"},
    )
    assert response.status_code == 200
    assert "ins-" in response.content.decode() and "errorlist" in response.content.decode()
    assert not get_user_model().objects.filter(username=f"ins-{nid}").exists()


def test_account_creation_on_a_taken_login_name_is_a_clear_error_not_a_500(db, admin_client):
    nid = helpers.national_id(703)
    get_user_model().objects.create_user(
        username=f"ins-{nid}", password=helpers.PASSWORD
    )  # created before the fix
    with pytest.raises(AccountError, match=f"ins-{nid}"):
        account_create(national_id=nid, name="某人")
    response = admin_client.post(
        "/admin/benefits/insuredaccount/add/",
        {
            "national_id": nid,
            "name": "某人",
            "agent_links-TOTAL_FORMS": "0",
            "agent_links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert f"ins-{nid}" in response.content.decode()
    assert not InsuredAccount.objects.filter(national_id=nid).exists()


@pytest.fixture
def employed_at_a(db):
    a, b = helpers.institution(code="RF-A"), helpers.institution(code="RF-B")
    nid = helpers.national_id(711)
    services.caregiver_employ(
        institution=a,
        national_id=nid,
        name="郑护理",
        qualification="护士",
        phone="13800000000",
        employed_from=dt.date(2026, 1, 1),
    )
    return a, b, nid


def test_registering_an_employment_does_not_rewrite_another_institutions_caregiver(employed_at_a):
    """Finding 11: B's registration of A's caregiver replaced the shared record's qualification."""
    a, b, nid = employed_at_a
    employment = services.caregiver_employ(
        institution=b,
        national_id=nid,
        name="郑护理",
        qualification="无证",
        phone="13900000000",
        employed_from=dt.date(2026, 2, 1),
    )
    assert employment.institution == b
    caregiver = Caregiver.objects.get(national_id=nid)
    assert (caregiver.qualification, caregiver.phone) == ("护士", "13800000000")


def test_a_co_employer_cannot_change_the_shared_qualification(employed_at_a):
    a, b, nid = employed_at_a
    employment = services.caregiver_employ(
        institution=b, national_id=nid, name="郑护理", employed_from=dt.date(2026, 2, 1)
    )
    client = Client()
    client.force_login(helpers.portal_user(b, "clerk"))
    response = client.post(
        f"/portal/caregivers/{employment.pk}/", {"name": "郑护理", "qualification": "无证", "phone": ""}
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert Caregiver.objects.get(national_id=nid).qualification == "护士"


def test_without_another_employer_the_new_employer_records_the_qualification(db):
    a = helpers.institution(code="RF-C")
    nid = helpers.national_id(712)
    first = services.caregiver_employ(
        institution=a,
        national_id=nid,
        name="钱护理",
        employed_from=dt.date(2025, 1, 1),
        employed_to=dt.date(2025, 6, 30),
    )
    services.caregiver_employ(
        institution=a, national_id=nid, name="钱护理", qualification="五级", employed_from=dt.date(2026, 1, 1)
    )
    assert Caregiver.objects.get(pk=first.caregiver_id).qualification == "五级"


def test_a_name_mismatch_reads_like_any_invalid_entry(employed_at_a):
    """The refusal must not tell another institution that the ID number is on record."""
    a, b, nid = employed_at_a
    with pytest.raises(InstitutionError) as mismatch:
        services.caregiver_employ(
            institution=b, national_id=nid, name="冒名", employed_from=dt.date(2026, 2, 1)
        )
    with pytest.raises(InstitutionError) as invalid:
        services.caregiver_employ(
            institution=b,
            national_id=nid[:-1] + ("0" if nid[-1] != "0" else "1"),
            name="冒名",
            employed_from=dt.date(2026, 2, 1),
        )
    assert (mismatch.value.message, mismatch.value.field) == (invalid.value.message, invalid.value.field)
    assert "郑护理" not in mismatch.value.message
    assert not b.employments.exists()


def test_the_api_and_the_portal_answer_a_mismatch_like_an_invalid_number(employed_at_a):
    a, b, nid = employed_at_a
    api = Client()
    api.force_login(helpers.portal_user(b, "admin"))
    answers = [
        api.post(
            "/api/v1/caregivers/",
            {"national_id": number, "name": "冒名", "employed_from": "2026-02-01"},
            content_type="application/json",
        ).json()
        for number in (nid, "123")
    ]
    assert answers[0] == answers[1] and "national_id" in answers[0]["errors"]
    pages = [
        api.post(
            "/portal/caregivers/",
            {
                "national_id": number,
                "name": "冒名",
                "qualification": "",
                "phone": "",
                "employed_from": "2026-02-01",
            },
        ).content.decode()
        for number in (nid, "123")
    ]
    message = "公民身份号码无效或与姓名不符"
    assert all(message in page for page in pages) and "郑护理" not in pages[0]
    assert not b.employments.exists()
