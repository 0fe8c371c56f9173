"""Reminders before the deadline: 7 and 2 days before, to each incomplete draft, once each."""

from datetime import timedelta

from django.utils import timezone

from candidates.outbox import email_send
from documents.completeness import missing_pieces
from documents.requirements import session_requirements
from exams.models import Registration
from exams.rules import registration_errors

# (days, the reminder's window before the deadline): the 7-day one goes between 7 and 2 days
# before, the 2-day one in the last 2 days, so a late run never sends both at once.
REMINDERS = ((7, (2, 7)), (2, (0, 2)))


def send_deadline_reminders(*, at=None):
    """7 and 2 days before the deadline, remind each incomplete draft of what is missing, once each."""
    at = at or timezone.now()
    sent = 0
    for days, (nearest, farthest) in REMINDERS:
        due = (Registration.objects.drafts().filter(
                                           session__registration_closes_at__gt=at + timedelta(days=nearest),
                                           session__registration_closes_at__lte=at + timedelta(days=farthest))
               .select_related("session", "candidate", "specialty", "option"))
        matrices = {}
        for registration in due.iterator(chunk_size=500):
            form_done = not registration_errors(registration)
            if registration.session_id not in matrices:
                matrices[registration.session_id] = session_requirements(registration.session)
            requirements = matrices[registration.session_id]
            missing = missing_pieces(registration, requirements=requirements) if form_done else []
            if form_done and not missing:
                continue
            email_send(user=registration.candidate, template="deadline_reminder",
                       context={"registration": registration, "missing": missing, "form_done": form_done, "days": days},
                       event_key=f"reminder:{registration.pk}:{days}d")
            sent += 1
    return sent
