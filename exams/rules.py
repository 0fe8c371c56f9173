"""Eligibility rules of the notice (section B), one function each, in plain French.

Each returns {field: [message, …]}; empty means the rule holds. Forms and the completeness
check call them; no template or view repeats them.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from common.collation import french_sort_key
from exams.models import Category, Departement, Diploma, JobLevel, Language, Pathway, departement_of

APPRENTICESHIP_MINIMUM_HOURS = {2: 1350, 1: 675}
MINIMUM_EXPERIENCE_MONTHS = 12
PATHWAYS_NEEDING_LEVEL_4 = {Pathway.SCOLAIRE, Pathway.EX_SCOLAIRE, Pathway.APPRENTISSAGE, Pathway.EX_APPRENTISSAGE}
APPRENTICESHIP = {Pathway.APPRENTISSAGE, Pathway.EX_APPRENTISSAGE}


def level_4_diploma_errors(*, pathway, diploma):
    """Voie scolaire and apprentissage need a bac, the DAEU or another level-4 title."""
    if pathway not in PATHWAYS_NEEDING_LEVEL_4:
        return {}
    if not diploma:
        return {"diploma": [_("Indiquez le diplôme que vous détenez.")]}
    if diploma == Diploma.NONE:
        return {"diploma": [_(
            "La voie scolaire et l'apprentissage demandent un baccalauréat (professionnel, technologique "
            "ou général), le DAEU, ou un titre ou diplôme de niveau 4 au moins."
        )]}
    return {}


def apprenticeship_hours_errors(*, pathway, contract_years, training_hours):
    """1350 hours of CFA training for a 2-year contract, 675 for a 1-year one."""
    if pathway not in APPRENTICESHIP:
        return {}
    errors = {}
    if contract_years not in APPRENTICESHIP_MINIMUM_HOURS:
        errors["apprenticeship_contract_years"] = [_("Indiquez la durée de votre contrat d'apprentissage.")]
    if training_hours is None:
        errors["training_hours"] = [_("Indiquez le nombre d'heures de formation suivies en CFA.")]
    if errors:
        return errors
    minimum = APPRENTICESHIP_MINIMUM_HOURS[contract_years]
    if training_hours < minimum:
        contract = _("un contrat d'un an") if contract_years == 1 else _("un contrat de deux ans")
        return {"training_hours": [_("%(minimum)d heures minimum pour %(contract)s ; vous avez indiqué %(hours)d.") % {
            "minimum": minimum, "contract": contract, "hours": training_hours}]}
    return {}


def scolaire_training_errors(*, pathway, two_years_of_training):
    """The notice, B: « La voie scolaire : la formation dure deux années. » The candidate declares them."""
    if pathway not in (Pathway.SCOLAIRE, Pathway.EX_SCOLAIRE):
        return {}
    if two_years_of_training is None:
        return {"two_years_of_training": [_("Répondez « Oui » ou « Non ».")]}
    if not two_years_of_training:
        return {"two_years_of_training": [_(
            "La voie scolaire demande deux années de formation (notice, B) : sans elles, elle n'ouvre pas droit à "
            "l'examen. Si vous avez un an d'activité professionnelle ou suivez une formation continue, choisissez "
            "cette voie.")]}
    return {}


LEVELS_BELOW_TECHNICIAN = {JobLevel.WORKER}


def professional_experience_errors(*, pathway, experience_months, experience_job="", experience_level="",
                                   experience_field="", experience_field_related=None):
    """The notice, B: « 1 an d'activité professionnelle effective dans un emploi de niveau au moins égal
    à celui de technicien et dans un domaine en rapport avec la spécialité du B.T.S. »: 12 months or
    more, the job and its level (technician or above), the field and whether it relates to the specialty."""
    if pathway != Pathway.EXPERIENCE:
        return {}
    errors = {}
    if experience_months is None:
        errors["experience_months"] = [_("Indiquez la durée de votre activité professionnelle, en mois.")]
    elif experience_months < MINIMUM_EXPERIENCE_MONTHS:
        errors["experience_months"] = [_(
            "La voie « un an d'activité professionnelle » demande au moins %(minimum)d mois d'activité effective "
            "(notice, B) ; vous avez indiqué %(months)d mois.") % {"minimum": MINIMUM_EXPERIENCE_MONTHS, "months": experience_months}]
    if not (experience_job or "").strip():
        errors["experience_job"] = [_("Indiquez l'emploi que vous avez occupé (par exemple : technicien de maintenance).")]
    if not experience_level:
        errors["experience_level"] = [_("Indiquez le niveau de cet emploi.")]
    elif experience_level in LEVELS_BELOW_TECHNICIAN:
        errors["experience_level"] = [_(
            "La voie « un an d'activité professionnelle » demande un emploi de niveau au moins égal à celui de "
            "technicien (notice, B) : un emploi d'ouvrier ou d'employé n'y ouvre pas droit.")]
    if not (experience_field or "").strip():
        errors["experience_field"] = [_("Indiquez le domaine de votre activité (par exemple : maintenance industrielle).")]
    if experience_field_related is None:
        errors["experience_field_related"] = [_("Répondez « Oui » ou « Non ».")]
    elif not experience_field_related:
        errors["experience_field_related"] = [_(
            "La voie « un an d'activité professionnelle » demande une activité dans un domaine en rapport avec la "
            "spécialité du BTS présenté (notice, B) : une activité sans rapport n'y ouvre pas droit.")]
    return errors


def employee_errors(*, category, employment_months):
    """The notice, B: « Salariés justifiant d'une expérience professionnelle d'au moins une année »:
    12 months or more declared."""
    if category != Category.EMPLOYEE:
        return {}
    if employment_months is None:
        return {"employment_months": [_("Indiquez la durée de votre expérience professionnelle salariée, en mois.")]}
    if employment_months < MINIMUM_EXPERIENCE_MONTHS:
        return {"employment_months": [_(
            "La catégorie « salarié(e) » demande au moins une année d'expérience professionnelle (%(minimum)d mois, "
            "notice B) ; vous avez indiqué %(months)d mois. Si une autre catégorie est la vôtre, choisissez-la.") % {
            "minimum": MINIMUM_EXPERIENCE_MONTHS, "months": employment_months}]}
    return {}


def distance_learning_errors(*, category, organisation):
    """Only a distance-learning candidate names an organisation, and must."""
    if category == Category.DISTANCE_LEARNING and not organisation.strip():
        return {"distance_learning_organisation": [_("Indiquez l'organisme d'enseignement à distance (CNED…).")]}
    return {}


# The notice, F, quoted by the message of a distance-learning candidate's language.
NOTICE_F_DISTANCE_LANGUAGE = (
    "« Pour les candidats de l'enseignement à distance, l'option choisie à l'inscription de l'épreuve de langue "
    "obligatoire doit être enseignée conformément à la règlementation du BTS » (notice, F).")


def language_errors(*, specialty, language):
    """The mandatory language is one the specialty allows (the table staff edit in admin)."""
    if specialty is None or not language:
        return {}
    allowed = specialty.allowed_languages()
    if not allowed:
        return {"language": [_(
            "Aucune langue n'est encore ouverte pour le BTS %(specialty)s : contactez la division des examens et "
            "concours du rectorat (%(email)s).") % {"specialty": specialty.name, "email": settings.DEC_EMAIL}]}
    if language not in allowed:
        return {"language": [_(
            "Le BTS %(specialty)s ne propose pas l'épreuve de langue en %(language)s. Langues proposées : %(allowed)s.") % {
            "specialty": specialty.name, "language": Language(language).label.lower(),
            "allowed": ", ".join(str(Language(code).label).lower() for code in allowed)}]}
    return {}


def distance_learning_language_errors(*, category, language, confirmed):
    """The notice, F: a distance-learning candidate's language must be one their organisation
    teaches for that BTS; the candidate confirms it."""
    if category != Category.DISTANCE_LEARNING or not language or confirmed:
        return {}
    return {"distance_language_confirmed": [_(
        "Confirmez que votre organisme d'enseignement à distance enseigne cette langue pour ce BTS. ")
        + NOTICE_F_DISTANCE_LANGUAGE]}


def option_errors(*, specialty, option):
    """A specialty with options needs one of its own; one without takes none."""
    if specialty is None:
        return {}
    has_options = specialty.has_options()
    if has_options and option is None:
        return {"option": [_("Le BTS %(specialty)s comporte des options : choisissez la vôtre.") % {"specialty": specialty.name}]}
    if option is not None and option.specialty_id != specialty.pk:
        return {"option": [_("Cette option n'appartient pas à la spécialité choisie.")]}
    return {}


BENEFIT_ANSWERS = ["claims_dispenses", "keeps_grade_benefits", "renounces_benefits", "has_positioning_decision",
                   "has_internship_derogation"]


def benefits_errors(*, claims_dispenses, keeps_grade_benefits, renounces_benefits, has_positioning_decision,
                    has_internship_derogation):
    """Step 4. Each question is answered « Oui » or « Non » (none is answered in advance); whether
    one renounces benefits is asked only of those who keep some. One can only renounce grade
    benefits one keeps: renouncing while keeping none is a contradiction (and would ask for a
    « demande manuscrite de renoncement » about nothing)."""
    always_asked = {"claims_dispenses": claims_dispenses, "keeps_grade_benefits": keeps_grade_benefits,
                    "has_positioning_decision": has_positioning_decision, "has_internship_derogation": has_internship_derogation}
    errors = {name: [_("Répondez « Oui » ou « Non ».")] for name, answer in always_asked.items() if answer is None}
    if keeps_grade_benefits and renounces_benefits is None:
        errors["renounces_benefits"] = [_("Répondez « Oui » ou « Non ».")]
    if renounces_benefits and not keeps_grade_benefits:
        errors["renounces_benefits"] = [_(
            "Vous ne pouvez renoncer qu'à des bénéfices de notes que vous conservez : répondez « Non » ici, "
            "ou « Oui » à la question sur les bénéfices de notes conservés."
        )]
    return errors


def accommodation_errors(*, handicap, accommodation):
    if handicap is None:
        return {"handicap": [_("Indiquez si vous demandez un aménagement des épreuves au titre d'un handicap : répondez « Oui » ou « Non ».")]}
    if handicap and not accommodation:
        return {"accommodation": [_("Précisez s'il s'agit d'une reconduction ou d'une nouvelle demande.")]}
    return {}


# The overseas départements and collectivités, which a candidate may write as their country.
OVERSEAS = ("guadeloupe", "martinique", "guyane", "reunion", "mayotte", "saint-pierre-et-miquelon",
            "saint pierre et miquelon", "saint-barthelemy", "saint barthelemy", "saint-martin", "saint martin",
            "wallis", "futuna", "polynesie", "nouvelle-caledonie", "nouvelle caledonie", "terres australes")


def lives_in_france(country):
    """« France », « FR », « France métropolitaine », « République française », an overseas
    département or collectivité (« Guadeloupe », « La Réunion »…) or nothing said."""
    country = french_sort_key((country or "").strip())[0]  # without accents, case-folded
    return (country in ("", "fr", "fra") or "france" in country or "republique francaise" in country
            or any(place in country for place in OVERSEAS))


_DEPARTEMENTS = {}


def departements_by_code():
    """The map of départements, read once per process (it changes only with a migration): the
    deadline job checks every draft's residence without a query each."""
    if not _DEPARTEMENTS:
        _DEPARTEMENTS.update({departement.code: departement for departement in Departement.objects.all()})
    return _DEPARTEMENTS


