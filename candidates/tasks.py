"""The accounts' Celery tasks. Each fetches its row and calls one service, imported when the task
runs: the services import their tasks at the top (`thing_task`), so this module imports none."""

from celery import shared_task

from candidates.models import Message


@shared_task
def purge_unactivated_accounts_task():
    """Periodic (every 15 minutes): delete accounts not activated within 48 hours."""
    from candidates.services import purge_unactivated_accounts

    return purge_unactivated_accounts()


@shared_task(bind=True, max_retries=Message.MAX_ATTEMPTS - 1)
def deliver_message(self, message_id):
    """Send one recorded email (queued after commit). Claim, send, record: a second run finds it
    claimed and stops. While the SMTP server fails, retry later (candidates.outbox.message_deliver)."""
    from candidates.outbox import DeliveryRetry, message_deliver

    message = Message.objects.claim_for_delivery(message_id)
    if message is None:
        return
    try:
        message_deliver(message)
    except DeliveryRetry as retry:
        raise self.retry(countdown=retry.countdown, exc=retry.__cause__) from retry.__cause__


@shared_task
def requeue_pending_messages():
    """Periodic (every 5 minutes): queue again emails whose delivery was never queued or lost."""
    from candidates.outbox import messages_requeue_pending

    return messages_requeue_pending()
