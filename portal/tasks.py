from celery import shared_task

from portal.models import WorkerHeartbeat


@shared_task(bind=True)
def record_worker_heartbeat(self):
    """Periodic (every minute): note that this worker is alive. Safe to run any number of times."""
    WorkerHeartbeat.record(worker=self.request.hostname or "eager")
