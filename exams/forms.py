"""The registration form, in steps. Each step is a ModelForm on a few fields; the rules it
checks come from exams.rules."""

import json

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm, DsfrBoundField

from common.collation import FrenchOrder
from exams import rules
from exams.models import CATEGORY_HELP, Category, Pathway, Registration, Specialty, SpecialtyOption

YES_NO = [(True, _("Oui")), (False, _("Non"))]


def yes_no_field(label, help_text="", required=True):
    """A question answered « Oui » or « Non », neither ticked in advance; empty: None."""
    return forms.TypedChoiceField(
        label=label, help_text=help_text, choices=YES_NO, widget=forms.RadioSelect, required=required,
        coerce=lambda value: value in (True, "True"), empty_value=None,
        error_messages={"required": _("Répondez « Oui » ou « Non ».")},
    )


class StepBoundField(DsfrBoundField):
    """Draws « (Optionnel) » only beside a field that is optional for everyone: a field that
    only some answers ask for (`StepForm.required_when_asked`) is required whenever it is shown."""

    def render(self, *args, **kwargs):
        if self.name not in self.form.required_when_asked:
            return super().render(*args, **kwargs)
        self.field.required = True  # the form's own copy, for drawing only; its rules check the rest
        try:
            return super().render(*args, **kwargs)
        finally:
            self.field.required = False


class StepForm(DsfrBaseForm, forms.ModelForm):
    title = ""
    intro = ""
    # Pages list the step classes to show their titles: a template must read them, not build a form.
    do_not_call_in_templates = True
    bound_field_class = StepBoundField
    # The browser does not refuse an empty field on its own: some fields are hidden for some answers.
    use_required_attribute = False
    # {field: (other field, answers of the other field for which it is asked)}. Without JavaScript
    # every field shows, with its help text; with it (static/exams/js/step.js) a field shows only
    # when it is asked. Either way the answers of a field that is not asked are not kept (clean()).
    shown_when = {}
    # Fields asked only for some answers, besides those of `shown_when` (a specialty's option...).
    asked_for_some = ()
    # The first line of each select, instead of Django's « --------- ».
    placeholders = {}

    # Labels and help texts go in Meta: django-dsfr builds the bound fields in its __init__, so a
    # help text set afterwards is never drawn.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_class = "step-form"
        self.helper.add_input(Submit("save", _("Enregistrer et continuer")))
        self.required_when_asked = {*self.shown_when, *self.asked_for_some}
        for name, (other, values) in self.shown_when.items():
            self.fields[name].widget.attrs.update({"data-shown-when": other, "data-shown-for": " ".join(str(v) for v in values)})
        for name, placeholder in self.placeholders.items():
            field = self.fields[name]
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = placeholder
            else:
                field.choices = [("", placeholder), *[c for c in field.choices if c[0] not in ("", None)]]

    def clean(self):
        cleaned = super().clean()
        for name, (other, values) in self.shown_when.items():
            if name in cleaned and cleaned.get(other) not in values:
                cleaned[name] = Registration._meta.get_field(name).get_default()
        return cleaned

    def add_rule_errors(self, errors):
        """Each field shows one message: a field already refused (an empty answer) gets no second one."""
        for field, messages in errors.items():
            target = field if field in self.fields else None
            if target and target in self.errors:
                continue
            self.add_error(target, messages[0] if target else " ".join(messages))


class SituationStep(StepForm):
    title = _("Votre situation")
    intro = _("L'inscription comme candidat individuel concerne trois catégories de candidats.")

    class Meta:
        model = Registration
        fields = ["category", "employment_months", "distance_learning_organisation"]
        widgets = {"category": forms.RadioSelect}
        help_texts = {"category": CATEGORY_HELP,
                      "employment_months": _("Salarié(e) seulement : 12 mois au moins, en additionnant vos périodes d'emploi."),
                      "distance_learning_organisation": _("Seulement si vous suivez un enseignement à distance.")}

    shown_when = {"employment_months": ("category", [Category.EMPLOYEE]),
                  "distance_learning_organisation": ("category", [Category.DISTANCE_LEARNING])}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].required = True
        self.fields["category"].choices = self.fields["category"].choices[1:]  # no empty radio
        self.fields["category"].error_messages["required"] = _("Choisissez la catégorie qui est la vôtre.")

    def clean(self):
        cleaned = super().clean()
        self.add_rule_errors(rules.merge(
            rules.employee_errors(category=cleaned.get("category"), employment_months=cleaned.get("employment_months")),
            rules.distance_learning_errors(category=cleaned.get("category"),
                                           organisation=cleaned.get("distance_learning_organisation", ""))))
        return cleaned


