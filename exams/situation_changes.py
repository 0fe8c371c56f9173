"""A locked registration's candidate changed their situation (the notice, H): the rectorate is told.

Received from candidates (`candidates.signals.situation_changed`): the accounts app knows no
registration, so the rule that a change after the lock is flagged and sent to the DEC lives here.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from candidates.models import ProfileChange, User
from candidates.outbox import email_send
from exams.models import Registration
from exams.tasks import notify_staff_of_situation_change as notify_staff_of_situation_change_task


def situation_changes_flag_after_lock(*, user, changes):
    """Flag the changes made while one of the user's registrations is locked, and queue the
    DEC's email after commit. Returns whether they were flagged."""
    if not Registration.objects.locked().filter(candidate=user).exists():
        return False
    ProfileChange.objects.filter(pk__in=[change.pk for change in changes]).update(after_lock=True)
    for change in changes:
        change.after_lock = True
    transaction.on_commit(lambda: notify_staff_of_situation_change_task.delay(user.pk))
    return True


def situation_changes_notify_staff(*, user_id):
    """Email the DEC the changes a candidate made after the lock, once.

    The rows are claimed by a conditional update and the email recorded in the same
    transaction, so a task run twice sends once and an SMTP failure loses nothing: the outbox
    retries the delivery like every other email.
    """
    with transaction.atomic():
        pending = ProfileChange.objects.filter(user_id=user_id, after_lock=True, staff_notified_at__isnull=True)
        ids = sorted(pending.values_list("pk", flat=True))
        now = timezone.now()
        claimed = ProfileChange.objects.filter(pk__in=ids, staff_notified_at__isnull=True).update(staff_notified_at=now)
        if not claimed:
            return 0
        user = User.objects.get(pk=user_id)
        changes = ProfileChange.objects.filter(pk__in=ids, staff_notified_at=now).order_by("changed_at", "pk")
        numbers = ", ".join(Registration.objects.locked().filter(candidate=user).values_list("number", flat=True))
        email_send(user=None, to_email=settings.DEC_EMAIL, template="situation_change_staff",
                   context={"candidate": user, "changes": list(changes), "numbers": numbers},
                   event_key=f"situation-change:{user_id}:{ids[0]}-{ids[-1]}:{claimed}")
    return claimed
