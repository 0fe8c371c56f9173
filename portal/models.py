from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran the periodic heartbeat task."""

    worker = models.CharField(_("worker"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("vu le"))

    class Meta:
        verbose_name = _("signal de vie d'un worker")
        verbose_name_plural = _("signaux de vie des workers")
        ordering = ["-seen_at"]

    def __str__(self):
        return self.worker

    @classmethod
    def record(cls, worker, at=None):
        cls.objects.update_or_create(worker=worker, defaults={"seen_at": at or timezone.now()})

    @classmethod
    def any_alive(cls, at=None, within=timedelta(minutes=3)):
        """Whether a worker ran its heartbeat recently: beat sends one a minute."""
        at = at or timezone.now()
        return cls.objects.filter(seen_at__gte=at - within).exists()
