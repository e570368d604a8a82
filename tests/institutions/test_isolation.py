"""Isolation matrix: every /portal/ and /api/v1/ URL x every kind of user (rules: isolation.py)."""

import datetime as dt
import importlib
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from institutions.models import InstitutionUser
from ltci.core.auth import token_create, token_revoke

from . import helpers
from .isolation import RULES, Rule

PREFIXES = ("portal/", "api/v1/")
APPS = ["institutions", "enrollment", "assessment", "benefits", "settlement"]


def all_rules() -> dict[str, Rule]:
    """This module's rules plus every app's tests/<app>/isolation_rules.py RULES."""
    rules = dict(RULES)
    for app in APPS:
        try:
            module = importlib.import_module(f"tests.{app}.isolation_rules")
        except ModuleNotFoundError as exc:
            if exc.name != f"tests.{app}.isolation_rules":
                raise
            continue
        rules.update(module.RULES)
    return rules


def walk(patterns, prefix="", namespace=""):
    """Yield (route, qualified name) for every URL pattern, recursively."""
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = p.namespace
            yield from walk(p.url_patterns, route, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern):
            yield route, (f"{namespace}{p.name}" if p.name else None)


def scoped_patterns():
    seen = {}
    for route, name in walk(get_resolver().url_patterns):
        if route.startswith(PREFIXES):
            seen[name or route] = route
    return seen


@dataclass
class World:
    owner: object
    agency: object
    other: object
    users: dict
    links: dict
    token: object
    markers: list  # strings that identify the owners' data (code, name, caregiver ID)
    keys: dict  # API token keys of each kind of user ("revoked": a revoked key of the owner's admin)

    def owning(self, rule: Rule):
        return self.agency if rule.owner_type == "assessment_agency" else self.owner


@pytest.fixture
def world(xuzhou):  # claims read the claim deadline from the policy in force
    owner = helpers.institution(code="ISO-OWNER", beds=2)
    agency = helpers.institution(code="ISO-AGENCY", type="assessment_agency", care_forms=())
    other = helpers.institution(code="ISO-B", type="home_care", beds=1, care_forms=("home_visits",))
    from institutions import services

    services.caregiver_employ(
        institution=owner,
        national_id=helpers.national_id(101),
        name="甲护理",
        employed_from=owner.agreements.get().valid_from,
    )
    services.caregiver_employ(
        institution=other,
        national_id=helpers.national_id(102),
        name="乙护理",
        employed_from=other.agreements.get().valid_from,
    )
    users = {
        ("owner", role): helpers.portal_user(owner, role, f"a-{role}")
        for role in ("admin", "clerk", "caregiver")
    }
    users.update(
        {
            ("agency", role): helpers.portal_user(agency, role, f"g-{role}")
            for role in ("admin", "clerk", "assessor")
        }
    )
    users["other"] = helpers.portal_user(other, "admin", "b-admin")
    users["insured"] = _insured_person_user()
    users["staff"] = helpers.plain_user("staff-no-role", is_staff=True)
    links = {
        role: InstitutionUser.objects.get(user=users[("owner", role)])
        for role in ("admin", "clerk", "caregiver")
    }
    token, key = token_create(user=users[("owner", "admin")], name="iso")
    keys = {"owner admin": key}
    for label, user in (
        ("owner clerk", users[("owner", "clerk")]),
        ("owner caregiver", users[("owner", "caregiver")]),
        ("agency admin", users[("agency", "admin")]),
        ("agency assessor", users[("agency", "assessor")]),
        ("other institution", users["other"]),
        ("insured person", users["insured"]),
        ("staff without role", users["staff"]),
    ):
        keys[label] = token_create(user=user, name="iso")[1]
    revoked, keys["revoked"] = token_create(user=users[("owner", "admin")], name="revoked")
    token_revoke(token=revoked)
    markers = [
        owner.code,
        owner.name,
        agency.code,
        agency.name,
        helpers.national_id(101),
        "a-admin",
        "a-clerk",
    ]
    return World(
        owner=owner,
        agency=agency,
        other=other,
        users=users,
        links=links,
        token=token,
        markers=markers,
        keys=keys,
    )


