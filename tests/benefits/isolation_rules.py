"""Isolation rules for the residents area of the provider portal and its API (run by
tests/institutions/test_isolation.py): residents and clients are read by every role of the owning
institution; admissions, discharges and bed changes are recorded by its administrators and clerks."""

from tests.institutions.isolation import ROLES_ALL, Rule

RECORDS = frozenset({"admin", "clerk"})


def _admission(world):
    from benefits.models import Admission

    from .conftest import make_person

    bed = world.owner.beds.first()
    admission = Admission.objects.filter(institution=world.owner).first()
    if admission is None:
        admission = Admission.objects.create(
            person=make_person(name="隔离测试"), institution=world.owner, bed=bed, admitted_on="2026-01-01"
        )
    return {"pk": admission.pk}


RULES = {
    "residents:list": Rule(roles=ROLES_ALL),
    "residents:discharge": Rule(roles=RECORDS, method="POST", kwargs=_admission),
    "residents:change_bed": Rule(roles=RECORDS, method="POST", kwargs=_admission),
    "api-clients": Rule(roles=ROLES_ALL),
    "api-admissions": Rule(roles=RECORDS),
    "api-admission-discharge": Rule(roles=RECORDS, method="POST", kwargs=_admission),
    "api-admission-bed": Rule(roles=RECORDS, method="POST", kwargs=_admission),
}
