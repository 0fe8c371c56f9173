from celery import shared_task

from portal.models import WorkerHeartbeat


@shared_task(bind=True)
def record_worker_heartbeat(self):
    """Periodic (every minute): note that this worker is alive. Safe to run any number of times."""
    WorkerHeartbeat.record(worker=self.request.hostname or "eager")


@shared_task
def apply_retention_policy():
    """Periodic (daily): identity documents past their retention, idle accounts (after a notice)."""
    from portal.retention import delete_expired_identity_documents, notify_and_delete_inactive_accounts

    return delete_expired_identity_documents(), notify_and_delete_inactive_accounts()
