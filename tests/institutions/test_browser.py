"""Journey in real Chromium: an institution administrator works in the portal; staff suspend in the admin."""

import os

import pytest

from institutions.models import Bed, Employment
from ltci.core.models import ApiToken

from . import helpers

pytestmark = [
    pytest.mark.browser,
    # live_server needs committed data; serialized_rollback restores migration data (staff groups) after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_institution_admin_journey_and_staff_suspension(live_server, browser):
    inst = helpers.institution(code="BR-A", beds=1)
    helpers.portal_user(inst, "admin", "br-admin")
    helpers.plain_user("br-staff", is_staff=True, is_superuser=True)
    base = live_server.url

    portal = browser.new_context(viewport={"width": 390, "height": 844}).new_page()  # phone-sized
    portal.goto(f"{base}/portal/")
    portal.fill("#id_username", "br-admin")
    portal.fill("#id_password", helpers.PASSWORD)
    portal.click("button[type=submit]")
    portal.wait_for_url(f"{base}/portal/")
    assert "协议生效" in portal.inner_text("#institution-status")

    portal.click("text=护理人员")
    nid = helpers.national_id(401)
    portal.fill("#id_national_id", nid)
    portal.fill("#id_name", "郑护理")
    portal.fill("#id_employed_from", "2026-01-05")
    portal.click("#caregiver-form button[type=submit]")
    assert "郑护理" in portal.inner_text("table")
    assert Employment.objects.filter(institution=inst, caregiver__national_id=nid).exists()

    portal.click("nav >> text=床位")
    portal.fill("#id_label", "B-12")
    portal.fill("#id_registered_from", "2026-01-05")
    portal.click("#bed-form button[type=submit]")
    assert "B-12" in portal.inner_text("table")
    assert Bed.objects.filter(institution=inst, label="B-12").exists()

    portal.click("text=API令牌")
    portal.fill("#id_name", "院内系统")
    portal.click("#token-form button[type=submit]")
    key = portal.inner_text("#new-token").strip()
    token = ApiToken.objects.get(name="院内系统")
    assert key.startswith(token.prefix) and len(key) > 20

    staff = browser.new_context().new_page()
    staff.goto(f"{base}/admin/login/")
    staff.fill("#id_username", "br-staff")
    staff.fill("#id_password", helpers.PASSWORD)
    staff.click("input[type=submit]")
    staff.goto(f"{base}/admin/institutions/institution/{inst.pk}/change/")
    staff.click("a.lifecycle-suspend")
    staff.fill("#id_reason", "现场检查发现问题，暂停定点")
    staff.click("input[name=confirm]")
    staff.wait_for_url(f"{base}/admin/institutions/institution/{inst.pk}/change/")
    inst.refresh_from_db()
    assert inst.status == "suspended"

    portal.goto(f"{base}/portal/")
    assert "暂停定点" in portal.inner_text("#institution-status")
    assert "今日无有效协议" in portal.content()
    portal.goto(f"{base}/portal/agreement/")
    assert "现场检查发现问题，暂停定点" in portal.content()
    if os.environ.get("LTCI_SCREENSHOTS"):
        portal.screenshot(
            path=os.path.join(os.environ["LTCI_SCREENSHOTS"], "portal-agreement.png"), full_page=True
        )
        portal.goto(f"{base}/portal/caregivers/")
        portal.screenshot(
            path=os.path.join(os.environ["LTCI_SCREENSHOTS"], "portal-caregivers.png"), full_page=True
        )
