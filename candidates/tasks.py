import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from candidates.models import Message, MessageStatus
from candidates.services import purge_unactivated_accounts
from portal.gunicorn_logging import mask_account_links

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
    from candidates.outbox import message_for_delivery

    message = Message.objects.claim_for_delivery(message_id)
    if message is None:
        return
    try:
        rendered = message_for_delivery(message)  # an account link is made now, never stored
        email = EmailMultiAlternatives(subject=rendered.subject, body=rendered.text,
                                       from_email=settings.DEFAULT_FROM_EMAIL, to=[message.to_email])
        if rendered.html:
            email.attach_alternative(rendered.html, "text/html")
        email.send()
    except Exception as error:
        final = message.attempts >= Message.MAX_ATTEMPTS
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED if final else MessageStatus.PENDING, last_error=mask_account_links(repr(error))[:2000]
        )
        logger.warning("email %s not sent (attempt %s): %r", message.pk, message.attempts, error)
        if not final:
            raise self.retry(countdown=60 * 2 ** (message.attempts - 1), exc=error) from error
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
    """Tell the DEC of the changes a candidate made after the lock (the notice, H)."""
    from candidates.services import situation_changes_notify_staff

    return situation_changes_notify_staff(user_id=user_id)


@shared_task
def apply_retention_policy():
    """Periodic (daily): identity documents past their retention, idle accounts (after a notice)."""
    from candidates.retention import delete_expired_identity_documents, notify_and_delete_inactive_accounts

    return delete_expired_identity_documents(), notify_and_delete_inactive_accounts()
