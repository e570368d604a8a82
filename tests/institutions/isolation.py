"""Rules of the portal/API isolation matrix (tests/institutions/test_isolation.py).

The matrix enumerates EVERY URL pattern under /portal/ and /api/v1/ (walking the resolver), and requests
each as: the owning institution's admin, clerk and caregiver (and assessor for agencies), another
institution's admin, an insured person (plain user), staff without an institution link, anonymous. A URL
without a rule fails the test, so a page added later cannot skip the check.

How another app adds its rules: create `tests/<app>/isolation_rules.py` with

    from tests.institutions.isolation import Rule
    RULES = {
        "residents:list": Rule(roles={"admin", "clerk"}),
        "residents:detail": Rule(roles={"admin", "clerk"}, kwargs=lambda world: {"pk": make_resident(world.owner).pk}),
        "api-service-records": Rule(roles={"admin", "clerk"}, method="POST"),
    }

Keys are the URL's qualified name (`namespace:name`, or the bare name for the API); an unnamed pattern
is keyed by its full route (e.g. "api/v1/things/<int:pk>/"). `roles` are the owning institution's roles
that get access; everybody else must be denied. `kwargs(world)` builds the URL arguments, normally an
object of `world.owner` (the institution of `owner_type`), so that another institution's user proves it
cannot reach it. `method="POST"` (or PATCH/PUT/DELETE) sends an empty form/JSON body: "allowed" then means
not denied (a 400 validation error counts as allowed). `public=True` marks pages everyone may open (login).

Outcomes: allowed = any status below 500 that is not a denial; denied = 401, 403, 404, or a redirect to
the portal login. Any 5xx fails.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES_ALL = frozenset({"admin", "clerk", "caregiver", "assessor"})


@dataclass(frozen=True)
class Rule:
    roles: frozenset | set = field(default_factory=frozenset)
    method: str = "GET"
    kwargs: Callable | None = None
    public: bool = False
    owner_type: str = "elderly_care"  # the owning institution's type (assessment_agency for agencies)


def _bed(world):
    return {"pk": world.owner.beds.first().pk}


def _employment(world):
    return {"pk": world.owner.employments.first().pk}


def _user_link(world):
    return {"pk": world.links["clerk"].pk}


def _token(world):
    return {"pk": world.token.pk}


RECORDS = frozenset({"admin", "clerk"})
ADMIN = frozenset({"admin"})
EVERYONE = frozenset({"admin", "clerk", "caregiver", "assessor"})

RULES: dict[str, Rule] = {
    "portal:login": Rule(public=True),
    "portal:logout": Rule(public=True, method="POST"),
    "portal:home": Rule(roles=EVERYONE),
    "portal:profile": Rule(roles=EVERYONE),
    "portal:agreement": Rule(roles=EVERYONE),
    "portal:beds": Rule(roles=RECORDS),
    "portal:bed_end": Rule(roles=RECORDS, method="POST", kwargs=_bed),
    "portal:caregivers": Rule(roles=RECORDS),
    "portal:caregiver_edit": Rule(roles=RECORDS, kwargs=_employment),
    "portal:violations": Rule(roles=RECORDS),
    "portal:appraisals": Rule(roles=RECORDS),
    "portal:users": Rule(roles=ADMIN),
    "portal:user_role": Rule(roles=ADMIN, method="POST", kwargs=_user_link),
    "portal:user_deactivate": Rule(roles=ADMIN, method="POST", kwargs=_user_link),
    "portal:tokens": Rule(roles=ADMIN),
    "portal:token_revoke": Rule(roles=ADMIN, method="POST", kwargs=_token),
    "api-institution": Rule(roles=EVERYONE),
    "api-beds": Rule(roles=RECORDS),
    "api-caregivers": Rule(roles=RECORDS),
    "api-bed-end": Rule(roles=RECORDS, method="POST", kwargs=_bed),
    "api-caregiver": Rule(roles=RECORDS, method="PATCH", kwargs=_employment),
}