def residence_errors(candidate, session):
    """The notice is for those who live in the session's académie (« vous résidez en Normandie »):
    the postal address's département must be one of the session's. Outside, the message says
    which académie to register with; abroad or where the map cannot tell, whom to ask."""
    if candidate.postal_address_missing() or not session.departement_codes():
        return {}
    ask = _("Contactez la division des examens et concours du rectorat (%(email)s) avant de vous inscrire.") % {
        "email": settings.DEC_EMAIL}
    if not lives_in_france(candidate.country):
        return {"postal_address": [_("Vous résidez hors de France : l'inscription ici est réservée aux candidats qui "
                                     "résident dans l'académie de %(academy)s. ") % {"academy": session.academy} + ask]}
    code = departement_of(candidate.postal_code)
    departement = departements_by_code().get(code)
    if departement is None:
        return {"postal_address": [_("Nous ne pouvons pas déterminer l'académie de votre adresse (code postal "
                                     "%(postal_code)s). ") % {"postal_code": candidate.postal_code} + ask]}
    if departement.code not in session.departement_codes():
        return {"postal_address": [_(
            "Vous résidez dans le département %(departement)s, qui relève de l'académie de %(academy)s : c'est "
            "auprès d'elle qu'il faut vous inscrire. Cette inscription est réservée aux candidats qui résident dans "
            "l'académie de %(session_academy)s.") % {"departement": str(departement), "academy": departement.academy,
                                                     "session_academy": session.academy}]}
    return {}


