
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.private_files import private_bytes_response, private_file_response
from exams import results, services
from exams.convocations import convocation_ics
from exams.forms import STEP_NAMES, STEPS
from exams.models import Convocation, Domain, ExamSession, Registration
from exams.rattrapage import rattrapage_choose
from exams.transcripts import Shown, results_shown, results_summary, transcript_pdf


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
        return redirect("documents:overview", pk=registration.pk)
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
    form = form_class(request.POST if request.method == "POST" else None, instance=Registration.objects.get(pk=registration.pk))
    if request.method == "POST":
        services.registration_check_writable(registration=registration, at=request.received_at)
        if form.is_valid():
            services.registration_save(registration=registration, values=form.cleaned_data, at=request.received_at)
            index = STEP_NAMES.index(step)
            if index + 1 < len(STEP_NAMES):
                return redirect("exams:step", pk=registration.pk, step=STEP_NAMES[index + 1])
            return redirect("documents:overview", pk=registration.pk)
    context = {
        "registration": registration,
        "form": form,
        "step": step,
        "step_number": STEP_NAMES.index(step) + 1,
        "steps": STEPS,
        "next_title": STEPS[STEP_NAMES.index(step) + 1][1].title if step != STEP_NAMES[-1] else _("Récapitulatif"),
        "writable": registration.is_writable(request.received_at),
        "title": form_class.title,
        "ACCOMMODATION_EMAIL": settings.ACCOMMODATION_EMAIL,
        "ACCOMMODATION_REQUESTS_URL": settings.ACCOMMODATION_REQUESTS_URL,
    }
    return render(request, "exams/step.html", context)


@login_required
def my_results(request, pk):
    """« Mes résultats »: once the session's results are published, the marks, averages and the
    decision; before, only the rattrapage choice for those the first group sends to it."""
    registration = get_own_registration_or_404(request.user, pk)
    at = request.received_at
    shown = results_shown(registration, at)
    summary = results_summary(registration) if shown != Shown.NOTHING_YET else {}
    if shown == Shown.RATTRAPAGE_CHOICE:
        summary["decision"] = results.Decision.RATTRAPAGE  # what the first group decided; the rest waits
    # The second group's orals are general-domain épreuves the candidate sat: a dispensed one is not offered.
    general_epreuves = [row["epreuve"] for row in summary.get("rows", [])
                        if row["epreuve"].domain == Domain.GENERAL and not row["dispensed"]]
    if request.method == "POST":
        chosen = [e for e in general_epreuves if str(e.pk) in request.POST.getlist("epreuves")]
        try:
            rattrapage_choose(registration=registration, epreuves=chosen, at=at)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, _("Vos deux épreuves de rattrapage sont enregistrées."))
        return redirect("exams:results", pk=registration.pk)
    session = registration.session
    context = {
        "registration": registration, **summary, "shown": shown, "general_epreuves": general_epreuves,
        "can_choose": summary.get("decision") == results.Decision.RATTRAPAGE and session.rattrapage_choice_is_open(at),
        "deadline": session.rattrapage_choice_deadline, "published_at": session.results_published_at,
        "title": _("Mes résultats"),
    }
    return render(request, "exams/results.html", context)


@login_required
def transcript_download(request, pk):
    registration = get_own_registration_or_404(request.user, pk)
    if results_shown(registration, request.received_at) != Shown.RESULTS:
        raise Http404
    summary = results_summary(registration)
    if summary["decision"] not in (results.Decision.ADMIS, results.Decision.REFUSE):
        raise Http404  # no transcript before the jury's decision
    return private_bytes_response(transcript_pdf(registration, summary), f"Relevé de notes {registration.number}.pdf")


@login_required
def my_convocations(request):
    convocations = Convocation.objects.filter(registration__candidate=request.user).select_related(
        "registration__specialty", "registration__session")
    return render(request, "exams/convocations.html", {"convocations": convocations, "title": _("Mes convocations")})


def get_own_convocation_or_404(user, pk):
    return get_object_or_404(Convocation.objects.select_related("registration__specialty", "registration__session",
                                                                "registration__candidate"), pk=pk, registration__candidate=user)


@login_required
def convocation_download(request, pk):
    convocation = get_own_convocation_or_404(request.user, pk)
    if not convocation.file:
        raise Http404
    Convocation.objects.filter(pk=convocation.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    return private_file_response(convocation.file, f"Convocation {convocation.registration.number} v{convocation.version}.pdf",
                                 "application/pdf")


@login_required
def convocation_calendar(request, pk):
    convocation = get_own_convocation_or_404(request.user, pk)
    calendar = convocation_ics(convocation.registration, sequence=convocation.version - 1)
    return private_bytes_response(calendar, f"epreuves-{convocation.registration.number}.ics",
                                  content_type="text/calendar; charset=utf-8")
