"""The staff dashboard's work queues (issue 16): each app declares its own in a ``queues.py`` module, which the
dashboard discovers the way ``django.contrib.admin`` discovers ``admin.py``; the dashboard knows no app's models.

    # assessment/queues.py
    from ltci.core.workqueues import WorkQueue, register

    register(WorkQueue(key="assessment.submitted", label=_("待受理"), capability="assessment.workflow",
                       count=lambda today: Application.objects.filter(state="submitted").count(),
                       url=lambda today: reverse("admin:assessment_application_changelist") + "?state=..."))

A queue is shown to whoever holds its capability (ltci.core.permissions); its count must be one cheap,
indexed query. ``warning=True`` puts it under the day's warnings instead of the work queues.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

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