def _insured_person_user():
    """A real status-page login of an insured person (benefits), or a plain user without that app."""
    user = helpers.plain_user("insured-person")
    try:
        from benefits.models import InsuredAccount
        from enrollment.models import Person
    except ImportError:  # pragma: no cover - the project always has both apps
        return user
    nid = helpers.national_id(103, birth=dt.date(1950, 3, 3))
    person = Person.objects.create(
        national_id=nid,
        name="参保人丙",
        birth_date=dt.date(1950, 3, 3),
        sex="M",
        insurance_type="employee",
        region_code="320302",
    )
    InsuredAccount.objects.create(national_id=nid, name="参保人丙", person=person, user=user)
    return user


def _denied(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL)


def _request(user, url, rule, *, method=None, token=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    method = method or rule.method
    sid = transaction.savepoint()
    try:
        if method == "GET":
            return client.get(url, **headers)
        if url.startswith("/portal/"):
            return client.generic(
                method, url, "", content_type="application/x-www-form-urlencoded", **headers
            )
        return client.generic(method, url, "{}", content_type="application/json", **headers)
    finally:
        transaction.savepoint_rollback(sid)


def _check(failures, world, response, *, what, label, allowed):
    """Record a failure when the response contradicts the expectation (allowed / must be denied)."""
    if response.status_code >= 500:
        failures.append(f"{what} as {label}: {response.status_code}")
    elif allowed and _denied(response):
        failures.append(f"{what} as {label}: denied ({response.status_code}) but should be allowed")
    elif not allowed and not (_denied(response) or response.status_code == 405):
        failures.append(f"{what} as {label}: allowed ({response.status_code}) but must be denied")
    elif label == "other institution" and not _denied(response):
        body = response.content.decode(errors="replace")
        leaked = [m for m in world.markers if m in body]
        if leaked:
            failures.append(f"{what} as {label}: shows the owner's data {leaked}")


def _url(key, rule, world):
    kwargs = rule.kwargs(world) if rule.kwargs else {}
    return reverse(key, kwargs=kwargs) if ":" in key or not key.startswith(PREFIXES) else "/" + key


def _cases(rule, world):
    """(label, user, allowed) for every kind of user of the matrix."""
    owning = "agency" if rule.owner_type == "assessment_agency" else "owner"
    roles = ("admin", "clerk", "assessor") if owning == "agency" else ("admin", "clerk", "caregiver")
    cases = [
        (f"{owning} {role}", world.users[(owning, role)], rule.public or role in rule.roles) for role in roles
    ]
    # Another institution's admin: object URLs of the owner must be denied; list pages show its own
    # institution (allowed by role) but never the owner's data (checked by markers).
    other_allowed = rule.public or (rule.kwargs is None and "admin" in rule.roles)
    cases += [
        ("other institution", world.users["other"], other_allowed),
        ("insured person", world.users["insured"], rule.public),
        ("staff without role", world.users["staff"], rule.public),
        ("anonymous", None, rule.public),
    ]
    return cases


def test_every_portal_and_api_url_has_an_isolation_rule():
    rules = all_rules()
    missing = sorted(key for key in scoped_patterns() if key not in rules)
    assert not missing, (
        f"URLs under /portal/ or /api/v1/ without an isolation rule: {missing}; add them to "
        "RULES in tests/<app>/isolation_rules.py (see tests/institutions/isolation.py)"
    )


def test_isolation_matrix(world):
    rules = all_rules()
    failures = []
    for key in sorted(scoped_patterns()):
        rule = rules.get(key)
        if rule is None:
            continue  # test_every_portal_and_api_url_has_an_isolation_rule reports it
        url = _url(key, rule, world)
        for label, user, allowed in _cases(rule, world):
            response = _request(user, url, rule)
            if rule.public:
                if response.status_code >= 500:
                    failures.append(f"{rule.method} {url} as {label}: {response.status_code}")
                continue
            _check(failures, world, response, what=f"{rule.method} {url}", label=label, allowed=allowed)
    assert not failures, "\n".join(failures)


def test_isolation_matrix_with_api_tokens(world):
    """Every API endpoint with the token of each kind of user: the token acts with its user's rights."""
    rules = all_rules()
    failures = []
    token_labels = {
        "owner admin": ("owner", "admin"),
        "owner clerk": ("owner", "clerk"),
        "owner caregiver": ("owner", "caregiver"),
        "agency admin": ("agency", "admin"),
        "agency assessor": ("agency", "assessor"),
    }
    for key, route in sorted(scoped_patterns().items()):
        rule = rules.get(key)
        if rule is None or not route.startswith("api/") or rule.public:
            continue
        url = _url(key, rule, world)
        expected = {label: allowed for label, _user, allowed in _cases(rule, world)}
        for label, token_key in world.keys.items():
            if label == "revoked":
                allowed = False
            elif label in token_labels:
                owner, role = token_labels[label]
                mine = (owner == "agency") == (rule.owner_type == "assessment_agency")
                allowed = role in rule.roles if mine else (rule.kwargs is None and role in rule.roles)
            else:
                allowed = expected[label]
            response = _request(None, url, rule, token=token_key)
            _check(
                failures, world, response, what=f"{rule.method} {url} (token)", label=label, allowed=allowed
            )
    assert not failures, "\n".join(failures)


def test_pages_read_with_get_refuse_writes_from_users_without_access(world):
    """A page whose rule is GET also accepts forms (POST) or API writes: those who may not read it may not
    write to it either (an empty form: nothing is valid, so nothing is written)."""
    rules = all_rules()
    failures = []
    for key in sorted(scoped_patterns()):
        rule = rules.get(key)
        if rule is None or rule.public or rule.method != "GET":
            continue
        url = _url(key, rule, world)
        for label, user, allowed in _cases(rule, world):
            response = _request(user, url, rule, method="POST")
            if response.status_code >= 500:
                failures.append(f"POST {url} as {label}: {response.status_code}")
            elif not allowed and not (_denied(response) or response.status_code == 405):
                failures.append(
                    f"POST {url} as {label}: accepted ({response.status_code}) but must be denied"
                )
    assert not failures, "\n".join(failures)


def test_markers_do_appear_for_the_owner_so_the_leak_check_can_fire(world):
    client = Client()
    client.force_login(world.users[("owner", "admin")])
    assert world.owner.code in client.get("/portal/").content.decode()
    assert world.markers[4] in client.get("/portal/caregivers/").content.decode()
    assert world.owner.code in client.get("/api/v1/institution/").content.decode()


def test_walk_finds_nested_namespaced_patterns():
    keys = scoped_patterns()
    assert keys["portal:bed_end"] == "portal/beds/<int:pk>/end/"
    assert keys["api-beds"] == "api/v1/beds/"


def _declared_capability(key, route, rule):
    """The capability the URL's view declares for the rule's method (portal_required or the API view)."""
    from django.urls import resolve

    from institutions.permissions import view_capability

    url = "/" + route
    for name, value in (("<int:pk>", "1"), ("<str:fmt>", "csv")):
        url = url.replace(name, value)
    callback = resolve(url).func
    view_class = getattr(callback, "view_class", None)
    if view_class is not None and hasattr(view_class, "permission_classes"):
        return view_capability(view_class, rule.method)
    return getattr(callback, "capability", None)


def test_isolation_rules_are_the_declaration_of_who_may_do_what():
    """The roles each rule allows are exactly the portal roles the view's capability grants
    (ltci.core.permissions), for the institution types the view serves."""
    from ltci.core.permissions import CAPABILITIES

    rules = all_rules()
    failures = []
    for key, route in sorted(scoped_patterns().items()):
        rule = rules.get(key)
        if rule is None or rule.public:
            continue
        capability = _declared_capability(key, route, rule)
        if capability is None:
            failures.append(f"{key}: the view declares no capability")
            continue
        roles_here = (
            {"admin", "clerk", "assessor"}
            if rule.owner_type == "assessment_agency"
            else {"admin", "clerk", "caregiver"}
        )
        declared = set(CAPABILITIES[capability].portal) & roles_here
        if declared != set(rule.roles) & roles_here:
            failures.append(
                f"{key}: rule allows {sorted(set(rule.roles) & roles_here)}, "
                f"{capability} grants {sorted(declared)}"
            )
    assert not failures, "\n".join(failures)