def postal_address_errors(candidate):
    """The confirmation shows the candidate's postal address: no registration is complete without it."""
    missing = candidate.postal_address_missing()
    if missing:
        return {"postal_address": [_(
            "Indiquez votre adresse postale dans « Mon compte » : elle figure sur la confirmation d'inscription, "
            "qui n'est produite qu'ensuite. Il reste à renseigner : %(missing)s.") % {"missing": ", ".join(missing)}]}
    return {}


def merge(*error_dicts):
    merged = {}
    for errors in error_dicts:
        for field, messages in errors.items():
            merged.setdefault(field, []).extend(messages)
    return merged


EXPERIENCE_ANSWERS = ["experience_months", "experience_job", "experience_level", "experience_field", "experience_field_related"]


def preparation_errors(answers):
    """Step 2's rules, on its answers ({field: value}: the step's cleaned data, or a registration's)."""
    pathway = answers.get("pathway")
    return merge(
        level_4_diploma_errors(pathway=pathway, diploma=answers.get("diploma")),
        apprenticeship_hours_errors(pathway=pathway, contract_years=answers.get("apprenticeship_contract_years"),
                                    training_hours=answers.get("training_hours")),
        scolaire_training_errors(pathway=pathway, two_years_of_training=answers.get("two_years_of_training")),
        professional_experience_errors(pathway=pathway, **{name: answers.get(name) for name in EXPERIENCE_ANSWERS}),
    )


