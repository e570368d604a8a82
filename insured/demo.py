"""Demo (issue 19): a person's notification history. The apps' demo data raised the events through their
services (decisions, arrears, a payout failed and re-issued...); here the shown person's SMS are sent and their
letters printed in a batch, as the worker and the daily letter batch would."""

from django.db.models import Count, Q

from ltci.core.idnumber import mask_id
from ltci.core.models import Channel, Notification
from ltci.core.notify import letters_print, notification_deliver


def shown_person() -> tuple[str, str] | None:
    """The national ID and name of the person whose history the demo shows: the one of the re-issued payout when
    they have a letter, else the person with the most notices among those written to."""
    from settlement.models import Payment

    reissued = Payment.objects.filter(reissue_of__isnull=False, person__isnull=False).select_related("person")
    for payment in reissued:
        mine = Notification.objects.filter(subject_ref=payment.person.national_id)
        if mine.filter(channel=Channel.LETTER).exists() and mine.count() >= 3:
            return payment.person.national_id, payment.person.name
    best = (
        Notification.objects.filter(recipient_kind="person")
        .values("subject_ref", "recipient_name")
        .annotate(n=Count("id"), letters=Count("id", filter=Q(channel=Channel.LETTER)))
        .filter(letters__gt=0)
        .order_by("-n", "subject_ref")
        .first()
    )
    return (best["subject_ref"], best["recipient_name"]) if best else None


def seed(*, persons, rng, stdout):
    shown = shown_person()
    if shown is None:
        stdout.write("notifications: none raised")
        return
    national_id, name = shown
    mine = Notification.objects.filter(subject_ref=national_id)
    for pk in mine.filter(state="queued").exclude(channel=Channel.LETTER).values_list("pk", flat=True):
        notification_deliver(pk)
    letters_print(ids=mine.filter(state="queued", channel=Channel.LETTER).values_list("pk", flat=True))
    events = ", ".join(sorted(set(mine.values_list("event", flat=True))))
    stdout.write(
        f"notifications: {Notification.objects.count()} raised; {name} ({mask_id(national_id)}) has "
        f"{mine.count()} ({events})"
    )


def notice_lines(base_url: str) -> list[str]:
    """Where the demo's notification history is seen (printed by demo_info)."""
    shown = shown_person()
    if shown is None:
        return []
    national_id, name = shown
    return [
        f"{name} {mask_id(national_id)}: {base_url}/admin/core/notification/?q={national_id} "
        f"(user clerk; letters: {base_url}/admin/core/letterbatch/)"
    ]
