"""The pages work in Chromium under the Content-Security-Policy: no violation is reported on the admin
(change form with its scripts, a user's add form), the status login and the portal login."""

import pytest
from django.contrib.auth import get_user_model

from tests.institutions import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_no_policy_violation_on_the_admin_and_the_login_pages(live_server, browser):
    get_user_model().objects.create_superuser("csp-browser", password=helpers.PASSWORD)
    inst = helpers.institution(code="CSPB")
    page = browser.new_page()
    violations = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "csp-browser")
    page.fill("#id_password", helpers.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    for url in (
        f"/admin/institutions/institution/{inst.pk}/change/",
        "/admin/auth/user/add/",
        "/admin/institutions/institution/",
        "/me/login/",
        "/portal/login/",
    ):
        page.goto(base + url)
        page.wait_for_load_state("load")
    assert violations == []
