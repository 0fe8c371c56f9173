from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class StaffLoginForm(OTPAdminAuthenticationForm):
    """The admin login: email, password and the 6-digit code, on one page.

    django-otp asks to pick a device when none is chosen; a staff member with a single device
    (the usual case) uses that one, so the code is checked against it alone.
    """

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if len(devices) == 1:
                return devices[0]
        return device

from portal.models import WorkerHeartbeat

class PortalAdminSite(OTPAdminSite):
    def each_context(self, request):
        from documents.antivirus import scanning_enabled

        # Every admin page warns while uploads are not scanned (development, or a forgotten setting).
        return {**super().each_context(request), "antivirus_off": not scanning_enabled()}


# Staff reach admin only with a verified second factor (TOTP): the documented way to switch the
# default site, so every ModelAdmin registered on it is covered.
admin.site.__class__ = PortalAdminSite
admin.site.login_form = StaffLoginForm
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
