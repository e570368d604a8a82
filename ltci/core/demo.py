"""Demo staff accounts, one per role, plus a superuser (password printed by `make demo`)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .roles import ALL_ROLES

DEMO_PASSWORD = "ltci-demo-2026"  # noqa: S105 (the published demo login)
STAFF_LOGINS = [
    ("admin", None),
    ("clerk", "参保登记员"),
    ("coordinator", "评估协调员"),
    ("auditor", "待遇审核员"),
    ("settler", "结算专员"),
    ("accountant", "基金会计"),
    ("supervisor", "主管"),
]


def seed(*, persons, rng, stdout):
    User = get_user_model()
    for username, role in STAFF_LOGINS:
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = role is None
            user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
    assert set(ALL_ROLES) <= set(Group.objects.values_list("name", flat=True))
