"""Isolation matrix of the status pages: every /me/ URL x every kind of user (SPEC 8, 12 access).

A person sees only their own records or their principal's (an agent linked by staff). Anonymous users are
sent to the status login; staff, institution users and logged-in users without an insured account get 403;
another insured person gets 404 for the owner's objects and never sees the owner's data. A /me/ URL without
a rule below fails the matrix, so a new page cannot skip it.
"""

# ruff: noqa: S105, S106
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from benefits.services import decision_create
from benefits.services.accounts import (
    account_activate,
    account_create,
    activation_code_issue,
    agent_link_create,
)
from ltci.core.idnumber import make_id_number

from .conftest import make_conclusion, make_institution, make_person

pytestmark = pytest.mark.django_db
D = dt.date
PASSWORD = "Kx9-long-enough-pw"
OWNER_NAME = "隔离甲"


@dataclass(frozen=True)
class Rule:
    method: str = "GET"
    kwargs: str = ""  # which of the owner's objects: decision, conclusion, year, person, document
    public: bool = False  # login/activate pages: open to everyone
    data: dict | Callable = field(default_factory=dict)  # a callable gives fresh uploads for every request


RULES = {
    "insured:home": Rule(),
    "insured:login": Rule(public=True),
    "insured:activate": Rule(public=True),
    "insured:logout": Rule(method="POST", public=True),
    "insured:text_size": Rule(method="POST", public=True),
    "insured:switch": Rule(method="POST", kwargs="person"),
    "insured:apply": Rule(
        method="POST",
        data=lambda: {
            "disability_since": "2020-01-01",
            "reason": "卧床",
            "documents": SimpleUploadedFile("d.pdf", b"%PDF-1.4 d"),
        },
    ),
    "insured:notifications": Rule(),
    "insured:certificate": Rule(kwargs="year"),
    "insured:decision_letter": Rule(kwargs="decision"),
    "insured:review": Rule(method="POST", kwargs="conclusion", data={"reason": "不服"}),
    "insured:objection": Rule(method="POST", kwargs="conclusion", data={"reason": "不服"}),
    "insured:public_notice": Rule(public=True),
    "insured:conclusion_notice": Rule(kwargs="conclusion"),
    "insured:application_document": Rule(kwargs="document"),
}
USERS = ["anonymous", "staff", "superuser", "portal", "plain", "other_person", "owner", "agent"]


def status_names():
    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name and namespace == "insured:":
                yield f"insured:{p.name}"

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_status_url_has_an_isolation_rule():
    assert set(status_names()) == set(RULES), "add a rule for each /me/ URL"


def _account(person=None, *, national_id=None, name=""):
    account = account_create(national_id=national_id or person.national_id, name=name, person=person)
    code = activation_code_issue(account=account)
    return account_activate(national_id=account.national_id, code=code, password=PASSWORD)


def _document(person):
    """A supporting document of an (old, final) application of ``person``."""
    from django.core.files.base import ContentFile

    from assessment.models import Application, ApplicationDocument

    application = Application.objects.create(person=person, applied_on=D(2023, 11, 1), state="final")
    return ApplicationDocument.objects.create(
        application=application, file=ContentFile(b"%PDF-1.4 iso", "iso.pdf")
    )


@pytest.fixture
def world(policy):
    from institutions.models import InstitutionUser

    owner = make_person(name=OWNER_NAME)
    conclusion = make_conclusion(owner, grade=3, concluded_on=D(2024, 1, 1), valid_until=D(2030, 12, 31))
    institution = make_institution()
    decision = decision_create(
        person=owner, care_form="home_visits", institution=institution, starts_on=D(2024, 2, 1)
    )
    other = make_person(name="隔离乙")
    make_conclusion(other, grade=4, concluded_on=D(2024, 1, 1), valid_until=D(2030, 12, 31))
    agent = _account(national_id=make_id_number("110101", D(1980, 1, 1), 3), name="代办丙")
    agent_link_create(account=agent, principal=owner, valid_from=D(2024, 1, 1))
    user_model = get_user_model()
    portal = user_model.objects.create_user("iso-portal", password=PASSWORD)
    InstitutionUser.objects.create(user=portal, institution=institution, role="admin")
    users = {
        "staff": user_model.objects.create_user("iso-staff", password=PASSWORD, is_staff=True),
        "superuser": user_model.objects.create_superuser("iso-root", password=PASSWORD),
        "portal": portal,
        "plain": user_model.objects.create_user("iso-plain", password=PASSWORD),
        "other_person": _account(other).user,
        "owner": _account(owner).user,
        "agent": agent.user,
    }
    objects = {
        "decision": decision.pk,
        "conclusion": conclusion.pk,
        "year": 2024,
        "person": owner.pk,
        "document": _document(owner).pk,
    }
    return {"owner": owner, "users": users, "objects": objects}


def _request(client, world, name, user):
    rule = RULES[name]
    kwargs = {}
    if rule.kwargs:
        arg = {"decision": "pk", "conclusion": "pk", "year": "year", "person": "person_id", "document": "pk"}[
            rule.kwargs
        ]
        kwargs = {arg: world["objects"][rule.kwargs]}
    url = reverse(name, kwargs=kwargs)
    if user != "anonymous":
        client.force_login(world["users"][user])
    if user == "agent":  # the agent chose the principal first (the page says whom it shows)
        client.post(reverse("insured:switch", kwargs={"person_id": world["owner"].pk}))
    if rule.method == "POST":
        return client.post(url, rule.data() if callable(rule.data) else rule.data)
    return client.get(url)


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("name", sorted(RULES))
def test_status_page_isolation(client, world, name, user):
    from assessment.models import Application

    rule = RULES[name]
    response = _request(client, world, name, user)
    body = (
        response.content.decode(errors="ignore")
        if response.get("Content-Type", "").startswith("text")
        else ""
    )
    if rule.public:
        assert response.status_code in (200, 302)
        assert OWNER_NAME not in body
        return
    if user == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/me/login/")
    elif user in ("staff", "superuser", "portal", "plain"):
        assert response.status_code == 403
    elif user == "other_person":
        if rule.kwargs == "year":  # the year selects among the viewer's own certificates
            assert response.status_code == 200
            assert f"-{world['owner'].pk:08d}" not in response["Content-Disposition"]
        elif rule.kwargs:
            assert response.status_code == 404
        else:  # pages about "me": the other person's own, never the owner's
            assert response.status_code in (200, 302)
            assert OWNER_NAME not in body
            if name == "insured:apply":
                assert not Application.objects.filter(person=world["owner"], channel="online").exists()
    else:  # the owner, or the agent acting for the owner
        assert response.status_code == (302 if rule.method == "POST" else 200), response.content[:300]
        if name == "insured:apply":
            assert Application.objects.filter(person=world["owner"], channel="online").exists()
        if name == "insured:notifications":  # the decision's notice, to the owner (read by their agent too)
            assert f"{OWNER_NAME}的长期护理保险待遇已核定" in body
        if response.status_code == 200 and name == "insured:home":
            assert OWNER_NAME in body
            assert world["owner"].national_id not in body  # masked
        if rule.method == "GET" and rule.kwargs:
            assert response["Content-Type"] == "application/pdf"
            if rule.kwargs == "year":
                assert f"JF-2024-{world['owner'].pk:08d}" in response["Content-Disposition"]
