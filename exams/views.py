from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents.requirements import required_pieces
from exams import services
from exams.forms import STEP_NAMES, STEPS
from exams.models import ExamSession, Registration
from exams.rules import registration_errors


def home(request):
    at = timezone.now()
    session = ExamSession.objects.current(at)
    context = {
        "session": session,
        "phase": session.registration_phase(at) if session else None,
        "time_left": session.time_left_to_register(at) if session else None,
    }
    return render(request, "exams/home.html", context)


def get_own_registration_or_404(user, pk):
    return get_object_or_404(
        Registration.objects.select_related("session", "specialty", "option"), pk=pk, candidate=user)


@login_required
def register(request):
    """« M'inscrire »: the current session's window, and the candidate's registration for it."""
    at = timezone.now()
    session = ExamSession.objects.current(at)
    registration = Registration.objects.filter(candidate=request.user, session=session).first() if session else None
    if registration:
        return redirect("exams:overview", pk=registration.pk)
    context = {
        "session": session,
        "is_open": bool(session and session.is_registration_open(at)),
        "time_left": session.time_left_to_register(at) if session else None,
        "title": _("M'inscrire"),
    }
    return render(request, "exams/register.html", context)


@login_required
@require_POST
def registration_start(request):
    session = ExamSession.objects.current()
    if session is None:
        raise Http404
    registration = services.registration_start(candidate=request.user, session=session)
    return redirect("exams:step", pk=registration.pk, step=STEP_NAMES[0])


@login_required
def registration_step(request, pk, step):
    registration = get_own_registration_or_404(request.user, pk)
    if step not in STEP_NAMES:
        raise Http404
    form_class = dict(STEPS)[step]
    form = form_class(request.POST or None, instance=Registration.objects.get(pk=registration.pk))
    if request.method == "POST":
        services.registration_check_writable(registration=registration, at=timezone.now())
        if form.is_valid():
            services.registration_save(registration=registration, values=form.cleaned_data)
            index = STEP_NAMES.index(step)
            if index + 1 < len(STEP_NAMES):
                return redirect("exams:step", pk=registration.pk, step=STEP_NAMES[index + 1])
            return redirect("exams:overview", pk=registration.pk)
    context = {
        "registration": registration,
        "form": form,
        "step": step,
        "step_number": STEP_NAMES.index(step) + 1,
        "steps": STEPS,
        "next_title": STEPS[STEP_NAMES.index(step) + 1][1].title if step != STEP_NAMES[-1] else _("Récapitulatif"),
        "writable": registration.is_editable and registration.session.is_registration_open(),
        "title": form_class.title,
        "ACCOMMODATION_EMAIL": settings.ACCOMMODATION_EMAIL,
    }
    return render(request, "exams/step.html", context)


@login_required
def registration_overview(request, pk):
    registration = get_own_registration_or_404(request.user, pk)
    at = timezone.now()
    context = {
        "registration": registration,
        "errors": registration_errors(registration),
        "pieces": required_pieces(registration),
        "steps": STEPS,
        "writable": registration.is_editable and registration.session.is_registration_open(at),
        "time_left": registration.session.time_left_to_register(at),
        "title": _("Mon inscription"),
    }
    return render(request, "exams/overview.html", context)
