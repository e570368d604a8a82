"""The staff dashboard's work queues (issue 16): each app declares its own in a ``queues.py`` module, which the
dashboard discovers the way ``django.contrib.admin`` discovers ``admin.py``; the dashboard knows no app's models.

    # assessment/queues.py
    from ltci.core.workqueues import WorkQueue, register

    register(WorkQueue(key="assessment.submitted", label=_("待受理"), capability="assessment.workflow",
                       count=lambda today: Application.objects.filter(state="submitted").count(),
                       url=lambda today: reverse("admin:assessment_application_changelist") + "?state=..."))

A queue is shown to whoever holds its capability (ltci.core.permissions); its count must be one cheap,
indexed query. ``warning=True`` puts it under the day's warnings instead of the work queues.

The provider portal's home lists an institution's to-dos the same way: each app declares a ``PortalTodo`` in
its ``queues.py`` whose ``items(institution, today)`` returns that institution's ``Todo`` rows (a label, a
count, a link to act); the portal home (institutions) knows no app's models. Every query of ``items`` must be
scoped to the institution it is given.

    register_portal(PortalTodo(key="settlement.bed_days", capability="portal.settlement",
                               items=lambda institution, today: [...]))
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.module_loading import autodiscover_modules

from .permissions import can, capability


@dataclass(frozen=True)
class WorkQueue:
    key: str
    label: str
    capability: str
    count: Callable[[date], int]
    url: Callable[[date], str]
    warning: bool = False
    order: int = 100


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
