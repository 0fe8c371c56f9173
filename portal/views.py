from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from portal.models import WorkerHeartbeat


@never_cache
def health(request):
    """For load balancers and operators: 200 when the database answers, with the workers' state."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database_ok = True
    except Exception:
        database_ok = False
    payload = {
        "database": database_ok,
        "worker_alive": database_ok and WorkerHeartbeat.any_alive(),
        "antivirus": antivirus_state(),
    }
    return JsonResponse(payload, status=200 if database_ok else 503)


def antivirus_state():
    """"off" (no CLAMD_URL), "ok" (clamd answers) or "unreachable": uploads then wait, pending."""
    from documents.antivirus import clamd_ping, scanning_enabled

    if not scanning_enabled():
        return "off"
    return "ok" if clamd_ping() else "unreachable"
