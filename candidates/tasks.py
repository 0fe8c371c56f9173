import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from candidates.models import Message, MessageStatus
from candidates.services import purge_unactivated_accounts

logger = logging.getLogger(__name__)


@shared_task
def purge_unactivated_accounts_task():
    """Periodic (every 15 minutes): delete accounts not activated within 48 hours."""
    return purge_unactivated_accounts()


@shared_task(bind=True, max_retries=Message.MAX_ATTEMPTS - 1)
def deliver_message(self, message_id):
    """Send one recorded email. Claim, send, mark: a second run finds it claimed and stops.

    If the SMTP server fails, the message goes back to pending and the task retries later;
    after MAX_ATTEMPTS it is marked failed and staff see it in admin. A worker that dies
    between the claim and the mark leaves it "sending": never sent twice, shown to staff.
    """
    message = Message.objects.claim_for_delivery(message_id)
    if message is None:
        return
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    try:
        email.send()
    except Exception as error:
        final = message.attempts >= Message.MAX_ATTEMPTS
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED if final else MessageStatus.PENDING, last_error=repr(error)[:2000]
        )
        logger.warning("email %s not sent (attempt %s): %r", message.pk, message.attempts, error)
        if not final:
            raise self.retry(countdown=60 * 2 ** (message.attempts - 1), exc=error)
        return
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT, sent_at=timezone.now(), last_error="")


@shared_task
def requeue_pending_messages():
    """Periodic (every 5 minutes): queue again emails whose delivery was never queued or lost.

    Safe to run any time: delivery claims each message before sending it.
    """
    stale = timezone.now() - timedelta(minutes=5)
    ids = list(
        Message.objects.filter(status=MessageStatus.PENDING, created_at__lt=stale, attempts=0).values_list("pk", flat=True)[:1000]
    )
    for message_id in ids:
        deliver_message.delay(message_id)
    return len(ids)


@shared_task
def notify_staff_of_situation_change(user_id):
    """Email the DEC the changes a candidate made after the lock. Claims the rows first: never twice."""
    from candidates.models import ProfileChange, User

    now = timezone.now()
    pending = ProfileChange.objects.filter(user_id=user_id, after_lock=True, staff_notified_at__isnull=True)
    ids = list(pending.values_list("pk", flat=True))
    claimed = ProfileChange.objects.filter(pk__in=ids, staff_notified_at__isnull=True).update(staff_notified_at=now)
    if not claimed:
        return 0
    user = User.objects.get(pk=user_id)
    changes = ProfileChange.objects.filter(pk__in=ids, staff_notified_at=now).order_by("changed_at")
    lines = [f"- {change.field_label} : « {change.old_value} » → « {change.new_value} »" for change in changes]
    numbers = ", ".join(user.registrations.filter(status="locked").values_list("number", flat=True))
    body = (f"{user.get_full_name()} ({user.email}), inscription(s) validée(s) {numbers}, a modifié sa situation :\n"
            + "\n".join(lines) + "\n\nL'historique complet est dans l'administration, fiche du compte.")
    EmailMultiAlternatives(subject=f"Changement de situation après validation — {user.get_full_name()}",
                           body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[settings.DEC_EMAIL]).send()
    return claimed


@shared_task
def apply_retention_policy():
    """Periodic (daily): identity documents past their retention, idle accounts (after a notice)."""
    from candidates.retention import delete_expired_identity_documents, notify_and_delete_inactive_accounts

    return delete_expired_identity_documents(), notify_and_delete_inactive_accounts()
