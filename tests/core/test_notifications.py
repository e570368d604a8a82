"""The notification service (issue 19): once per event even when the task is retried, channel choice and fallback,
Chinese templates, the letter batch, and the log page's rights."""

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.db import transaction

from enrollment.models import Person, PersonContact
from enrollment.selectors import person_recipient
from ltci.core import roles
from ltci.core.idnumber import make_id_number, parse_id_number
from ltci.core.models import Channel, Notification
from ltci.core.notify import (
    Event,
    Recipient,
    choose_channel,
    letters_print,
    notification_deliver,
    notify,
    render,
)
from ltci.core.tasks import notification_send

D = dt.date
TODAY = D(2026, 12, 4)


def make_person(serial=1, name="王秀英", **contact):
    number = make_id_number("320302", D(1940, 5, 6), serial)
    info = parse_id_number(number)
    person = Person.objects.create(
        national_id=number,
        name=name,
        birth_date=info.birth_date,
        sex=info.sex,
        insurance_type="resident",
        region_code="320302",
    )
    if contact:
        PersonContact.objects.create(person=person, **contact)
    return person


def tell(person, key="decision:1", event=Event.DECISION):
    return notify(
        event=event,
        key=key,
        recipients=[person_recipient(person)],
        context={"person_name": person.name, "care_form": "居家上门护理", "starts_on": D(2026, 12, 1)},
        on=TODAY,
    )


@pytest.fixture
def outbox(settings, tmp_path):
    settings.LTCI_SMS_GATEWAY_URL = ""
    settings.LTCI_SMS_OUTBOX = str(tmp_path / "sms")
    return Path(settings.LTCI_SMS_OUTBOX)


SMS = {"mobile": "13800000001", "consent_on": D(2026, 1, 1), "preferred_channel": "sms"}


# ------------------------------------------------------------------------------------------------ once
def test_an_event_raised_twice_is_one_notification(db, outbox):
    person = make_person(**SMS)
    tell(person)
    tell(person)
    assert Notification.objects.filter(event="decision", event_key="decision:1").count() == 1


def test_running_the_send_task_twice_sends_once(db, outbox):
    person = make_person(**SMS)
    tell(person)
    notification = Notification.objects.get()
    assert notification_send.apply(args=[notification.pk]).get() == "sent"
    assert notification_send.apply(args=[notification.pk]).get() == "sent"
    notification.refresh_from_db()
    assert (notification.state, notification.attempts, notification.channel) == ("sent", 1, "sms")
    assert [p.name for p in outbox.iterdir()] == [f"ltci-{notification.pk}.txt"]
    assert "王秀英" in (outbox / f"ltci-{notification.pk}.txt").read_text(encoding="utf-8")


class CrashAfterSend(Exception):
    pass


def test_a_crash_after_the_send_before_the_commit_resends_under_the_same_gateway_id(db, outbox):
    """The worker dies after the gateway took the message and before the state was committed: the row stays
    queued (the transaction rolled back), and the retry sends again with the same id, which the gateway (here
    the outbox: one file per id) keeps once."""
    person = make_person(**SMS)
    tell(person)
    notification = Notification.objects.get()
    with pytest.raises(CrashAfterSend), transaction.atomic():
        notification_deliver(notification.pk)
        assert list(outbox.iterdir())  # the message left
        raise CrashAfterSend
    notification.refresh_from_db()
    assert notification.state == "queued"
    assert notification_send.apply(args=[notification.pk]).get() == "sent"
    assert notification_send.apply(args=[notification.pk]).get() == "sent"
    assert len(list(outbox.iterdir())) == 1


def test_a_channel_failure_retries_and_the_last_try_fails_the_notice(db, settings):
    settings.LTCI_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # nothing listens on the discard port
    person = make_person(**SMS)
    tell(person)
    notification = Notification.objects.get()
    assert notification_deliver(notification.pk)[0] == "queued"
    notification.refresh_from_db()
    assert notification.attempts == 1 and "SMS gateway" in notification.last_error
    assert notification_deliver(notification.pk, final=True)[0] == "failed"
    assert Notification.objects.get().state == "failed"


def test_the_send_task_retries_with_backoff_on_a_channel_error(db, settings):
    settings.LTCI_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    tell(make_person(**SMS))
    notification = Notification.objects.get()
    result = notification_send.apply(args=[notification.pk])
    # Eager apply runs the retries in place: every try fails, the last one marks the notice failed.
    assert result.get(propagate=False) == "failed"
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == ("failed", notification_send.max_retries + 1)


# ---------------------------------------------------------------------------------------------- channels
def recipient(**kw):
    return Recipient(kind="person", id=1, name="甲", ref="x", postal_address="徐州市云龙区1号", **kw)


@pytest.mark.parametrize(
    "contact,expected",
    [
        ({"mobile": "13800000001", "preferred_channel": "sms"}, ("letter", "徐州市云龙区1号")),  # no consent
        (
            {"mobile": "13800000001", "preferred_channel": "sms", "consent_on": D(2027, 1, 1)},
            ("letter", "徐州市云龙区1号"),  # consent given later than the event
        ),
        ({"mobile": "13800000001", "preferred_channel": "sms", "consent_on": TODAY}, ("sms", "13800000001")),
        (
            {"email": "a@example.cn", "preferred_channel": "email", "consent_on": TODAY},
            ("email", "a@example.cn"),
        ),
        (  # prefers e-mail but left only a mobile: SMS
            {"mobile": "13800000001", "preferred_channel": "email", "consent_on": TODAY},
            ("sms", "13800000001"),
        ),
        (  # prefers SMS with no mobile: e-mail
            {"email": "a@example.cn", "preferred_channel": "sms", "consent_on": TODAY},
            ("email", "a@example.cn"),
        ),
        (
            {"preferred_channel": "sms", "consent_on": TODAY},
            ("letter", "徐州市云龙区1号"),
        ),  # no phone: letter
        (
            {"mobile": "13800000001", "preferred_channel": "letter", "consent_on": TODAY},
            ("letter", "徐州市云龙区1号"),
        ),
    ],
)
def test_channel_choice_and_fallback(contact, expected):
    assert choose_channel(recipient(**contact), on=TODAY) == expected


