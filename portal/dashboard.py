"""The staff dashboard: figures of a session's registrations and of the review of pieces."""

import statistics
from datetime import timedelta

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Piece
from exams.models import ExamSession, Registration, RegistrationStatus


def bars(rows, label_key, value_key="count"):
    """Rows with the width of their bar, in percent of the largest."""
    top = max((row[value_key] for row in rows), default=0) or 1
    # The width is CSS, not a number to localise: "12.5", never "12,5".
    return [{"label": row[label_key], "value": row[value_key], "width": f"{100 * row[value_key] / top:.1f}"} for row in rows]


def session_figures(session):
    registrations = Registration.objects.filter(session=session)
    per_day = list(registrations.annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
                   .values("day").annotate(count=Count("pk")).order_by("day"))
    per_specialty = list(registrations.values(name=F("specialty__name")).annotate(count=Count("pk"))
                         .order_by("-count")[:20])
    states = registrations.aggregate(
        locked=Count("pk", filter=Q(status=RegistrationStatus.LOCKED)),
        cancelled=Count("pk", filter=Q(status=RegistrationStatus.CANCELLED)),
        complete=Count("pk", filter=Q(status=RegistrationStatus.DRAFT, completed_at__isnull=False, pieces_missing=0)),
        incomplete=Count("pk", filter=Q(status=RegistrationStatus.DRAFT) & ~Q(completed_at__isnull=False, pieces_missing=0)),
    )
    pieces = Piece.objects.filter(registration__session=session)
    awaiting = list(pieces.awaiting_review().values(name=F("piece_kind__name")).annotate(count=Count("pk"))
                    .order_by("-count"))
    reviewed = list(pieces.filter(reviewed_at__isnull=False).order_by("-reviewed_at")
                    .values_list("updated_at", "reviewed_at")[:5000])
    hours = [(done - received).total_seconds() / 3600 for received, done in reviewed if done >= received]
    return {
        "per_day": bars([{"day": row["day"].strftime("%d/%m"), "count": row["count"]} for row in per_day], "day"),
        "per_specialty": bars([{"name": row["name"] or "—", "count": row["count"]} for row in per_specialty], "name"),
        "states": bars([
            {"name": _("validées définitivement"), "count": states["locked"]},
            {"name": _("complètes, non validées"), "count": states["complete"]},
            {"name": _("incomplètes"), "count": states["incomplete"]},
            {"name": _("annulées"), "count": states["cancelled"]},
        ], "name"),
        "awaiting": bars(awaiting, "name"),
        "awaiting_total": sum(row["count"] for row in awaiting),
        "review_median_hours": round(statistics.median(hours), 1) if hours else None,
        "review_p90_hours": round(statistics.quantiles(hours, n=10)[-1], 1) if len(hours) >= 10 else None,
        "reviewed_count": len(hours),
        "total": registrations.count(),
    }


@staff_member_required
def dashboard(request):
    if not request.user.has_perm("exams.view_registration"):
        raise PermissionDenied
    sessions = ExamSession.objects.order_by("-year")
    session = sessions.filter(pk=request.GET.get("session")).first() if request.GET.get("session", "").isdigit() else None
    session = session or ExamSession.objects.current()
    from django.contrib import admin

    context = {
        **admin.site.each_context(request),
        "title": _("Tableau de bord des inscriptions"),
        "session": session, "sessions": sessions,
        "figures": session_figures(session) if session else None,
        "window_days": (session.registration_closes_at - session.registration_opens_at) // timedelta(days=1) if session else None,
    }
    return TemplateResponse(request, "admin/dashboard.html", context)
