"""The portal's URLs plus two floors that page timings are compared with.

`bare`: a view that does nothing. `floor`: a view that runs one query and renders a tiny
template, the least any real page of the portal does.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

FLOOR_TEMPLATE = engines["django"].from_string("<!doctype html><title>plancher</title><p>{{ sessions }} sessions</p>")


def bare(request):
    return HttpResponse("ok")


def floor(request):
    from exams.models import ExamSession

    # Rendered without the request: the context processors would add queries of their own.
    return HttpResponse(FLOOR_TEMPLATE.render({"sessions": ExamSession.objects.count()}))


urlpatterns = [
    *portal_urlpatterns,
    path("__bench__/bare/", bare, name="bench-bare"),
    path("__bench__/plancher/", floor, name="bench-floor"),
]
