"""Authentication backend for the status page's one-time activation codes (SPEC 8).

Activation goes through Django's ``authenticate(request, username=..., activation_secret=...)`` so that
django-axes (the first backend) refuses locked-out IDs and counts every failure, as for passwords. The
keyword is named ``*_secret`` so that Django cleanses it from the ``user_login_failed`` signal's credentials.
Django's ModelBackend ignores these credentials (no password given). The backend never logs anyone in by
itself: the view sets the password and logs in with Django's password backend.
"""

from django.contrib.auth.backends import BaseBackend

from benefits.services.accounts import USERNAME_PREFIX, activation_code_check


class ActivationCodeBackend(BaseBackend):
    def authenticate(self, request, username=None, activation_secret=None, **kwargs):
        if not username or activation_secret is None or not username.startswith(USERNAME_PREFIX):
            return None
        return activation_code_check(username=username, code=activation_secret)
