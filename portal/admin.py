from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from portal.models import WorkerHeartbeat

# Staff reach admin only with a verified second factor (TOTP): the documented way to switch the
# default site, so every ModelAdmin registered on it is covered.
admin.site.__class__ = OTPAdminSite
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
