import io
import random

from django.utils import timezone

from institutions import demo, selectors
from institutions.models import Institution, InstitutionType, InstitutionUser, InsuranceNotice


def test_demo_seed_builds_the_promised_institutions_and_is_idempotent(xuzhou):
    out = io.StringIO()
    demo.seed(persons=10, rng=random.Random(1), stdout=out)
    demo.seed(persons=10, rng=random.Random(1), stdout=out)
    assert Institution.objects.count() == 30
    assert set(Institution.objects.values_list("type", flat=True)) == set(InstitutionType.values)
    assert Institution.objects.get(code="XZ0007").status == "suspended"
    assert InsuranceNotice.objects.filter(agreement__institution__code="XZ0011", kind="warning").exists()
    today = timezone.localdate()
    assert selectors.active_agreement(institution=Institution.objects.get(code="XZ0011"), on=today)
    assert selectors.registered_bed_count(institution=Institution.objects.get(code="XZ0001"), on=today) >= 40
    assert (
        InstitutionUser.objects.filter(
            user__username__in=["inst_residential", "inst_homecare", "inst_agency"], role="admin"
        ).count()
        == 3
    )
    lines = demo.login_lines("http://x")
    assert len(lines) == 3 and "inst_agency" in lines[2]
