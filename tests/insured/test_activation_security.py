"""Activation codes (SPEC 8, security review finding 3): counted and locked out by django-axes through
Django's authenticate(), the same hashing work whether or not the ID has a pending code, a moderate hash
cost, and a cap on failures per code that no number of client addresses gets around."""

# ruff: noqa: S105, S106
import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from benefits.models import InsuredAccount
from benefits.services.accounts import account_create, activation_code_issue
from ltci.core.hashers import ActivationCodeHasher

from .conftest import make_id, make_person

pytestmark = pytest.mark.django_db
PASSWORD = "Kx9-long-enough-pw"


def _post(client, national_id, code, ip):
    return client.post(
        "/me/activate/",
        {"national_id": national_id, "code": code, "password": PASSWORD, "password2": PASSWORD},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def pending(policy):
    """An account with a pending one-time code: (account, code)."""
    account = account_create(national_id=make_person(name="钱五").national_id)
    return account, activation_code_issue(account=account)


def _wrong(code):
    return f"{(int(code) + 1) % 10**8:08d}"


def test_wrong_codes_are_counted_and_then_even_the_right_code_is_refused(pending):
    account, code = pending
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post(client, account.national_id, _wrong(code), "10.1.0.1")
    attempt = AccessAttempt.objects.get(username=account.user.username)
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    assert code not in attempt.post_data and _wrong(code) not in attempt.post_data  # the code is not logged
    response = _post(client, account.national_id, code, "10.1.0.1")
    assert response.status_code == 429
    assert "尝试次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    account.refresh_from_db()
    assert account.activated_at is None and not account.user.has_usable_password()
    # The lock is on this ID from this address: the person at another address still activates.
    other = Client()
    assert _post(other, account.national_id, code, "10.1.0.2").status_code == 302
    account.refresh_from_db()
    assert account.activated_at is not None


def test_activation_failures_count_towards_the_login_lockout_of_the_same_id(pending):
    account, code = pending
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post(client, account.national_id, _wrong(code), "10.1.1.1")
    client.post(
        "/me/login/", {"national_id": account.national_id, "password": "wrong-Pw-123"}, REMOTE_ADDR="10.1.1.1"
    )
    assert (
        AccessAttempt.objects.get(username=account.user.username).failures_since_start
        == settings.AXES_FAILURE_LIMIT
    )
    assert _post(client, account.national_id, code, "10.1.1.1").status_code == 429


def test_a_code_is_void_after_too_many_failures_from_any_number_of_addresses(pending):
    account, code = pending
    for n in range(settings.LTCI_ACTIVATION_CODE_MAX_FAILURES):
        _post(Client(), account.national_id, _wrong(code), f"10.2.{n}.1")
    response = _post(Client(), account.national_id, code, "10.2.200.1")
    assert response.status_code == 200
    assert "身份号码或激活码不正确" in response.content.decode()
    account.refresh_from_db()
    assert account.activated_at is None
    # A new code issued by staff works again.
    code = activation_code_issue(account=account)
    assert _post(Client(), account.national_id, code, "10.2.201.1").status_code == 302


@pytest.fixture
def hash_calls(monkeypatch):
    """Counts the activation-code hash computations (verify or dummy)."""
    calls = []
    original = ActivationCodeHasher.verify

    def counting(self, password, encoded):
        calls.append(encoded)
        return original(self, password, encoded)

    monkeypatch.setattr(ActivationCodeHasher, "verify", counting)
    return calls


def test_the_same_hashing_work_whether_or_not_the_id_has_a_pending_code(pending, hash_calls):
    account, code = pending
    used = account_create(national_id=make_person(name="孙六").national_id)
    activation_code_issue(account=used)
    InsuredAccount.objects.filter(pk=used.pk).update(activation_code_hash="")
    cases = [
        (make_id(), "unknown ID"),
        (used.national_id, "no pending code"),
        (account.national_id, "pending code, wrong guess"),
    ]
    for n, (national_id, label) in enumerate(cases):
        before = len(hash_calls)
        _post(Client(), national_id, _wrong(code), f"10.3.{n}.1")
        assert len(hash_calls) - before == 1, label


def test_the_code_hash_is_of_moderate_cost(pending):
    account, __ = pending
    account.refresh_from_db()
    algorithm, variety, version, params = account.activation_code_hash.split("$")[:4]
    assert (algorithm, variety) == ("argon2code", "argon2id")
    assert params == "m=19456,t=2,p=1"  # OWASP's minimum for Argon2id; a password's hash uses 100 MiB
