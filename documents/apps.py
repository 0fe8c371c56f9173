from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Pièces justificatives")

    def ready(self):
        from documents import checks, receivers  # noqa: F401 - the deployment check; the matrix cache; a changed registration
