from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Exploitation")

    def ready(self):
        from common.admin_filters import register_french_filters
        from portal import (
            request_context,  # noqa: F401 - the view, the request id and the error reports' user
            site_config,  # noqa: F401 - clears the cached site configuration when it changes
        )

        register_french_filters()  # every admin filter of names in French order
