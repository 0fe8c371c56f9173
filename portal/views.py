import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from common.private_files import private_stream_response
from portal.metrics import metrics_registry
from portal.models import WorkerHeartbeat
from portal.personal_data import personal_data_zip

# clamd is asked at most once a minute, whoever calls /sante/ and however often.
CLAMD_PING_SECONDS = 60


@never_cache
def health(request):
    """For the orchestrator and the load balancer: 200 when the database answers, else 503.

    Anyone gets only that, and `{"status": …}`. Staff logged in to admin (second factor
    included) and a monitoring tool sending `Authorization: Bearer <HEALTH_CHECK_TOKEN>` also get
    the details: database, whether a worker beat in the last three minutes, the antivirus.
    """
    database_ok = database_answers()
    payload = {"status": "ok" if database_ok else "indisponible"}
    if may_see_health_details(request, database_ok=database_ok):
        payload.update(database=database_ok, worker_alive=database_ok and WorkerHeartbeat.any_alive(),
                       antivirus=antivirus_state())
    return JsonResponse(payload, status=200 if database_ok else 503)


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def may_see_health_details(request, *, database_ok):
    token = settings.HEALTH_CHECK_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return True
    if not database_ok:  # the session and the user are read from the database
        return False
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff and user.is_verified())


def antivirus_state():
    """"off" (no CLAMD_URL), "ok" (clamd answered PONG) or "unreachable": uploads then wait, pending.

    The answer is kept a minute in the shared cache, so a health check polled every few seconds
    by several callers costs clamd one PING a minute.
    """
    from documents.antivirus import clamd_ping, scanning_enabled

    if not scanning_enabled():
        return "off"
    return cache.get_or_set(f"health:clamd:{settings.CLAMD_URL}", lambda: "ok" if clamd_ping() else "unreachable",
                            CLAMD_PING_SECONDS)


@never_cache
def metrics(request):
    """For Prometheus only: the metrics when the request carries `Authorization: Bearer
    <METRICS_TOKEN>`, 401 without it; no such page (404) while no token is configured."""
    if not settings.METRICS_TOKEN:
        raise Http404
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {settings.METRICS_TOKEN}".encode()):
        return HttpResponse(status=401, headers={"WWW-Authenticate": "Bearer"})
    return HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)


@login_required
def my_data(request):
    """« Mes données » (RGPD): the page, and the ZIP of everything held about the candidate."""
    if request.GET.get("telecharger") == "zip":
        return private_stream_response(personal_data_zip(request.user), "mes-donnees-inscription-bts.zip", "application/zip")
    return render(request, "portal/my_data.html", {"title": _("Mes données")})
