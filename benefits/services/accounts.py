"""Status-page accounts (SPEC 8): created and given one-time codes by staff, activated by the person."""

import datetime as dt
import hashlib
import secrets
from functools import cache as once
from typing import TypeGuard

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from benefits.models import AgentLink, InsuredAccount
from ltci.core.auth import INSURED_USERNAME_PREFIX
from ltci.core.hashers import ActivationCodeHasher
from ltci.core.history import set_history_user
from ltci.core.idnumber import InvalidIdNumber, parse_id_number

CODE_VALID_DAYS = 30
USERNAME_PREFIX = INSURED_USERNAME_PREFIX


class AccountError(ValueError):
    """Shown to the person (Chinese)."""


def username_for(national_id: str) -> str:
    return f"{USERNAME_PREFIX}{national_id}"


def login_name_problem(national_id: str) -> str:
    """The refusal when the login name of a new account is held by another user (created outside this service:
    portal users may not take it), else ""."""
    username = username_for(national_id)
    if get_user_model().objects.filter(username__iexact=username).exists():
        return _("登录名“%(username)s”已被其他用户占用，请先在“用户”中更名后再建立账户") % {
            "username": username
        }
    return ""


@once
def _dummy_code_hash() -> str:
    """A code hash checked when there is no pending code, so that every check costs one hash (no oracle)."""
    return make_password(secrets.token_hex(8), hasher=ActivationCodeHasher())


def _failures_key(username: str) -> str:
    return "ltci:activation-failures:" + hashlib.sha256(username.encode()).hexdigest()


def _code_is_valid(account: InsuredAccount | None, code: str) -> TypeGuard[InsuredAccount]:
    """The code is the account's pending one, not expired, and its failure cap is not reached.

    Exactly one code hash is computed whatever the case (no account, no pending code, expired, wrong, right),
    as Django's ModelBackend hashes a password for an unknown user.
    """
    pending = (
        account is not None
        and bool(account.activation_code_hash)
        and account.code_issued_at is not None
        and timezone.now() - account.code_issued_at <= dt.timedelta(days=CODE_VALID_DAYS)
    )
    pending_account = account if pending else None
    matches = check_password(
        (code or "").strip(),
        pending_account.activation_code_hash if pending_account is not None else _dummy_code_hash(),
    )
    failures = (
        cache.get(_failures_key(username_for(pending_account.national_id)))
        if pending_account is not None
        else None
    )
    return pending and matches and (failures or 0) < settings.LTCI_ACTIVATION_CODE_MAX_FAILURES


def activation_code_check(*, username: str, code: str):
    """The login user if ``code`` is the pending activation code of ``username``'s account, else None.

    Called by the authentication backend (so django-axes counts and locks out per ID and address); every
    failure also counts towards the code's cap (LTCI_ACTIVATION_CODE_MAX_FAILURES, all addresses together),
    for IDs without an account too, so that the work is the same.
    """
    account = InsuredAccount.objects.select_related("user").filter(user__username=username).first()
    if _code_is_valid(account, code):
        return account.user
    key = _failures_key(username)
    cache.add(key, 0, timeout=CODE_VALID_DAYS * 86400)
    cache.incr(key)
    return None


@transaction.atomic
def account_create(*, national_id: str, name: str = "", person=None, actor=None) -> InsuredAccount:
    """Create (or return) the account of a national ID; the login stays unusable until activation."""
    from enrollment.models import Person

    try:
        number = parse_id_number(national_id).number
    except InvalidIdNumber as exc:
        raise AccountError(_("身份号码无效：%(reason)s") % {"reason": exc}) from None
    existing = InsuredAccount.objects.filter(national_id=number).first()
    if existing is not None:
        return existing
    person = person or Person.objects.filter(national_id=number).first()
    if not name:
        if person is None:
            raise AccountError(_("非参保人账户须填写姓名"))
        name = person.name
    problem = login_name_problem(number)
    if problem:
        raise AccountError(problem)
    user = get_user_model().objects.create_user(username=username_for(number))
    user.set_unusable_password()
    user.save()
    return InsuredAccount.objects.create(national_id=number, name=name, person=person, user=user)


@transaction.atomic
def activation_code_issue(*, account: InsuredAccount, actor=None) -> str:
    """Issue a one-time 8-digit code (shown once to staff, printed on the notice); the password stops working.

    Used for the first activation and for a password reset through staff.
    """
    code = f"{secrets.randbelow(10**8):08d}"
    account.activation_code_hash = make_password(code, hasher=ActivationCodeHasher())
    account.code_issued_at = timezone.now()
    set_history_user(account, actor)
    account.save()
    user = account.user
    user.set_unusable_password()
    user.save()
    cache.delete(_failures_key(user.username))  # a new code starts with no failures
    return code


@transaction.atomic
def account_activate(*, national_id: str, code: str, password: str) -> InsuredAccount:
    """Check the one-time code and set the password; the code can be used once.

    The status page calls this after Django's ``authenticate`` accepted the code (activation_code_check, which
    counts failures); the check is repeated here under the row lock, so two uses of one code cannot both pass.
    """
    number = (national_id or "").strip().upper()
    account = InsuredAccount.objects.select_for_update().filter(national_id=number).first()
    if not _code_is_valid(account, code):
        raise AccountError(_("身份号码或激活码不正确，或激活码已失效"))
    user = account.user
    user.set_password(password)
    user.is_active = True
    user.save()
    account.activation_code_hash = ""
    account.activated_at = timezone.now()
    account.save()
    return account


@transaction.atomic
def agent_link_create(
    *,
    account: InsuredAccount,
    principal,
    relation: str = "agent",
    valid_from: dt.date | None = None,
    actor=None,
) -> AgentLink:
    if account.person_id == principal.pk:
        raise AccountError(_("不能为本人登记代办关系"))
    link, __ = AgentLink.objects.get_or_create(
        account=account,
        principal=principal,
        valid_from=valid_from or timezone.localdate(),
        defaults={"relation": relation, "created_by": actor if getattr(actor, "pk", None) else None},
    )
    return link
