"""Session lifetimes (security review finding 15): a login lasts at most 8 hours and ends after 30 minutes
without a request, for staff, portal users and insured persons alike."""

import time

import pytest
from django.conf import settings
from django.test import Client

from tests.institutions import helpers

pytestmark = pytest.mark.django_db
USERS = {
    "staff": lambda: helpers.plain_user("sess-staff", is_staff=True, is_superuser=True),
    "portal": lambda: helpers.portal_user(helpers.institution(code="SESS"), "admin"),
}
PAGES = {"staff": "/admin/", "portal": "/portal/"}


def _login(kind):
    client = Client()
    client.force_login(USERS[kind]())
    return client


@pytest.mark.parametrize("kind", sorted(USERS))
def test_a_login_lasts_at_most_the_absolute_limit(kind):
    client = _login(kind)
    age = client.session.get_expiry_age()
    assert settings.LTCI_SESSION_MAX_AGE - 60 < age <= settings.LTCI_SESSION_MAX_AGE == 8 * 3600
    assert settings.SESSION_COOKIE_AGE == settings.LTCI_SESSION_MAX_AGE


def _idle_for(client, seconds):
    session = client.session
    session["ltci_seen"] = int(time.time()) - seconds
    session.save()


@pytest.mark.parametrize("kind", sorted(USERS))
def test_a_session_idle_longer_than_the_limit_is_logged_out(kind):
    client = _login(kind)
    assert client.get(PAGES[kind]).status_code == 200
    _idle_for(client, settings.LTCI_SESSION_IDLE_SECONDS + 1)
    response = client.get(PAGES[kind])
    assert response.status_code == 302 and "login" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_activity_keeps_the_session_alive():
    client = _login("staff")
    ends = client.session.get_expiry_date()
    _idle_for(client, settings.LTCI_SESSION_IDLE_SECONDS - 60)
    assert client.get("/admin/").status_code == 200
    assert int(time.time()) - client.session["ltci_seen"] < 5  # the request counted as activity
    assert client.session.get_expiry_date() == ends  # but does not move the absolute end
    assert client.get("/admin/").status_code == 200


def test_a_login_from_before_the_limits_gets_them_at_its_next_request():
    client = _login("staff")
    session = client.session
    del session["ltci_seen"]
    session.set_expiry(14 * 86400)
    session.save()
    assert client.get("/admin/").status_code == 200
    assert "ltci_seen" in client.session
    assert client.session.get_expiry_age() <= settings.LTCI_SESSION_MAX_AGE
