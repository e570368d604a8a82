"""Who made a change and why, for the history row django-simple-history writes on the next save.

simple-history documents two instance attributes for this, ``_history_user`` and ``_change_reason``; they
are set here only, so the services read as plain calls and the type checker sees one declared place.
"""

from typing import Any

from django.db import models


def set_history_user(instance: models.Model, user: Any) -> None:
    """The user recorded on the instance's next history row (None when no person acted, e.g. a job)."""
    instance._history_user = user if getattr(user, "pk", None) else None  # type: ignore[attr-defined]


def set_change_reason(instance: models.Model, reason: str) -> None:
    """The reason recorded on the instance's next history row."""
    instance._change_reason = reason  # type: ignore[attr-defined]
