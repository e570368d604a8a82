"""The staff dashboard's work queues (issue 16): each app declares its own in a ``queues.py`` module, which the
dashboard discovers the way ``django.contrib.admin`` discovers ``admin.py``; the dashboard knows no app's models.

    # assessment/queues.py
    from ltci.core.workqueues import WorkQueue, register

    register(WorkQueue(key="assessment.submitted", label=_("待受理"), capability="assessment.workflow",
                       model=Application, filters={"state__exact": Application.State.SUBMITTED}))

A queue's filter is written once: the same lookups count the rows (one cheap, indexed query) and make the
query string of the model's admin list, so the count and the list it links to cannot disagree. ``filters``
may be a function of the day for dated queues. Only where the list is filtered by an admin list filter of
its own (a parameter that is not a lookup) does the queue give its ``counted`` function beside it. A queue is
shown to whoever holds its capability (ltci.core.permissions). ``warning=True`` puts it under the day's
warnings instead of the work queues.

The provider portal's home lists an institution's to-dos the same way: each app declares a ``PortalTodo`` in
its ``queues.py`` whose ``items(institution, today)`` returns that institution's ``Todo`` rows (a label, a
count, a link to act); the portal home (institutions) knows no app's models. Every query of ``items`` must be
scoped to the institution it is given.

    register_portal(PortalTodo(key="settlement.bed_days", capability="portal.settlement",
                               items=lambda institution, today: [...]))
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.module_loading import autodiscover_modules

from .permissions import can, capability

Lookups = Mapping[str, Any]


def _query_value(value: Any) -> str:
    """A lookup's value as the admin list reads it from its query string."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class WorkQueue:
    key: str
    label: str
    capability: str
    model: type[models.Model]
    filters: Lookups | Callable[[date], Lookups] = field(default_factory=dict)
    counted: Callable[[date], int] | None = None  # only for a list filter that is not a lookup
    warning: bool = False
    order: int = 100

    def lookups(self, today: date) -> dict[str, Any]:
        return dict(self.filters(today) if callable(self.filters) else self.filters)

    def count(self, today: date) -> int:
        if self.counted is not None:
            return self.counted(today)
        return self.model._default_manager.filter(**self.lookups(today)).count()

    def url(self, today: date) -> str:
        meta = self.model._meta
        query = urlencode({name: _query_value(value) for name, value in self.lookups(today).items()})
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist") + (
            f"?{query}" if query else ""
        )


@dataclass(frozen=True)
class QueueCount:
    queue: WorkQueue
    count: int
    url: str

    @property
    def label(self):
        return self.queue.label


_registry: dict[str, WorkQueue] = {}


def register(*queues: WorkQueue) -> None:
    for queue in queues:
        capability(queue.capability)  # an undeclared capability fails at start-up, not on the page
        if queue.key in _registry and _registry[queue.key] != queue:
            raise ValueError(f"work queue {queue.key!r} is declared twice")
        _registry[queue.key] = queue


def autodiscover() -> None:
    """Import every installed app's ``queues`` module (called once from CoreConfig.ready)."""
    autodiscover_modules("queues")


def registered() -> list[WorkQueue]:
    return sorted(_registry.values(), key=lambda q: (q.order, q.key))


def queues_for(user, *, today: date) -> list[QueueCount]:
    """The queues the user may work on, each with its count and the link to its filtered list."""
    return [
        QueueCount(queue, queue.count(today), queue.url(today))
        for queue in registered()
        if can(user, queue.capability)
    ]


@dataclass(frozen=True)
class Todo:
    """One row of an institution's to-dos on the portal home: what to do, how many, the link to act."""

    label: str
    url: str
    count: int = 1
    detail: str = ""
    urgent: bool = False


@dataclass(frozen=True)
class PortalTodo:
    key: str
    capability: str  # a portal capability (ltci.core.permissions)
    items: Callable[[Any, date], list[Todo]]  # (institution, today) -> that institution's rows
    order: int = 100


_portal_registry: dict[str, PortalTodo] = {}


def register_portal(*todos: PortalTodo) -> None:
    for todo in todos:
        if not capability(todo.capability).portal:
            raise ValueError(f"portal to-do {todo.key!r} names the staff capability {todo.capability!r}")
        if todo.key in _portal_registry and _portal_registry[todo.key] != todo:
            raise ValueError(f"portal to-do {todo.key!r} is declared twice")
        _portal_registry[todo.key] = todo


def registered_portal() -> list[PortalTodo]:
    return sorted(_portal_registry.values(), key=lambda t: (t.order, t.key))


def portal_todos_for(institution, *, portal_role: str, today: date) -> list[tuple[PortalTodo, list[Todo]]]:
    """The to-dos of the institution its user's portal role may act on: (declaration, rows), empty ones left
    out."""
    found = []
    for todo in registered_portal():
        if can(None, todo.capability, portal_role=portal_role):
            rows = [row for row in todo.items(institution, today) if row.count]
            if rows:
                found.append((todo, rows))
    return found
