from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "exams"
    verbose_name = _("Examens")

    def ready(self):
        from exams import receivers  # noqa: F401 - the catalogue's caches; a change of situation after the lock
