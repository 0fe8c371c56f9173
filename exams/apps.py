from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "exams"
    verbose_name = _("Examens")

    def ready(self):
        from exams import signals  # noqa: F401 - forgets which specialties have options when one changes
