"""Credential checks behind a proxy and for API tokens (security review: throttling for every credential
check): the client address, the login lockout per user and client, failed API tokens counted per client,
and the HTTPS proxy header trusted only when the app is configured behind a proxy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from institutions.models import Institution
from ltci.core.auth import token_create
from ltci.core.clientip import client_ip
from tests.institutions import helpers

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.9.0.1"),  # not behind a proxy: the header is anyone's
        (1, "203.0.113.9", "203.0.113.9"),  # one proxy: the address it saw
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the client's own prefix is ignored
        (2, "198.51.100.1, 203.0.113.9, 10.9.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "10.9.0.1"),  # fewer hops than proxies: not through them
        (1, "not-an-address", "10.9.0.1"),
        (1, "", "10.9.0.1"),
    ],
)
def test_client_address_is_read_from_the_proxy_header_only_behind_trusted_proxies(
    settings, count, forwarded, expected
):
    settings.LTCI_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_a_proxy_a_lockout_is_per_user_and_client_not_for_everyone(db, settings):
    settings.LTCI_TRUSTED_PROXY_COUNT = 1
    staff = helpers.plain_user("proxied-admin", is_staff=True, is_superuser=True)
    attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post("/admin/login/", {"username": staff.username, "password": "wrong"})
    locked = attacker.post("/admin/login/", {"username": staff.username, "password": helpers.PASSWORD})
    assert locked.status_code == 429
    owner = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")  # same proxy, other client
    response = owner.post(
        "/admin/login/?next=/admin/", {"username": staff.username, "password": helpers.PASSWORD}
    )
    assert response.status_code == 302 and "_auth_user_id" in owner.session


@pytest.fixture
def api_key(db):
    inst = helpers.institution(code="TKN1")
    __, key = token_create(user=helpers.portal_user(inst, "admin"), name="his")
    return key


def _api(ip, key):
    return Client(REMOTE_ADDR=ip).get("/api/v1/institution/", HTTP_AUTHORIZATION=f"Token {key}")


def test_failed_api_tokens_lock_out_the_client_for_a_while(api_key, settings):
    ip = "10.7.0.1"
    cache.delete_many([f"ltci:token-failures:{ip}", "ltci:token-failures:10.7.0.2"])
    for _ in range(settings.LTCI_TOKEN_FAILURE_LIMIT):
        assert _api(ip, "guessed-" + api_key[:8]).status_code == 401
    refused = _api(ip, api_key)  # even a valid token, from that client
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "throttled"
    assert _api("10.7.0.2", api_key).status_code == 200  # other clients are not affected
    cache.delete(f"ltci:token-failures:{ip}")  # after the lockout
    assert _api(ip, api_key).status_code == 200


def test_a_valid_token_does_not_count_as_a_failure(api_key, settings):
    ip = "10.7.1.1"
    cache.delete(f"ltci:token-failures:{ip}")
    for _ in range(settings.LTCI_TOKEN_FAILURE_LIMIT + 1):
        assert _api(ip, api_key).status_code == 200
    assert Institution.objects.filter(code="TKN1").exists()


def _settings_of(module, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "TRUSTED_PROXY"))}
    full.update(DJANGO_SETTINGS_MODULE=module, SECRET_KEY="x7!kq2-" + "a9Zp3LmQ" * 8, **env)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_PROXY_SSL_HEADER, settings.LTCI_TRUSTED_PROXY_COUNT)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,  # noqa: S603
        check=True,
    ).stdout.strip()


def test_the_https_proxy_header_is_trusted_only_behind_a_configured_proxy():
    assert _settings_of("ltci.settings.production") == "None 0"
    assert (
        _settings_of("ltci.settings.production", TRUSTED_PROXY_COUNT="1")
        == "('HTTP_X_FORWARDED_PROTO', 'https') 1"
    )


def test_docker_compose_runs_behind_a_proxy_and_says_so():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "TRUSTED_PROXY_COUNT" in compose
    assert '"127.0.0.1:8000:8000"' in compose  # gunicorn reachable only through the host's proxy
