import functools
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents.requirements import required_pieces
from exams import after_registration, catalogue, results, services
from exams.forms import STEP_NAMES, STEPS
from exams.models import Convocation, Domain, Epreuve, ExamSession, Registration
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
        services.registration_check_writable(registration=registration, at=request.received_at)
        if form.is_valid():
            services.registration_save(registration=registration, values=form.cleaned_data, at=request.received_at)
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
    registration = Registration.objects.for_dashboard(pk, request.user)
    if registration is None:
        raise Http404
    at = timezone.now()
    writable = registration.is_editable and registration.session.is_registration_open(at)
    # Read only when the answers are drawn, not when they come from the cache.
    whole = functools.cache(lambda: get_own_registration_or_404(request.user, pk))
    context = {
        "registration": registration,
        "whole_registration": whole,
        "errors": functools.cache(lambda: registration_errors(whole())),
        "pieces": functools.cache(lambda: required_pieces(whole())),
        "steps": STEPS,
        "writable": writable,
        "time_left": registration.session.time_left_to_register(at),
        "title": _("Mon inscription"),
        "answers_key": answers_fragment_key(registration, writable),
    }
    return render(request, "exams/overview.html", context)


def answers_fragment_key(registration, writable):
    """What the dashboard's answers, completeness and pieces are drawn from (exams/overview.html).

    The dashboard is the page asked most on the deadline evening, and drawing them is most of
    its cost: they are drawn once per version of the registration (it grows with every saved
    change, whoever makes it: the candidate, or staff in admin) and per state of the catalogue,
    and drawn again as soon as either changes, with nothing to clear. Locking and cancelling
    change the status, not the version: it is part of the key too.
    """
    return repr([registration.pk, registration.number, registration.version, registration.status,
                 catalogue.generation(), writable])


DECISION_LABELS = {
    results.Decision.PENDING: _("en attente des notes"),
    results.Decision.RATTRAPAGE: _("admis(e) à l'épreuve de rattrapage"),
    results.Decision.ADMIS: _("admis(e)"),
    results.Decision.REFUSE: _("refusé(e)"),
}


def _display(mark):
    return None if mark is None else ("ABS" if mark == results.ABSENT else f"{mark:.2f}".replace(".", ","))


def results_summary(registration):
    """What the candidate and the transcript show: each épreuve, the averages, the decision."""
    lines = after_registration.candidate_lines(registration)
    second = after_registration.rattrapage_marks(registration)
    epreuves = {e.code: e for e in Epreuve.objects.filter(specialty=registration.specialty)}
    decision = results.final_decision(lines, second)
    kept_lines = results.with_rattrapage(lines, {k: v for k, v in second.items() if v is not None})
    rows = [{"code": line.code, "title": epreuves[line.code].title, "coefficient": line.coefficient,
             "epreuve": epreuves[line.code], "first": _display(line.mark), "second": _display(second.get(line.code)),
             "kept": _display(kept.mark)} for line, kept in zip(lines, kept_lines, strict=True)]
    general, professional = results.general_average(kept_lines), results.professional_average(kept_lines)
    first_general = results.general_average(lines)
    needed = {}
    if results.first_group_decision(lines) == results.Decision.RATTRAPAGE:
        needed = {line.code: _display(results.mark_needed_for_ten(lines, line.code))
                  for line in lines if epreuves[line.code].domain == Domain.GENERAL}
        for row in rows:
            row["needed"] = needed.get(row["code"])
    return {"rows": rows, "decision": decision, "decision_label": DECISION_LABELS[decision],
            "general": _display(general.quantize(Decimal("0.01")) if general is not None else None),
            "professional": _display(professional.quantize(Decimal("0.01")) if professional is not None else None),
            "first_general": first_general, "needed": needed, "chosen": set(second)}


@login_required
def my_results(request, pk):
    """« Mes résultats »: marks, averages, the rattrapage choice while it is open, the decision."""
    registration = get_own_registration_or_404(request.user, pk)
    summary = results_summary(registration)
    general_epreuves = [row["epreuve"] for row in summary["rows"] if row["epreuve"].domain == Domain.GENERAL]
    if request.method == "POST":
        chosen = [e for e in general_epreuves if str(e.pk) in request.POST.getlist("epreuves")]
        try:
            after_registration.rattrapage_choose(registration=registration, epreuves=chosen, at=request.received_at)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Vos deux épreuves de rattrapage sont enregistrées."))
        return redirect("exams:results", pk=registration.pk)
    deadline = registration.session.rattrapage_choice_deadline
    context = {
        "registration": registration, **summary, "general_epreuves": general_epreuves,
        "can_choose": summary["decision"] == results.Decision.RATTRAPAGE and deadline is not None and timezone.now() <= deadline,
        "deadline": deadline, "title": _("Mes résultats"),
    }
    return render(request, "exams/results.html", context)


@login_required
def transcript_download(request, pk):
    from documents.pdf import transcript_pdf
    from documents.views import private_pdf_bytes_response

    registration = get_own_registration_or_404(request.user, pk)
    summary = results_summary(registration)
    if summary["decision"] in (results.Decision.PENDING, results.Decision.RATTRAPAGE):
        raise Http404
    content = transcript_pdf(registration, summary["rows"], summary["general"], summary["professional"], summary["decision_label"])
    return private_pdf_bytes_response(content, f"Relevé de notes {registration.number}.pdf")


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
    from documents.views import private_file_response

    convocation = get_own_convocation_or_404(request.user, pk)
    if not convocation.file:
        raise Http404
    Convocation.objects.filter(pk=convocation.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    return private_file_response(convocation.file, f"Convocation {convocation.registration.number}.pdf", "application/pdf")


@login_required
def convocation_calendar(request, pk):
    from django.http import HttpResponse

    convocation = get_own_convocation_or_404(request.user, pk)
    response = HttpResponse(after_registration.convocation_ics(convocation.registration), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="epreuves-{convocation.registration.number}.ics"'
    return response
