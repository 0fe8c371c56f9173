"""The portal's URLs plus a bare view, the floor that page timings are compared with."""

from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return HttpResponse("ok")


urlpatterns = [*portal_urlpatterns, path("__bench__/bare/", bare, name="bench-bare")]
