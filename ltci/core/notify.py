"""The one notification service (issue 19): every app tells persons, agents and institutions of an event here.

    from ltci.core.notify import Event, notify
    notify(event=Event.DECISION, key=f"decision:{decision.pk}", recipients=[...], context={...})

The service lives in the core, below every app, so that the bottom apps (arrears in enrollment, violations in
institutions) can call it as directly as the upper ones; each app builds the ``Recipient`` of its own people
from their contact data (``enrollment.selectors.person_recipient``, ``benefits.selectors.agent_recipients``,
``institutions.selectors.institution_recipient``). A notification is a row, unique per event, key and
recipient: raising an event twice adds nothing, and the Celery task that sends it (``notification_send``)
locks the row and sends only a queued one, so a retried task sends nothing twice. Letters wait for the daily
printed batch (``letters_print``).

The text is a Django template per event, ``templates/notifications/<event>.txt`` (first line the subject, the
rest the body), rendered in Chinese.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import TextChoices
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .models import Channel, LetterBatch, Notification


class Event(TextChoices):
    """The events people are told of (issue 19), each with its template."""

    ARREARS = "arrears", _("欠费提醒")
    ARREARS_RECOVERED = "arrears_recovered", _("欠费已补缴")
    WAITING_ENDED = "waiting_ended", _("等待期届满")
    APPLICATION_RECEIVED = "application_received", _("评估申请已受理")
    CONCLUSION_NOTICE = "conclusion_notice", _("评估结论公示")
    DECISION = "decision", _("待遇核定")
    EXPIRY_REMINDER = "expiry_reminder", _("评估结论到期提醒")
    PAYOUT_PAID = "payout_paid", _("待遇已支付")
    PAYOUT_FAILED = "payout_failed", _("待遇支付失败")
    STATEMENT_READY = "statement_ready", _("结算单已生成")
    CLAIM_DEADLINE = "claim_deadline", _("申报截止提醒")
    VIOLATION = "violation", _("违规处理")


Kind = Notification.RecipientKind


@dataclass(frozen=True)
class Recipient:
    """Who is told, and how they can be reached (a copy of their contact data at the time of the event)."""

    kind: str  # Notification.RecipientKind
    id: int
    name: str
    ref: str  # national ID or institution code
    mobile: str = ""
    email: str = ""
    postal_address: str = ""
    consent_on: dt.date | None = None
    preferred_channel: str = Channel.LETTER
    subject_ref: str = ""  # the person the event concerns, when an agent is told

    @classmethod
    def of(cls, *, kind: str, id: int, name: str, ref: str, contact=None, subject_ref: str = "") -> Recipient:
        """The recipient with the contact data of a ContactDetails row (or none)."""
        if contact is None:
            return cls(kind=kind, id=id, name=name, ref=ref, subject_ref=subject_ref)
        return cls(
            kind=kind,
            id=id,
            name=name,
            ref=ref,
            mobile=contact.mobile,
            email=contact.email,
            postal_address=contact.postal_address,
            consent_on=contact.consent_on,
            preferred_channel=contact.preferred_channel,
            subject_ref=subject_ref,
        )


def choose_channel(recipient: Recipient, *, on: dt.date) -> tuple[str, str]:
    """Return the channel and address: the preferred one when the recipient consented (on or before the day)
    and left its address, else the other electronic one they left, else a letter (no consent, or letters
    preferred: a letter)."""
    consented = recipient.consent_on is not None and recipient.consent_on <= on
    if not consented or recipient.preferred_channel == Channel.LETTER:
        return Channel.LETTER, recipient.postal_address
    electronic: dict[str, str] = {Channel.SMS: recipient.mobile, Channel.EMAIL: recipient.email}
    preferred = recipient.preferred_channel
    if electronic.get(preferred):
        return preferred, electronic[preferred]
    for channel in (Channel.SMS, Channel.EMAIL):
        if electronic[channel]:
            return channel, electronic[channel]
    return Channel.LETTER, recipient.postal_address


def render(event: str, context: dict) -> tuple[str, str]:
    """The subject and body of an event's notice, in Chinese."""
    with translation.override("zh-hans"):
        text = render_to_string(f"notifications/{event}.txt", context).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip()


def _row(event: str, key: str, recipient: Recipient, context: dict, on: dt.date) -> Notification:
    channel, address = choose_channel(recipient, on=on)
    subject, body = render(event, {**context, "recipient": recipient})
    return Notification(
        event=event,
        event_key=key,
        recipient_kind=recipient.kind,
        recipient_id=recipient.id,
        recipient_name=recipient.name,
        recipient_ref=recipient.ref,
        subject_ref=recipient.subject_ref or (recipient.ref if recipient.kind == Kind.PERSON else ""),
        channel=channel,
        address=address,
        subject=subject[:200],
        body=body,
    )


