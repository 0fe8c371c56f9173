from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.models import WorkerHeartbeat

admin.site.site_header = _("Inscriptions au BTS — administration du rectorat")
admin.site.site_title = _("Administration des inscriptions BTS")
admin.site.index_title = _("Gestion des sessions, des candidats et des pièces")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["worker", "seen_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
