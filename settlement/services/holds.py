"""The office's confirmation of charges held at submission (SPEC 7.1: a charge above the ceiling per kind is
accepted only when staff confirm it).

A held record waits, like a record not yet received: the monthly run leaves it out (stage.TAKEN). Confirmed,
it is received at the confirmation (``received_at``), so the run of its month takes it if that month has not
been run yet, and the next run takes it as a late line otherwise (SPEC 7.1). Rejected, it is never paid.
Who decided and when are on the record (``hold_decided_by``/``hold_decided_at``) and in its history.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ltci.core.permissions import can

from ..models import HoldDecision, ServiceRecord

CAPABILITY = "settlement.confirm_charges"


class HoldRefused(Exception):
    """The user may not decide held charges (the message says why, in the user's language)."""


@transaction.atomic
def records_decide_hold(*, record_ids, decision: str, actor) -> tuple[int, int]:
    """Confirm or reject the held, undecided records among ``record_ids`` (locked); return (decided, skipped),
    skipped being the records not held or already decided (a decision is final)."""
    if decision not in HoldDecision.values:
        raise ValueError(f"unknown decision {decision!r}")
    if not can(actor, CAPABILITY):
        raise HoldRefused(_("只有结算专员或主管可以确认或驳回超上限收费"))
    ids = sorted(set(record_ids))
    records = list(ServiceRecord.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    now = timezone.now()
    decided = 0
    for record in records:
        if not record.held_reason or record.hold_decision:
            continue
        record.hold_decision, record.hold_decided_by, record.hold_decided_at = decision, actor, now
        fields = ["hold_decision", "hold_decided_by", "hold_decided_at"]
        if decision == HoldDecision.CONFIRMED:
            record.received_at = now  # received when confirmed: a month already run takes it late
            fields.append("received_at")
        record.save(update_fields=fields)
        decided += 1
    return decided, len(ids) - decided