def notify(
    *, event: str, key: str, recipients: Iterable[Recipient], context: dict, on: dt.date | None = None
) -> int:
    """Queue the notice of one event (``key`` names it: "decision:17") to each recipient, once: a recipient
    already told of this event is skipped. Sending starts when the caller's transaction commits. Return the
    number of notices offered (those already queued before are skipped by the database)."""
    on = on or timezone.localdate()
    return notify_many(event=event, items=[(key, r, context) for r in recipients], on=on)


def notify_many(
    *, event: str, items: Iterable[tuple[str, Recipient, dict]], on: dt.date | None = None
) -> int:
    """Queue the notices of many events of one kind (the daily jobs), each (key, recipient, context) once."""
    on = on or timezone.localdate()
    rows = [_row(event, key, recipient, context, on) for key, recipient, context in items]
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    wanted = {(n.event_key, n.recipient_kind, n.recipient_id) for n in rows if n.channel != Channel.LETTER}
    if wanted:
        found = Notification.objects.filter(
            event=event,
            event_key__in={key for key, _, _ in wanted},
            state=Notification.State.QUEUED,
            attempts=0,
        ).values_list("pk", "event_key", "recipient_kind", "recipient_id")
        ids = [pk for pk, *key in found if tuple(key) in wanted]
        transaction.on_commit(partial(_send_soon, ids))
    return len(rows)


def _send_soon(ids: list[int]) -> None:
    """Start a send task for each new SMS or e-mail notice once the event's transaction committed."""
    from .tasks import notification_send

    for pk in ids:
        notification_send.delay(pk)


class ChannelError(Exception):
    """A channel could not deliver now (the gateway or mail server refused or did not answer): retry later."""


def notification_deliver(notification_id: int, *, final: bool = False) -> tuple[str, str]:
    """Send one queued SMS or e-mail notice. Return its state and the error to retry on ('' when none).

    The row is locked while it is sent and marked sent in the same transaction, so a second run of the task
    waits and then finds it sent. A failure counts an attempt; on the ``final`` attempt the notice is failed.
    Letters are left to the printed batch.
    """
    from .channels import channel_for

    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        if notification.state != Notification.State.QUEUED or notification.channel == Channel.LETTER:
            return notification.state, ""
        notification.attempts += 1
        try:
            channel_for(notification.channel).send(notification)
        except ChannelError as exc:
            notification.last_error = str(exc)[:1000]
            if final:
                notification.state = Notification.State.FAILED
            notification.save(update_fields=["attempts", "last_error", "state"])
            return notification.state, notification.last_error
        notification.state = Notification.State.SENT
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["attempts", "last_error", "state", "sent_at"])
        return notification.state, ""


def queued_electronic_ids(*, new_only: bool = False, limit: int = 5000) -> list[int]:
    """The queued SMS and e-mail notices, oldest first (``new_only``: those not tried yet)."""
    found = Notification.objects.filter(state=Notification.State.QUEUED).exclude(channel=Channel.LETTER)
    if new_only:
        found = found.filter(attempts=0)
    return list(found.order_by("id").values_list("pk", flat=True)[:limit])


@transaction.atomic
def letters_print(*, now: dt.datetime | None = None, ids=None, limit: int = 1000) -> LetterBatch | None:
    """Print up to ``limit`` queued letters (of ``ids`` if given) into one PDF batch (one letter a page) and mark
    them sent; None when there are none. Letters without a postal address fail (staff complete the address and
    the office writes again)."""
    from django.core.files.base import ContentFile

    from .pdf import render_pdf

    now = now or timezone.now()
    queued = Notification.objects.filter(state=Notification.State.QUEUED, channel=Channel.LETTER)
    if ids is not None:
        queued = queued.filter(pk__in=list(ids))
    queued.filter(address="").update(
        state=Notification.State.FAILED, last_error=str(_("无邮寄地址")), attempts=1
    )
    letters = list(
        queued.exclude(address="").select_for_update(skip_locked=True).order_by("recipient_ref", "id")[:limit]
    )
    if not letters:
        return None
    number = f"XH{timezone.localtime(now):%Y%m%d%H%M%S}-{letters[0].pk}"
    batch = LetterBatch.objects.create(number=number, letters=len(letters))
    pdf = render_pdf(
        "documents/notification_letters.html",
        {"letters": letters, "document_no": number, "issued_at": now, "title": _("通知信函")},
    )
    batch.file.save(f"{number}.pdf", ContentFile(pdf), save=True)
    Notification.objects.filter(pk__in=[n.pk for n in letters]).update(
        state=Notification.State.SENT, sent_at=now, letter_batch=batch, attempts=1
    )
    return batch
