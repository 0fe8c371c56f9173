from django.apps import AppConfig


class CommonConfig(AppConfig):
    """What every app shares; its one job at start-up is to put the admin's filters in French order."""

    name = "common"
    verbose_name = "Commun"

    def ready(self):
        from common.admin_filters import register_french_filters

        register_french_filters()
