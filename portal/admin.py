import math

from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.collation import french_sort_key
from portal.models import WorkerHeartbeat


class WaitBeforeTheNextCode:
    """The message after codes refused in a row. django-otp waits 1, 2, 4, 8… seconds after each
    wrong code before it checks another, and formats this message with `% extra` (the count and
    `locked_until`): it says how many seconds are left, not a minute nobody has to wait."""

    def __mod__(self, extra):
        seconds = max(1, math.ceil((extra["locked_until"] - timezone.now()).total_seconds()))
        return ngettext(
            "Par sécurité, après un code erroné, le suivant n'est vérifié qu'après un court délai : attendez "
            "%(seconds)d seconde, puis saisissez le code que montre votre application.",
            "Par sécurité, après un code erroné, le suivant n'est vérifié qu'après un court délai : attendez "
            "%(seconds)d secondes, puis saisissez le code que montre votre application.", seconds) % {"seconds": seconds}


class StaffLoginForm(OTPAdminAuthenticationForm):
    """The admin login: email, password and the 6-digit code, on one page.

    django-otp asks to pick a device when none is chosen; a staff member with a single device
    (the usual case) uses that one, so the code is checked against it alone, and the page shows
    no device list. Its words are the ones staff know: a code their application shows, not an
    « OTP token ».
    """

    otp_token = forms.CharField(
        label=_("Code à 6 chiffres de votre application"), required=False,
        help_text=_("Ouvrez votre application d'authentification : elle montre un nouveau code toutes les 30 secondes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*",
                                      "maxlength": 7}))
    otp_device = forms.CharField(label=_("Application qui donne le code"), required=False, widget=forms.Select)

    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": _("Saisissez le code à 6 chiffres que montre votre application d'authentification."),
        "invalid_token": _("Ce code ne correspond pas. Saisissez le code que votre application montre en ce moment : il "
                           "change toutes les 30 secondes. Si l'erreur revient, vérifiez que l'heure de votre téléphone "
                           "est réglée automatiquement."),
        "n_failed_attempts": WaitBeforeTheNextCode(),
        "verification_not_allowed": _("Les codes ne peuvent pas être vérifiés pour le moment : réessayez dans une minute."),
        "device_required": _("Choisissez l'application qui vous donne le code."),
    }

    def clean_otp_token(self):
        # Some applications show the code in two groups (« 123 456 »).
        return self.cleaned_data["otp_token"].replace(" ", "")

    def _update_form(self, user):
        # django-otp draws the password back into the page after a wrong code (for its
        # two-step flow); here it is typed again, and never sent back to the browser.
        super()._update_form(user)
        if "password" in self.fields:
            self.fields["password"].widget.render_value = False
        # A code that did not match is of no use in the page: the field comes back empty for the next one.
        self.data = self.data.copy()
        self.data.pop("otp_token", None)

    @property
    def shows_device_choice(self):
        """A list of devices only for someone who has more than one (the blank entry aside)."""
        return len(self.fields["otp_device"].widget.choices) > 2

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if len(devices) == 1:
                return devices[0]
        return device


class PortalAdminSite(OTPAdminSite):
    def each_context(self, request):
        from documents.antivirus import scanning_enabled

        # Every admin page warns while uploads are not scanned (development, or a forgotten setting).
        return {**super().each_context(request), "antivirus_off": not scanning_enabled()}

    def get_app_list(self, request, app_label=None):
        """Sections and their lists in French order (« Épreuves » among the E's, not after « Spécialités »)."""
        apps = sorted(super().get_app_list(request, app_label), key=lambda app: french_sort_key(str(app["name"])))
        for app in apps:
            app["models"].sort(key=lambda model: french_sort_key(str(model["name"])))
        return apps


# Staff reach admin only with a verified second factor (TOTP): the documented way to switch the
# default site, so every ModelAdmin registered on it is covered.
admin.site.__class__ = PortalAdminSite
admin.site.login_form = StaffLoginForm
admin.site.login_template = "admin/login_second_factor.html"
admin.site.site_header = _("Inscriptions au BTS — administration du rectorat")
admin.site.site_title = _("Administration des inscriptions BTS")
admin.site.index_title = _("Gestion des sessions, des candidats et des pièces")


class PortalTOTPDeviceAdmin(TOTPDeviceAdmin):
    """django-otp's, except that a device that does not exist is a 404 (its own views read it with .get(): a 500)."""

    def config_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().qrcode_view(request, pk)


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, PortalTOTPDeviceAdmin)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["worker", "seen_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
