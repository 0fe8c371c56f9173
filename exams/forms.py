"""The registration form, in steps. Each step is a ModelForm on a few fields; the rules it
checks come from exams.rules."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from exams import rules
from exams.models import Pathway, Registration, Specialty, SpecialtyOption

YES_NO = [(True, _("Oui")), (False, _("Non"))]


def yes_no_field(label, help_text=""):
    return forms.TypedChoiceField(
        label=label, help_text=help_text, choices=YES_NO, widget=forms.RadioSelect,
        coerce=lambda value: value in (True, "True"),
    )


class StepForm(DsfrBaseForm, forms.ModelForm):
    title = ""
    intro = ""
    # Pages list the step classes to show their titles: a template must read them, not build a form.
    do_not_call_in_templates = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Enregistrer et continuer")))

    def add_rule_errors(self, errors):
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class SituationStep(StepForm):
    title = _("Votre situation")
    intro = _("L'inscription comme candidat individuel concerne trois catégories de candidats.")

    class Meta:
        model = Registration
        fields = ["category", "distance_learning_organisation"]
        widgets = {"category": forms.RadioSelect}
        help_texts = {"distance_learning_organisation": _("Seulement si vous suivez un enseignement à distance.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].required = True
        self.fields["category"].choices = self.fields["category"].choices[1:]  # no empty radio

    def clean(self):
        cleaned = super().clean()
        self.add_rule_errors(rules.distance_learning_errors(
            category=cleaned.get("category"), organisation=cleaned.get("distance_learning_organisation", "")))
        return cleaned


class PreparationStep(StepForm):
    title = _("Votre préparation")
    intro = _(
        "Vous devez justifier soit d'une préparation au diplôme (voie scolaire, apprentissage ou formation "
        "professionnelle continue), soit d'un an d'activité professionnelle dans un domaine en rapport avec la spécialité."
    )

    class Meta:
        model = Registration
        fields = ["pathway", "diploma", "apprenticeship_contract_years", "training_hours", "experience_months"]
        widgets = {"pathway": forms.RadioSelect, "diploma": forms.RadioSelect}
        help_texts = {
            "diploma": _("Exigé pour la voie scolaire et l'apprentissage."),
            "apprenticeship_contract_years": _("Apprentissage seulement."),
            "training_hours": _("Apprentissage seulement : 1350 heures pour un contrat de 2 ans, 675 heures pour un contrat d'un an."),
            "experience_months": _("Activité professionnelle seulement : 12 mois au moins, à un niveau au moins égal à celui de technicien."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathway"].required = True
        self.fields["pathway"].choices = self.fields["pathway"].choices[1:]
        self.fields["diploma"].choices = self.fields["diploma"].choices[1:]

    def clean(self):
        cleaned = super().clean()
        pathway = cleaned.get("pathway")
        # Answers that do not concern the chosen pathway are not kept.
        if pathway not in rules.APPRENTICESHIP:
            cleaned["apprenticeship_contract_years"] = cleaned["training_hours"] = None
        if pathway != Pathway.EXPERIENCE:
            cleaned["experience_months"] = None
        if pathway:
            self.add_rule_errors(rules.preparation_errors(
                pathway=pathway, diploma=cleaned.get("diploma"),
                contract_years=cleaned.get("apprenticeship_contract_years"),
                training_hours=cleaned.get("training_hours"), experience_months=cleaned.get("experience_months"),
            ))
        return cleaned


class SpecialtyStep(StepForm):
    title = _("Spécialité et épreuves")
    intro = _("Selon la langue choisie, vous pourrez être convoqué(e) dans une autre académie.")
    engagement_etudiant = yes_no_field(
        _("Souhaitez-vous passer l'épreuve facultative « engagement étudiant » ?"),
        _("Un formulaire sera alors produit dans « Mes documents », à compléter et téléverser."),
    )

    class Meta:
        model = Registration
        fields = ["specialty", "option", "language", "engagement_etudiant"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].queryset = Specialty.objects.filter(is_open=True)
        self.fields["specialty"].required = True
        self.fields["language"].required = True
        self.fields["option"].help_text = _("Seulement si votre spécialité comporte des options.")
        options = SpecialtyOption.objects.select_related("specialty").order_by("specialty__name", "code")
        grouped = {}
        for option in options:
            grouped.setdefault(option.specialty.name, []).append((option.pk, f"{option.code} — {option.name}"))
        self.fields["option"].choices = [("", "—"), *grouped.items()]
        self.fields["option"].queryset = options

    def clean(self):
        cleaned = super().clean()
        self.add_rule_errors(rules.option_errors(specialty=cleaned.get("specialty"), option=cleaned.get("option")))
        return cleaned


class BenefitsStep(StepForm):
    title = _("Dispenses et bénéfices de notes")
    intro = _("Chaque réponse « Oui » ajoute une pièce justificative à téléverser.")
    claims_dispenses = yes_no_field(_("Demandez-vous des dispenses d'épreuves ?"),
                                    _("Au titre d'un diplôme ou d'une attestation rectorale de dispense."))
    keeps_grade_benefits = yes_no_field(_("Vous êtes-vous déjà présenté(e) à l'examen et conservez-vous des bénéfices de notes ?"))
    renounces_benefits = yes_no_field(_("Renoncez-vous à un ou plusieurs bénéfices de notes ?"))
    has_positioning_decision = yes_no_field(_("Avez-vous fait l'objet d'une décision de positionnement ?"))
    has_internship_derogation = yes_no_field(_("Bénéficiez-vous d'une dérogation à la durée des stages ?"))

    class Meta:
        model = Registration
        fields = ["claims_dispenses", "keeps_grade_benefits", "renounces_benefits", "has_positioning_decision",
                  "has_internship_derogation"]


class AccommodationStep(StepForm):
    title = _("Aménagement d'épreuves")
    intro = _(
        "Si vous présentez un handicap ou une maladie invalidante, vous pouvez demander un aménagement des épreuves. "
        "Aucun document médical n'est déposé sur ce portail."
    )
    handicap = yes_no_field(_("Handicap : demandez-vous un aménagement des épreuves ?"))

    class Meta:
        model = Registration
        fields = ["handicap", "accommodation"]
        widgets = {"accommodation": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accommodation"].choices = self.fields["accommodation"].choices[1:]
        self.fields["accommodation"].help_text = _("Seulement si vous avez répondu « Oui ».")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("handicap") is False:
            cleaned["accommodation"] = ""
        self.add_rule_errors(rules.accommodation_errors(handicap=cleaned.get("handicap"), accommodation=cleaned.get("accommodation")))
        return cleaned


STEPS = [
    ("situation", SituationStep),
    ("preparation", PreparationStep),
    ("specialite", SpecialtyStep),
    ("dispenses", BenefitsStep),
    ("amenagement", AccommodationStep),
]
STEP_NAMES = [name for name, _form in STEPS]
