from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from candidates.addresses import canonical_email
from candidates.login_limits import current_password_confirmed
from candidates.models import User, french_phone, validate_person_name

MINIMUM_AGE = 15


def with_submit(form, label):
    form.helper = FormHelper()
    form.helper.add_input(Submit("submit", label))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class EmailAddressField(forms.EmailField):
    """An address as its email will be delivered (candidates/addresses.py): one spelling per mailbox."""

    def clean(self, value):
        value = super().clean(value)
        return canonical_email(value) if value else value


class LoginForm(DsfrBaseForm, auth_forms.AuthenticationForm):
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
        with_submit(self, _("Se connecter"))


class FranceConnectLinkForm(DsfrBaseForm, auth_forms.AuthenticationForm):
    """The password of the account that already has FranceConnect's email: proved once, then linked.

    The address is not asked: it is the one FranceConnect gave, set by the view."""

    error_messages = {"invalid_login": _("Mot de passe incorrect."), "inactive": LoginForm.error_messages["inactive"]}
    # Declared here: DsfrBaseForm draws its fields while it is built, so a label set after that is not shown.
    username = forms.CharField(widget=forms.HiddenInput(), required=False)
    password = forms.CharField(label=_("Mot de passe de ce compte"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with_submit(self, _("Lier mon compte à FranceConnect"))


class SignupForm(DsfrBaseForm):
    email = EmailAddressField(
        label=_("Adresse électronique"),
        help_text=_("Une adresse valide et personnelle : tous les messages du rectorat y seront envoyés."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        help_text=_("12 caractères au moins ; évitez un mot de passe courant ou proche de vos nom et adresse."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    last_name = forms.CharField(label=_("Nom de naissance"), max_length=150, validators=[validate_person_name],
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    first_name = forms.CharField(label=_("Prénoms"), max_length=150, validators=[validate_person_name],
                                 help_text=_("Tous vos prénoms, dans l'ordre de l'état civil."),
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    birth_date = forms.DateField(label=_("Date de naissance"), widget=DateInput(),
                                 help_text=_("Au format jj/mm/aaaa."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with_submit(self, _("Créer mon compte"))

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean_birth_date(self):
        return validate_birth_date(self.cleaned_data["birth_date"])

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif password1:
            candidate = User(
                email=cleaned.get("email", ""), last_name=cleaned.get("last_name", ""),
                first_name=cleaned.get("first_name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def validate_birth_date(value):
    today = timezone.localdate()
    if value > today:
        raise forms.ValidationError(_("La date de naissance ne peut pas être dans le futur."))
    if value < date(1900, 1, 1):
        raise forms.ValidationError(_("Vérifiez l'année de naissance."))
    if (today.year - value.year - ((today.month, today.day) < (value.month, value.day))) < MINIMUM_AGE:
        raise forms.ValidationError(
            _("Vous devez avoir au moins %(age)d ans pour vous inscrire.") % {"age": MINIMUM_AGE}
        )
    return value


RECEIVE_THE_LINK = _("Recevoir le lien")


class EmailForm(DsfrBaseForm):
    email = EmailAddressField(label=_("Adresse électronique"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def __init__(self, *args, submit_label=RECEIVE_THE_LINK, **kwargs):
        super().__init__(*args, **kwargs)
        with_submit(self, submit_label)


class SituationForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = User
        fields = ["last_name", "usage_name", "first_name", "birth_date", "address_line", "address_complement",
                  "postal_code", "city", "country", "phone"]
        labels = {"last_name": _("Nom de naissance"), "first_name": _("Prénoms")}
        widgets = {
            "birth_date": DateInput(),
            "address_line": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_complement": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "country": forms.TextInput(attrs={"autocomplete": "country-name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["last_name", "first_name", "birth_date", "address_line", "postal_code", "city", "country"]:
            self.fields[name].required = True
        if self.instance.identity_is_certified:
            # FranceConnect's: shown read-only above the form (« certifiée par FranceConnect le … »).
            for name in self.CERTIFIED_FIELDS:
                del self.fields[name]
        self.fields["phone"].validators = [french_phone]
        with_submit(self, _("Enregistrer"))

    CERTIFIED_FIELDS = ("last_name", "first_name", "birth_date")

    def clean_birth_date(self):
        return validate_birth_date(self.cleaned_data["birth_date"])

    def clean(self):
        cleaned = super().clean()
        country = (cleaned.get("country") or "").strip().lower()
        postal_code = (cleaned.get("postal_code") or "").replace(" ", "")
        if country == "france" and postal_code and not (postal_code.isdigit() and len(postal_code) == 5):
            self.add_error("postal_code", _("Un code postal français compte 5 chiffres, par exemple 14000."))
        elif country == "france":
            cleaned["postal_code"] = postal_code
        return cleaned


class EmailChangeForm(DsfrBaseForm):
    new_email = EmailAddressField(label=_("Nouvelle adresse électronique"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label=_("Mot de passe actuel"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, user, *args, request, **kwargs):
        self.user, self.request = user, request
        super().__init__(*args, **kwargs)
        with_submit(self, _("Recevoir le lien de confirmation"))

    def clean_password(self):
        if not current_password_confirmed(self.request, self.user, self.cleaned_data["password"]):
            raise forms.ValidationError(_("Mot de passe incorrect."))
        return self.cleaned_data["password"]

    def clean_new_email(self):
        email = User.objects.normalize_email(self.cleaned_data["new_email"])
        if email.lower() == self.user.email.lower():
            raise forms.ValidationError(_("C'est déjà l'adresse de votre compte."))
        # Whether the address is another account's is never said here: its owner gets an email.
        return email


class PasswordResetForm(DsfrBaseForm, auth_forms.PasswordResetForm):
    # Declared here: DsfrBaseForm draws its fields while it is built, so a label set after that is not shown.
    email = EmailAddressField(label=_("Adresse électronique du compte"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with_submit(self, _("Recevoir le lien"))


class SetPasswordForm(DsfrBaseForm, auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with_submit(self, _("Enregistrer le mot de passe"))


class PasswordChangeForm(DsfrBaseForm, auth_forms.PasswordChangeForm):
    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        with_submit(self, _("Changer mon mot de passe"))

    def clean_old_password(self):
        """As at the login, not Django's bare check_password: the 5 tries count and lock there too."""
        old_password = self.cleaned_data["old_password"]
        if not current_password_confirmed(self.request, self.user, old_password):
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password
