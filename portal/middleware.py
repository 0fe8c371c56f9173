from django.utils import timezone
from django.utils.cache import patch_cache_control

from common.typography import french_html


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


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every answer drawn for a session: a logged-in
    person's pages, files and « Mes données » ZIP, or a visitor's page that read what their
    session holds (the address just typed at sign-up…).

    Such an answer must not stay in a shared proxy nor on the disk of a shared computer, where
    the browser's back button or its cache would show it to the next person. Pages for a visitor
    without a session (home, footer pages) are left alone. The `{% cache %}` fragments are the
    server's own and are not touched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (user is not None and user.is_authenticated) or (session is not None and not session.is_empty()):
            patch_cache_control(response, private=True, no_store=True)
        return response


class FrenchTypographyMiddleware:
    """Every HTML page (candidates' and admin's) leaves with French typography: no-break spaces
    inside « » and before : ; ! ?, « 1er » for the first of a month (common/typography.py, also
    applied to emails and PDFs). Listed last, so its response runs before CommonMiddleware
    measures the page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if response.streaming or not content_type.startswith("text/html") or response.has_header("Content-Encoding"):
            return response
        charset = response.charset or "utf-8"
        response.content = french_html(response.content.decode(charset)).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
