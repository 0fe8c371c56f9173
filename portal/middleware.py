from django.utils import timezone


class ReceivedAtMiddleware:
    """Stamp each request with the time it reached the portal, before its body is read.

    A deadline is judged on this time: an upload that started before 17:00:00 is on time, even
    if its last byte arrives after.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.received_at = timezone.now()
        return self.get_response(request)


class StaffIdleTimeoutMiddleware:
    """Log a staff member out after STAFF_IDLE_TIMEOUT without a request (admin holds personal data)."""

    SESSION_KEY = "_staff_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.contrib.auth import logout

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            now = timezone.now()
            last_seen = request.session.get(self.SESSION_KEY)
            if last_seen is not None and now.timestamp() - last_seen > settings.STAFF_IDLE_TIMEOUT.total_seconds():
                logout(request)
            else:
                request.session[self.SESSION_KEY] = now.timestamp()
        return self.get_response(request)