PREPARATION_ANSWERS = ["pathway", "diploma", "apprenticeship_contract_years", "training_hours", "two_years_of_training",
                       *EXPERIENCE_ANSWERS]


def registration_errors(registration):
    """Every rule at once, plus what is still unanswered: empty when the registration is complete."""
    r = registration
    missing = {}
    for field, message in [
        ("category", _("Indiquez votre catégorie de candidat.")),
        ("pathway", _("Indiquez votre voie de préparation.")),
        ("specialty", _("Choisissez une spécialité.")),
        ("language", _("Choisissez la langue vivante obligatoire.")),
    ]:
        if not getattr(r, field):
            missing[field] = [message]
    return merge(
        missing,
        employee_errors(category=r.category, employment_months=r.employment_months),
        distance_learning_errors(category=r.category, organisation=r.distance_learning_organisation),
        preparation_errors({name: getattr(r, name) for name in PREPARATION_ANSWERS}),
        option_errors(specialty=r.specialty, option=r.option),
        language_errors(specialty=r.specialty, language=r.language),
        distance_learning_language_errors(category=r.category, language=r.language, confirmed=r.distance_language_confirmed),
        benefits_errors(**{name: getattr(r, name) for name in BENEFIT_ANSWERS}),
        accommodation_errors(handicap=r.handicap, accommodation=r.accommodation),
        postal_address_errors(r.candidate),
        {} if r.residence_is_attested() else residence_errors(r.candidate, r.session),
    )
