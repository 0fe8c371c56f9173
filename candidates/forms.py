from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm


class LoginForm(DsfrBaseForm, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Adresse électronique ou mot de passe incorrect. Vérifiez votre saisie ; "
            "si vous venez de créer votre compte, activez-le d'abord avec le lien reçu par courriel."
        ),
        "inactive": _("Ce compte n'est pas encore activé."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Adresse électronique")
        self.fields["username"].widget.attrs["autocomplete"] = "email"
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Se connecter")))
