"""`{% load workqueues %}{% work_queues as board %}`: the signed-in staff user's work queues and warnings."""

from django import template
from django.utils import timezone

from ltci.core.workqueues import queues_for

register = template.Library()


@register.simple_tag(takes_context=True)
def work_queues(context):
    request = context["request"]
    found = queues_for(request.user, today=timezone.localdate())
    return {
        "queues": [q for q in found if not q.queue.warning],
        "warnings": [q for q in found if q.queue.warning],
    }
