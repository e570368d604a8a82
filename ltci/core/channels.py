"""The channels a notification goes out by (issue 19), one interface: ``send(notification)`` delivers or raises
``ChannelError`` (the task retries). Which SMS channel is used is a setting:

- ``LTCI_SMS_GATEWAY_URL`` set: the HTTP gateway (POST JSON ``{"id", "to", "text"}`` with
  ``Authorization: Bearer LTCI_SMS_GATEWAY_TOKEN``); the ``id`` is the notification's, so a gateway that
  deduplicates by it sends a retried message once;
- else (development, tests): a file per message in ``LTCI_SMS_OUTBOX`` (named by the notification, so a resend
  overwrites it), also written to the log.

E-mail goes through Django's e-mail backend (``EMAIL_URL``; the console in development). Letters are not sent
one by one: ``ltci.core.notify.letters_print`` prints them in a batch.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage

from .models import Channel, Notification
from .notify import ChannelError

log = logging.getLogger("ltci.notifications")


class NotificationChannel(Protocol):
    def send(self, notification: Notification) -> None: ...


class HttpSmsChannel:
    """An SMS gateway reached over HTTPS (the operator's or the government's SMS platform)."""

    def __init__(self, url: str, token: str, timeout: float = 10):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, notification: Notification) -> None:
        payload = {"id": f"ltci-{notification.pk}", "to": notification.address, "text": notification.body}
        request = urllib.request.Request(  # noqa: S310 (the URL is the configured gateway's)
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                if answer.status >= 300:
                    raise ChannelError(f"SMS gateway answered {answer.status}")
        except (urllib.error.URLError, TimeoutError) as exc:
            raise ChannelError(f"SMS gateway: {exc}") from exc


class FileSmsChannel:
    """Development and tests: each message is a file of the outbox (and a log line)."""

    def __init__(self, outbox: str):
        self.outbox = Path(outbox)

    def send(self, notification: Notification) -> None:
        try:
            self.outbox.mkdir(parents=True, exist_ok=True)
            (self.outbox / f"ltci-{notification.pk}.txt").write_text(
                f"{notification.address}\n{notification.body}\n", encoding="utf-8"
            )
        except OSError as exc:
            raise ChannelError(f"SMS outbox: {exc}") from exc
        log.info("SMS to %s: %s", notification.address, notification.body)


class EmailChannel:
    """E-mail through Django's configured backend."""

    def send(self, notification: Notification) -> None:
        message = EmailMessage(
            subject=notification.subject,
            body=notification.body,
            to=[notification.address],
            headers={"X-LTCI-Notification": str(notification.pk)},
        )
        try:
            message.send(fail_silently=False)
        except OSError as exc:  # smtplib's errors are OSErrors
            raise ChannelError(f"e-mail: {exc}") from exc


def channel_for(channel: str) -> NotificationChannel:
    """The configured channel that sends SMS or e-mail."""
    if channel == Channel.SMS:
        if settings.LTCI_SMS_GATEWAY_URL:
            return HttpSmsChannel(settings.LTCI_SMS_GATEWAY_URL, settings.LTCI_SMS_GATEWAY_TOKEN)
        return FileSmsChannel(settings.LTCI_SMS_OUTBOX)
    if channel == Channel.EMAIL:
        return EmailChannel()
    raise ValueError(f"no channel sends {channel!r} one by one")
