"""ltci.core.backends.ModelBackend: Django's backend with the session's user read by one prepared query."""

# ruff: noqa: S106
import pytest
from django.contrib.auth import get_user_model

from ltci.core.backends import PATH, ModelBackend

pytestmark = pytest.mark.django_db


def test_get_user_returns_the_same_user_as_djangos_and_refuses_what_django_refuses(settings):
    from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

    assert PATH in settings.AUTHENTICATION_BACKENDS
    user = get_user_model().objects.create_user("backend-user", email="b@example.org", password="x-Long-pw-1")
    ours, django = ModelBackend(), DjangoModelBackend()
    got = ours.get_user(str(user.pk))
    assert got == django.get_user(user.pk)
    assert {f.attname: getattr(got, f.attname) for f in got._meta.concrete_fields} == {
        f.attname: getattr(user, f.attname) for f in user._meta.concrete_fields
    }
    assert got.get_session_auth_hash() == user.get_session_auth_hash()
    assert ours.get_user(user.pk + 1000) is None
    for garbage in ("abc", None, "1.5", ""):
        assert ours.get_user(garbage) is None
    user.is_active = False
    user.save()
    assert ours.get_user(user.pk) is None and django.get_user(user.pk) is None


def test_a_session_logs_in_through_it_and_logout_or_a_password_change_ends_it(client):
    user = get_user_model().objects.create_user(
        "staff-x", password="x-Long-pw-1", is_staff=True, is_superuser=True
    )
    client.force_login(user)
    assert client.session["_auth_user_backend"] == PATH
    assert client.get("/admin/").status_code == 200
    user.set_password("another-Long-pw-2")
    user.save()
    assert client.get("/admin/").status_code == 302  # the session's auth hash no longer matches
