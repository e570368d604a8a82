"""Journey in real Chromium: assessors fill the on-site form on a phone; a coordinator concludes in the admin."""

import datetime as dt
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from assessment import services
from assessment.models import Application, Conclusion
from institutions.models import InstitutionUser
from ltci.core.demo import DEMO_PASSWORD
from tests.assessment.conftest import (
    MODERATE,
    coordinator_group,
    make_assessors,
    make_institution,
    make_person,
)

PASSWORD = DEMO_PASSWORD
D = dt.date

pytestmark = [
    pytest.mark.browser,
    # restore migrated rows (staff groups, beat entries) after the flush, for the tests that follow
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _portal_login(page, base, username):
    page.goto(f"{base}/portal/assessments/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/portal/assessments/")


def test_assessors_fill_on_a_phone_and_coordinator_concludes(live_server, browser):
    call_command("load_policy", "xuzhou-2022", verbosity=0)
    User = get_user_model()
    agency = make_institution("PG-BR")
    first, second = make_assessors(agency, [("李医生", True, []), ("赵评估", False, [])])
    for assessor, username in ((first, "br-a1"), (second, "br-a2")):
        user = User.objects.create_user(username, password=PASSWORD)
        InstitutionUser.objects.create(user=user, institution=agency, role="assessor")
        assessor.user = user
        assessor.save()
    coordinator = User.objects.create_user("br-coord", password=PASSWORD, is_staff=True)
    coordinator.groups.add(coordinator_group())
    person = make_person(name="王秀英")
    app = services.application_submit(person=person, applied_on=D(2025, 9, 1), disability_since=D(2025, 1, 1))
    services.application_accept(application=app, on=D(2025, 9, 2))
    pair = services.application_assign(application=app, agency=agency, seed=1)
    base = live_server.url

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    _portal_login(page, base, "br-a1")
    page.click("text=王秀英")
    page.fill("#id_visited_on", "2025-09-25")
    page.fill("#id_present", "本人、女儿")
    for key, points in MODERATE.items():
        page.check(f"input[name=item_{key}][value='{points}']")
    page.fill("#id_notes", "卧床为主，需协助转移")
    if os.environ.get("ASSESS_SCREENSHOT"):  # look at the phone layout once: ASSESS_SCREENSHOT=/tmp/x.png
        page.screenshot(path=os.environ["ASSESS_SCREENSHOT"], full_page=False)
    page.click("#save")
    assert "2级" in page.inner_text("#visit-result")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    page.click("#confirm")
    assert "您已确认" in page.inner_text("#visit-result")
    phone.close()

    phone2 = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    _portal_login(phone2, base, "br-a2")
    phone2.goto(
        f"{base}/portal/assessments/tasks/{pair[1].pk if pair[1].assessor == second else pair[0].pk}/"
    )
    phone2.click("#confirm")
    assert "已评估" in phone2.inner_text("#application-state")

    admin = browser.new_context().new_page()
    admin.goto(f"{base}/admin/login/?next=/admin/assessment/application/{app.pk}/change/")
    admin.fill("#id_username", "br-coord")
    admin.fill("#id_password", PASSWORD)
    admin.click("input[type=submit]")
    admin.click("#content-main a[href$='/action/publish/']")  # the workflow button, not the menu's 公示异议
    admin.fill("#id_on", "2025-09-26")
    admin.click("input[name=confirm]")
    admin.click("text=公示期满，结论生效")
    admin.fill("#id_on", "2025-10-11")
    admin.click("input[name=confirm]")
    admin.wait_for_selector(".messagelist")
    assert "结论生效" in admin.inner_text(".messagelist")
    conclusion = Conclusion.objects.get(application=app)
    assert (conclusion.state, conclusion.grade, conclusion.valid_until) == ("final", 2, D(2027, 10, 10))
    assert Application.objects.get(pk=app.pk).state == "final"
