import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from common.private_files import private_stream_response
from portal.health import dependencies_state
from portal.metrics import metrics_registry
from portal.models import WorkerHeartbeat
from portal.personal_data import personal_data_zip

# clamd is asked at most once a minute, whoever calls /sante/ and however often.
CLAMD_PING_SECONDS = 60


@never_cache
def liveness(request):
    """`/sante/vivant/`, the orchestrator's liveness probe: the process is up and answers.

    It asks nothing of the database, the cache, the broker or the session, so that an outage of
    one of them never gets every web process restarted: that would not bring them back.
    """
    return JsonResponse({"status": "ok"})


@never_cache
def health(request):
    """`/sante/`, readiness, for the load balancer and the orchestrator: 200 when the database, the
    cache and the broker answer (portal/health.py), else 503 with the ones that did not:
    `{"status": "indisponible", "failed": ["cache"]}`.

    Anyone gets only that. Staff logged in to admin (second factor included) and a monitoring
    tool sending `Authorization: Bearer <HEALTH_CHECK_TOKEN>` also get the details: each server,
    whether a worker beat in the last three minutes, the antivirus.
    """
    state = dependencies_state()
    failed = [name for name, answered in state.items() if not answered]
    payload = {"status": "indisponible", "failed": failed} if failed else {"status": "ok"}
    # The session and its user are read from the cache, then the database.
    if may_see_health_details(request, sessions_readable=state["database"] and state["cache"]):
        payload.update(state, worker_alive=state["database"] and WorkerHeartbeat.any_alive(),
                       antivirus=antivirus_state(cached=state["cache"]))
    return JsonResponse(payload, status=503 if failed else 200)


def may_see_health_details(request, *, sessions_readable):
    token = settings.HEALTH_CHECK_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return True
    if not sessions_readable:
        return False
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff and user.is_verified())


def antivirus_state(*, cached=True):
    """"off" (no CLAMD_URL), "ok" (clamd answered PONG) or "unreachable": uploads then wait, pending.

    The answer is kept a minute in the shared cache, so a health check polled every few seconds
    by several callers costs clamd one PING a minute; with the cache down, clamd is asked each time
    (only callers allowed the details get this far).
    """
    from documents.antivirus import clamd_ping, scanning_enabled

    if not scanning_enabled():
        return "off"
    if not cached:
        return "ok" if clamd_ping() else "unreachable"
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
