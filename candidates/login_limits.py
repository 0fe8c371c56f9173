"""Failed logins per client address, across every account.

django-axes locks one email from one client address after 5 failures; on its own it lets one
client try 4 passwords on every account, again every 15 minutes. This limit counts every
failed login from a client address, whatever the account, in the shared cache
(django-ratelimit: Redis in production), and refuses logins from it until the end of its hour
once settings.LOGIN_FAILURES_PER_CLIENT_PER_HOUR is reached. Only failures count: a class
logging in from one school's address uses none of it.

It holds for every form that checks a password (the candidates' login and the admin's): the
failures are counted on `user_login_failed`, the signal Django's `authenticate()` sends (and
django-axes counts on), and `LoginFailuresPerClientBackend`, first of AUTHENTICATION_BACKENDS,
checks no password for a client over the limit. The candidates' login view asks first, to show
the French 429 page without hashing anything.

A logged-in candidate retyping the current password (change of address, change of password)
goes through the same `authenticate()`, in `current_password_confirmed`: whoever holds a
session on a shared computer gets the login's 5 tries, not unlimited ones.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils import timezone
from django_ratelimit.core import get_usage


def _usage(request, *, increment):
    # key "ip": common.client_address, through RATELIMIT_IP_META_KEY.
    rate = f"{settings.LOGIN_FAILURES_PER_CLIENT_PER_HOUR}/h"
    return get_usage(request, group="logins:failures-from-client", key="ip", rate=rate, increment=increment)


def client_login_blocked_until(request):
    """Until when logins from this client address are refused; None while it is under the limit."""
    usage = _usage(request, increment=False)
    if usage is None or usage["count"] < usage["limit"]:  # None: RATELIMIT_ENABLE is off
        return None
    return timezone.now() + timedelta(seconds=max(usage["time_left"], 0))


@receiver(user_login_failed)
def login_failure_counted(sender, credentials, request=None, **kwargs):
    if request is not None:
        _usage(request, increment=True)


class LoginFailuresPerClientBackend:
    """Checks no password for a client address over the limit, whichever login form asks.

    Only `authenticate`, like django-axes' backend: no `get_user`, so sessions (and the test
    client's force_login) stay with the backend that loads users.
    """

    def authenticate(self, request, **credentials):
        if request is not None and client_login_blocked_until(request):
            raise PermissionDenied  # authenticate() stops at once and reports a failed login
        return None


def current_password_confirmed(request, user, password):
    """Whether `password` is the logged-in user's own, checked as a login would be: each failure
    counts for django-axes (this email from this address) and for this client address, and a
    locked pair is refused even the right password (AxesMiddleware then shows the 429 page)."""
    authenticated = authenticate(request, username=user.email, password=password)
    return authenticated is not None and authenticated.pk == user.pk


def failure_log_client(username, ip_address, user_agent, path_info, request):
    """What django-axes writes in its log line of a failed login or a lockout (AXES_CLIENT_STR_CALLABLE):
    the form's path only. The email, the client's address and its user agent are personal data,
    and the failures are counted (AccessAttempt, and the limit per client) where staff can see them."""
    return f"{{path_info: {path_info!r}}}"
