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
