from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = _("Comptes")

    def ready(self):
        from candidates import (
            login_limits,  # noqa: F401 - counts each failed login against its address
            receivers,  # noqa: F401 - forgets a candidate's unread count when a message changes
        )
