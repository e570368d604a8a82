"""Allowed moves of an application (SPEC 4.1-4.3) and the one service that makes them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ltci.core.history import set_change_reason

from .models import Application

S = Application.State

# submitted -> accepted | returned; accepted -> assigned -> assessed (draft conclusion) -> notice -> final.
# An upheld objection sends a notice back to assigned (a new pair); a review goes assessed -> final when
# the re-assessment confirms the grade, else -> committee -> final.
TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.ACCEPTED, S.RETURNED, S.WITHDRAWN},
    S.ACCEPTED: {S.ASSIGNED, S.WITHDRAWN},
    S.ASSIGNED: {S.ASSESSED, S.WITHDRAWN},
    S.ASSESSED: {S.NOTICE, S.COMMITTEE, S.FINAL, S.ASSIGNED},
    S.NOTICE: {S.FINAL, S.ASSIGNED},
    S.COMMITTEE: {S.FINAL},
    S.RETURNED: set(),
    S.FINAL: set(),
    S.WITHDRAWN: set(),
}


class TransitionError(ValueError):
    """An impossible move; the message is Chinese for the user."""


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())


@transaction.atomic
def application_transition(
    *, application: Application, to: str, actor=None, note: str = "", changes: dict | None = None
) -> Application:
    """Lock the application, refuse an impossible move, record who, when and why (history keeps the rest).

    ``changes`` are further field values saved with the move, so one history row holds them all.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not can_transition(locked.state, to):
        raise TransitionError(
            _("评估申请%(number)s当前状态为“%(state)s”，不能变更为“%(label)s”。")
            % {"number": locked.number, "state": locked.get_state_display(), "label": S(to).label}
        )
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
        setattr(application, name, value)
    locked.state = to
    locked.state_changed_at = timezone.now()
    locked.state_changed_by = actor if getattr(actor, "pk", None) else None
    locked.state_note = note
    set_change_reason(locked, f"{S(to).label}: {note}" if note else str(S(to).label))
    locked.save()
    application.__dict__.update(
        {k: getattr(locked, k) for k in ("state", "state_changed_at", "state_changed_by_id", "state_note")}
    )
    return locked