class PreparationStep(StepForm):
    title = _("Votre préparation")
    intro = _(
        "Vous devez justifier soit d'une préparation au diplôme (voie scolaire, apprentissage ou formation "
        "professionnelle continue), soit d'un an d'activité professionnelle dans un domaine en rapport avec la spécialité."
    )

    # Asked only for their pathway: rules.preparation_errors requires them there.
    two_years_of_training = yes_no_field(
        _("Voie scolaire : avez-vous suivi, ou suivez-vous, les deux années de formation ?"),
        _("La formation par la voie scolaire dure deux années (notice, B)."), required=False)
    experience_field_related = yes_no_field(
        _("Ce domaine est-il en rapport avec la spécialité du BTS que vous présentez ?"), required=False)

    class Meta:
        model = Registration
        fields = ["pathway", "diploma", "two_years_of_training", "apprenticeship_contract_years", "training_hours",
                  "experience_months", "experience_job", "experience_level", "experience_field", "experience_field_related"]
        widgets = {"pathway": forms.RadioSelect, "diploma": forms.RadioSelect, "experience_level": forms.RadioSelect}
        labels = {"experience_months": _("Durée de votre activité professionnelle effective (mois)"),
                  "experience_job": _("Emploi occupé pendant cette activité"),
                  "experience_level": _("Niveau de cet emploi"),
                  "experience_field": _("Domaine de cette activité")}
        help_texts = {
            "pathway": _("Apprentissage : votre contrat d'apprentissage est en cours. Ex-apprenti(e) : il est terminé."),
            "diploma": _("Exigé pour la voie scolaire et l'apprentissage."),
            "apprenticeship_contract_years": _("Apprentissage seulement."),
            "training_hours": _("Apprentissage seulement : 1350 heures pour un contrat de 2 ans, 675 heures pour un contrat d'un an."),
            "experience_months": _("12 mois au moins, en additionnant vos périodes d'activité."),
            "experience_job": _("L'intitulé de votre poste, par exemple : technicien de maintenance."),
            "experience_level": _("Un niveau au moins égal à celui de technicien est exigé (notice, B)."),
            "experience_field": _("Par exemple : maintenance industrielle, comptabilité, travaux publics."),
        }

    shown_when = {
        "diploma": ("pathway", sorted(rules.PATHWAYS_NEEDING_LEVEL_4)),
        "two_years_of_training": ("pathway", [Pathway.SCOLAIRE, Pathway.EX_SCOLAIRE]),
        "apprenticeship_contract_years": ("pathway", sorted(rules.APPRENTICESHIP)),
        "training_hours": ("pathway", sorted(rules.APPRENTICESHIP)),
        **{name: ("pathway", [Pathway.EXPERIENCE]) for name in rules.EXPERIENCE_ANSWERS},
    }
    placeholders = {"apprenticeship_contract_years": _("Choisissez la durée du contrat")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathway"].required = True
        self.fields["pathway"].choices = self.fields["pathway"].choices[1:]
        self.fields["pathway"].error_messages["required"] = _("Choisissez votre voie de préparation.")
        self.fields["diploma"].choices = self.fields["diploma"].choices[1:]
        self.fields["experience_level"].choices = self.fields["experience_level"].choices[1:]

    def clean(self):
        cleaned = super().clean()  # answers that do not concern the chosen pathway are not kept
        if cleaned.get("pathway"):
            self.add_rule_errors(rules.preparation_errors(cleaned))
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
        fields = ["specialty", "option", "language", "distance_language_confirmed", "engagement_etudiant"]
        labels = {"distance_language_confirmed": _(
            "Je confirme que mon organisme d'enseignement à distance enseigne cette langue pour ce BTS")}
        help_texts = {"option": _("Seulement pour un BTS qui comporte des options."),
                      "language": _("Seules les langues que le règlement de votre BTS propose sont listées."),
                      "distance_language_confirmed": _(
                          "Vérifiez auprès de votre organisme (CNED ou autre) qu'il prépare, pour votre BTS, à l'épreuve "
                          "dans la langue choisie : la notice (section F) l'exige.")}

    asked_for_some = ("option", "distance_language_confirmed")
    placeholders = {"specialty": _("Choisissez votre spécialité"), "language": _("Choisissez une langue")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].queryset = Specialty.objects.filter(is_open=True)  # in French order (Meta)
        self.fields["specialty"].required = True
        self.fields["specialty"].error_messages["required"] = _("Choisissez votre spécialité.")
        self.fields["language"].required = True
        self.fields["language"].error_messages["required"] = _("Choisissez la langue vivante obligatoire.")
        # Grouped by specialty; static/exams/js/step.js keeps only the group of the chosen one, and
        # without JavaScript rules.option_errors refuses another specialty's option.
        options = SpecialtyOption.objects.select_related("specialty").order_by(FrenchOrder("specialty__name"), "code")
        grouped = {}
        for option in options:
            grouped.setdefault(option.specialty.name, []).append((option.pk, f"{option.code} — {option.name}"))
        self.fields["option"].choices = [("", _("Choisissez l'option de votre spécialité")), *grouped.items()]
        self.fields["option"].queryset = options
        self.fields["option"].widget.attrs["data-options-of"] = "specialty"
        # static/exams/js/step.js keeps only the chosen specialty's languages; rules.language_errors
        # refuses another one without JavaScript.
        self.fields["language"].widget.attrs.update({
            "data-languages-of": "specialty", "data-languages": json.dumps(Specialty.languages_by_specialty())})
        # Asked of distance-learning candidates only (the notice, F); the others keep no answer.
        self.asks_distance_language = self.instance.category == Category.DISTANCE_LEARNING
        if not self.asks_distance_language:
            del self.fields["distance_language_confirmed"]

    def clean(self):
        cleaned = super().clean()
        self.add_rule_errors(rules.merge(
            rules.option_errors(specialty=cleaned.get("specialty"), option=cleaned.get("option")),
            rules.language_errors(specialty=cleaned.get("specialty"), language=cleaned.get("language")),
            rules.distance_learning_language_errors(
                category=self.instance.category, language=cleaned.get("language"),
                confirmed=cleaned.get("distance_language_confirmed", False)),
        ))
        return cleaned


class BenefitsStep(StepForm):
    title = _("Dispenses et bénéfices de notes")
    intro = _("Chaque réponse « Oui » ajoute une pièce justificative à téléverser.")
    claims_dispenses = yes_no_field(_("Demandez-vous des dispenses d'épreuves ?"),
                                    _("Au titre d'un diplôme ou d'une attestation rectorale de dispense."))
    keeps_grade_benefits = yes_no_field(_("Vous êtes-vous déjà présenté(e) à l'examen et conservez-vous des bénéfices de notes ?"))
    # Asked only of those who keep benefits: rules.benefits_errors requires it of them.
    renounces_benefits = yes_no_field(_("Renoncez-vous à un ou plusieurs bénéfices de notes ?"), required=False)
    has_positioning_decision = yes_no_field(_("Avez-vous fait l'objet d'une décision de positionnement ?"))
    has_internship_derogation = yes_no_field(_("Bénéficiez-vous d'une dérogation à la durée des stages ?"))

    class Meta:
        model = Registration
        fields = ["claims_dispenses", "keeps_grade_benefits", "renounces_benefits", "has_positioning_decision",
                  "has_internship_derogation"]

    shown_when = {"renounces_benefits": ("keeps_grade_benefits", [True])}

    def clean(self):
        # What was sent, before StepForm.clean drops an answer to a question that was not asked: a
        # « Oui » to renouncing sent with « Non » to keeping (a page without JavaScript shows both)
        # is a contradiction to refuse, not an answer to drop silently.
        sent = dict(self.cleaned_data)
        cleaned = super().clean()
        self.add_rule_errors(rules.benefits_errors(**{name: sent.get(name) for name in rules.BENEFIT_ANSWERS}))
        return cleaned


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
        help_texts = {"accommodation": _("Seulement si vous avez répondu « Oui ».")}

    shown_when = {"accommodation": ("handicap", [True])}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accommodation"].choices = self.fields["accommodation"].choices[1:]

    def clean(self):
        cleaned = super().clean()
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


class UnfinishedAnswer:
    """One thing still to answer or to correct, with the question and the page that asks it."""

    def __init__(self, url, place, question, message):
        self.url, self.place, self.question, self.message = url, place, question, message


def _questions():
    questions = {}
    for name, form_class in STEPS:
        for field, form_field in form_class.base_fields.items():
            questions[field] = (name, form_class.title, form_field.label)
    return questions


def unfinished_answers(errors, registration):
    """The errors of rules.registration_errors, each with its question and a link to the step that
    asks it, in the steps' order (the postal address last, in « Mon compte »): what the dashboard
    lists while the registration is incomplete."""
    questions = _questions()
    order = list(questions)
    answers = []
    for field in sorted(errors, key=lambda f: order.index(f) if f in order else len(order)):
        if field in questions:
            step, title, question = questions[field]
            url = reverse("exams:step", args=[registration.pk, step])
        else:  # rules.postal_address_errors
            url, title, question = reverse("candidates:account"), _("Mon compte"), _("Adresse postale")
        answers.append(UnfinishedAnswer(url, title, question, errors[field][0]))
    return answers