def test_no_contact_data_means_a_letter_and_no_address_fails_it(db, outbox):
    tell(make_person(1))
    assert Notification.objects.get().channel == "letter"
    assert letters_print() is None
    notification = Notification.objects.get()
    assert (notification.state, notification.last_error) == ("failed", "无邮寄地址")


def test_email_goes_through_the_django_backend(db):
    person = make_person(email="wang@example.cn", consent_on=D(2026, 1, 1), preferred_channel="email")
    tell(person)
    notification_send.apply(args=[Notification.objects.get().pk])
    assert [m.to for m in mail.outbox] == [["wang@example.cn"]]
    assert mail.outbox[0].subject == "长护险待遇核定通知"


def test_letters_are_printed_in_one_pdf_batch_and_marked_sent(db):
    for serial, name in ((1, "王秀英"), (2, "李桂兰")):
        tell(make_person(serial, name, postal_address=f"徐州市鼓楼区{serial}号"))
    batch = letters_print()
    assert batch.letters == 2
    assert batch.file.read().startswith(b"%PDF")
    assert set(Notification.objects.values_list("state", "letter_batch")) == {("sent", batch.pk)}
    assert letters_print() is None  # nothing printed twice


# ---------------------------------------------------------------------------------------------- templates
@pytest.mark.parametrize("event", Event.values)
def test_every_event_template_renders_in_chinese(event):
    context = {
        "recipient": recipient(),
        "person_name": "王秀英",
        "year": 2026,
        "owed": "20.00",
        "month": "2026年11月",
        "amount": "1200.00",
        "overdue": event == "claim_deadline",
    }
    subject, body = render(event, context)
    assert subject and body and "{" not in subject + body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in subject)
    assert body.startswith("甲：")


def test_the_text_is_not_html_escaped():
    subject, body = render("violation", {"recipient": recipient(), "kind": "虚报<服务>&费用"})
    assert "虚报<服务>&费用" in body


# ---------------------------------------------------------------------------------------------- the log
def staff(name, *groups):
    user = User.objects.create_user(name, password="pw", is_staff=True)  # noqa: S106
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    return user


def test_the_log_page_is_read_by_a_clerk_and_refused_to_other_roles_and_anonymous(client, db):
    person = make_person(postal_address="徐州市鼓楼区1号")
    tell(person)
    batch = letters_print()
    url = "/admin/core/notification/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert client.get(f"/admin/core/letterbatch/{batch.pk}/file/").status_code == 302
    client.force_login(staff("settler", roles.SETTLEMENT_OFFICER))
    assert client.get(url).status_code == 403
    assert client.get(f"/admin/core/letterbatch/{batch.pk}/file/").status_code == 403
    client.force_login(staff("noroles"))
    assert client.get(url).status_code == 403
    client.force_login(staff("clerk", roles.ENROLLMENT_CLERK))
    page = client.get(url, {"q": person.national_id})
    assert page.status_code == 200 and "王秀英" in page.content.decode()
    assert client.get(url, {"event": "decision", "channel": "letter", "state": "sent"}).status_code == 200
    assert "王秀英" not in client.get(url, {"q": "110101199001011234"}).content.decode()
    pdf = client.get(f"/admin/core/letterbatch/{batch.pk}/file/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    notification = Notification.objects.get()
    assert client.post(f"/admin/core/notification/{notification.pk}/delete/").status_code == 403
    assert client.get("/admin/core/notification/add/").status_code == 403


def test_contact_data_is_edited_on_the_person_page(client, db):
    person = make_person()
    client.force_login(staff("clerk", roles.ENROLLMENT_CLERK))
    page = client.get(f"/admin/enrollment/person/{person.pk}/change/")
    assert page.status_code == 200 and "首选通知方式" in page.content.decode()


def test_beat_sends_what_waits_and_prints_letters(db):
    from django_celery_beat.models import PeriodicTask

    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {
        "ltci.core.tasks.notifications_send_queued",
        "ltci.core.tasks.notification_letters_print",
    } <= tasks


def test_the_sweep_starts_a_send_for_each_queued_electronic_notice(db, outbox):
    from ltci.core.tasks import notifications_send_queued

    tell(make_person(1, **SMS))
    tell(make_person(2))  # a letter: left to the batch
    assert notifications_send_queued.apply(kwargs={"new_only": False}).get() == 1
    assert Channel.LETTER in Notification.objects.filter(state="queued").values_list("channel", flat=True)


def test_a_new_sms_notice_is_handed_to_the_worker_after_the_commit_and_a_letter_is_not(
    db, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell(make_person(1, **SMS))
        tell(make_person(2, postal_address="徐州市鼓楼区2号"), key="decision:2")
    assert len(callbacks) == 1 and callbacks[0].args == ([Notification.objects.get(channel="sms").pk],)
