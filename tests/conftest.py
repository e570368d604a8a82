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


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium driven by playwright (never a downloaded browser)."""
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt install chromium)")
    from playwright.sync_api import sync_playwright

    # The sync API runs an event loop in this thread; set only while the test runs (not at import, where it
    # would leak into other tests' subprocesses such as the deployment check).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the default language. A request the test client makes in English leaves English
    active on the thread (Django activates per request and never deactivates), so a later test calling a
    service directly saw English texts depending on the test order."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _token_failures_reset():
    """Failed API tokens are counted per client address in Redis, which outlives a test's transaction: each
    test starts with no failures of the test client's address (the isolation walk sends revoked tokens)."""
    from django.core.cache import cache

    cache.delete("ltci:token-failures:127.0.0.1")
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Keep uploaded documents and photos of tests out of the project's media directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


# --- hypothesis profile "ci" (helper ledger, issue 14) --------------------------------------------------------
# Property tests build worlds in PostgreSQL on a loaded 2-core machine: no deadline, no too_slow health check.
# Each test keeps its own max_examples; HYPOTHESIS_PROFILE=default restores hypothesis' own settings.
import os  # noqa: E402

from hypothesis import HealthCheck  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
