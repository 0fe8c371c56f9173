from django.shortcuts import render
from django.utils import timezone

from exams.models import ExamSession


def home(request):
    at = timezone.now()
    session = ExamSession.objects.current(at)
    context = {
        "session": session,
        "phase": session.registration_phase(at) if session else None,
        "time_left": session.time_left_to_register(at) if session else None,
    }
    return render(request, "exams/home.html", context)
