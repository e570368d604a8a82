"""Benefits' notice (issue 19): a decision is told to the person and their agents, once; imported decisions of
the old system are not told again."""

import datetime as dt

from django.contrib.auth.models import User

from benefits.models import AgentContact, AgentLink, InsuredAccount
from benefits.services import decision_create
from ltci.core.models import Notification

from .test_decisions import inst, person  # noqa: F401 (fixtures)

D = dt.date


def test_a_decision_is_told_to_the_person_and_their_agent_once(person, inst):  # noqa: F811
    agent = InsuredAccount.objects.create(
        national_id="320302198001010011", name="刘代办", user=User.objects.create_user("agent1")
    )
    AgentLink.objects.create(account=agent, principal=person, valid_from=D(2024, 1, 1))
    AgentContact.objects.create(
        account=agent, email="liu@example.cn", consent_on=D(2024, 1, 1), preferred_channel="email"
    )
    decision = decision_create(
        person=person, care_form="home_visits", institution=inst, starts_on=D(2024, 2, 1)
    )
    told = list(Notification.objects.filter(event="decision").order_by("recipient_kind"))
    assert [(n.recipient_kind, n.channel, n.event_key) for n in told] == [
        ("agent", "email", f"decision:{decision.pk}"),
        ("person", "letter", f"decision:{decision.pk}"),
    ]
    assert f"{person.name}的长期护理保险待遇已核定：" in told[0].body and "2024年2月1日" in told[0].body


def test_an_imported_decision_is_not_told(person, inst):  # noqa: F811
    decision_create(
        person=person, care_form="home_visits", institution=inst, starts_on=D(2024, 2, 1), imported=True
    )
    assert not Notification.objects.filter(event="decision").exists()
