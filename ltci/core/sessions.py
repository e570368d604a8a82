"""Session lifetimes: a login ends LTCI_SESSION_MAX_AGE after it began (absolute) and after
LTCI_SESSION_IDLE_SECONDS without a request (idle), for every kind of user.

At login the session gets a fixed expiry date (so that saving the session later never extends it) and the
time of the last request (``ltci_seen``). The middleware reads only the session, never ``request.user``
(so that it runs before authentication): an idle session is
flushed before authentication, so the request is anonymous; otherwise ``ltci_seen`` is refreshed at most
once a minute, so a page viewed again and again does not write the session on every request.
"""

import datetime as dt
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

SEEN_KEY = "ltci_seen"
REFRESH_SECONDS = 60


def _start_limits(session) -> None:
    session.set_expiry(timezone.now() + dt.timedelta(seconds=settings.LTCI_SESSION_MAX_AGE))
    session[SEEN_KEY] = int(time.time())


@receiver(user_logged_in, dispatch_uid="ltci_session_limits")
def _limit_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        _start_limits(request.session)


class SessionIdleTimeoutMiddleware:
    """After SessionMiddleware, before AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seen = request.session.get(SEEN_KEY)
        if seen is None and SESSION_KEY in request.session:  # a login from before these limits
            _start_limits(request.session)
        elif seen is not None:
            now = int(time.time())
            if now - seen > settings.LTCI_SESSION_IDLE_SECONDS:
                request.session.flush()
            elif now - seen > REFRESH_SECONDS:
                request.session[SEEN_KEY] = now
        return self.get_response(request)
