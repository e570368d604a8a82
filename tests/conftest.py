import pytest
from django.core.management import call_command


@pytest.fixture
def xuzhou(db):
    """The xuzhou-2022 policy pack, loaded and active."""
    call_command("load_policy", "xuzhou-2022", verbosity=0)
    from ltci.core.models import PolicyScheme

    return PolicyScheme.objects.get(code="xuzhou-2022")


@pytest.fixture
def load_pack(db):
    def _load(code):
        call_command("load_policy", code, verbosity=0)

    return _load
