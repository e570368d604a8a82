"""Assessment's notices (issue 19): application received, conclusion and its public notice, expiry reminder; each
once per application or conclusion."""

import datetime as dt

from assessment.services import expiry_reminders_create
from assessment.services.conclusions import conclusion_notice_notify
from assessment.services.review import application_publish_notice
from enrollment.models import PersonContact
from ltci.core.models import Notification
from tests.assessment.test_workflow import _assessed, _final, submit, team  # noqa: F401 (fixture)


def told(person, event):
    return list(Notification.objects.filter(event=event, recipient_ref=person.national_id))


def test_a_submitted_application_is_told_to_the_person(person):
    PersonContact.objects.create(
        person=person, mobile="13800000009", consent_on=dt.date(2020, 1, 1), preferred_channel="sms"
    )
    application = submit(person)
    (received,) = told(person, "application_received")
    assert (received.channel, received.address, received.event_key) == (
        "sms",
        "13800000009",
        f"application:{application.pk}",
    )
    assert f"张三的失能等级评估申请（{application.number}）已于2025年9月1日受理" in received.body


def test_the_public_notice_of_a_conclusion_is_told_once(person, agency, team):  # noqa: F811
    app = _assessed(person, agency)
    conclusion = application_publish_notice(application=app, on=dt.date(2025, 9, 26))
    conclusion_notice_notify(conclusion)  # the public notice page may raise it again: nothing more
    (notice,) = told(person, "conclusion_notice")
    assert notice.subject == "失能评估结论公示"
    assert "公示期2025年9月28日至2025年10月10日" in notice.body
    assert f"评估结论为“{conclusion.grade}级" in notice.body


def test_an_expiring_conclusion_is_reminded_once(person, agency, team):  # noqa: F811
    final = _final(person, agency)
    on = final.valid_until - dt.timedelta(days=10)
    assert expiry_reminders_create(on=on) == 1
    expiry_reminders_create(on=on + dt.timedelta(days=1))
    (reminder,) = told(person, "expiry_reminder")
    assert (
        f"将于{final.valid_until.year}年{final.valid_until.month}月{final.valid_until.day}日到期"
        in reminder.body
    )
