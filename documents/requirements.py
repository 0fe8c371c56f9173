"""Which pieces a registration needs, and why: the one place that reads the matrix."""

from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from candidates import franceconnect
from common.caching import forget
from documents.models import Condition, PieceKind, Requirement
from exams.models import Pathway


@dataclass(frozen=True)
class RequiredPiece:
    kind: PieceKind
    reason: str


CONDITION_REASONS = {
    Condition.ENGAGEMENT_ETUDIANT: "car vous avez choisi l'épreuve facultative « engagement étudiant »",
    Condition.CLAIMS_DISPENSES: "car vous demandez des dispenses d'épreuves",
    Condition.KEEPS_GRADE_BENEFITS: "car vous vous êtes déjà présenté(e) à l'examen et conservez des bénéfices de notes",
    Condition.RENOUNCES_BENEFITS: "car vous renoncez à des bénéfices de notes",
    Condition.POSITIONING_DECISION: "car vous avez fait l'objet d'une décision de positionnement",
    Condition.INTERNSHIP_DEROGATION: "car vous bénéficiez d'une dérogation à la durée des stages",
    Condition.IDENTITY_NOT_CERTIFIED: "pièce demandée à tous les candidats dont l'identité n'est pas certifiée par FranceConnect",
}

# Why a piece the matrix lists is not asked of this candidate, said where the piece would be.
CONDITION_SPARED_REASONS = {
    Condition.IDENTITY_NOT_CERTIFIED: "Votre identité a été certifiée par FranceConnect : cette pièce ne vous est pas demandée.",
}


# The matrix changes a few times a year and is read on every page that lists pieces: it is kept
# in Django's cache (Redis in production), cleared by documents/signals.py on any change through
# the ORM, and read again at the latest after this many seconds (a data migration sends no signal).
MATRIX_CACHE_SECONDS = 10 * 60


def matrix_cache_key(session_id):
    return f"documents:requirements:{session_id}"


def session_requirements(session):
    """The session's matrix with what it needs to decide: from the cache, or read in three queries."""
    return cache.get_or_set(matrix_cache_key(session.pk), lambda: _read_session_requirements(session), MATRIX_CACHE_SECONDS)


def forget_session_requirements(session_ids):
    forget(matrix_cache_key(session_id) for session_id in session_ids)


def _read_session_requirements(session):
    """The rows, then the ids of their specialties and options straight from the link tables."""
    requirements = list(Requirement.objects.filter(session=session).select_related("piece_kind")
                        .order_by("piece_kind__position", "piece_kind__name"))
    specialties, options = defaultdict(set), defaultdict(set)
    links = Requirement.specialties.through.objects.filter(requirement__session=session)
    for requirement_id, specialty_id in links.values_list("requirement_id", "specialty_id"):
        specialties[requirement_id].add(specialty_id)
    links = Requirement.options.through.objects.filter(requirement__session=session)
    for requirement_id, option_id in links.values_list("requirement_id", "specialtyoption_id"):
        options[requirement_id].add(option_id)
    for requirement in requirements:
        requirement.specialty_ids, requirement.option_ids = specialties[requirement.pk], options[requirement.pk]
    return requirements


def required_pieces(registration, requirements=None):
    """Each piece the registration needs, once, with the plain-French reason it is needed."""
    if not registration.pathway:
        return []
    family = Pathway(registration.pathway).family
    pieces, seen = [], set()
    for requirement in requirements if requirements is not None else session_requirements(registration.session):
        reason = _reason(requirement, registration, family)
        if reason and requirement.piece_kind_id not in seen:
            seen.add(requirement.piece_kind_id)
            pieces.append(RequiredPiece(kind=requirement.piece_kind, reason=reason))
    return pieces


def spared_pieces(registration, requirements=None):
    """The pieces the matrix would ask of this registration but its candidate is spared, each
    with why (« Votre identité a été certifiée par FranceConnect »): the identity piece, once
    FranceConnect certified the identity. Shown where the piece would be, so nobody looks for it."""
    if not registration.pathway:
        return []
    family = Pathway(registration.pathway).family
    required = {piece.kind.pk for piece in required_pieces(registration, requirements)}
    pieces, seen = [], set()
    for requirement in requirements if requirements is not None else session_requirements(registration.session):
        reason = CONDITION_SPARED_REASONS.get(requirement.condition)
        kind_id = requirement.piece_kind_id
        if (reason and kind_id not in required and kind_id not in seen and _matches(requirement, registration, family)
                and not getattr(registration, requirement.condition)):
            seen.add(kind_id)
            pieces.append(RequiredPiece(kind=requirement.piece_kind, reason=_(reason)))
    return pieces


def _matches(requirement, registration, family):
    """The row is for this registration's pathway, specialty and option (its condition aside)."""
    if not requirement.applies_to_family(family):
        return False
    specialty_ids, option_ids = requirement.specialty_ids, requirement.option_ids
    if specialty_ids and registration.specialty_id not in specialty_ids:
        return False
    return not (option_ids and registration.option_id not in option_ids)


def _reason(requirement, registration, family):
    """Why the requirement applies to this registration, or None when it does not."""
    if not _matches(requirement, registration, family):
        return None
    specialty_ids, option_ids = requirement.specialty_ids, requirement.option_ids
    if requirement.condition != Condition.ALWAYS:
        if not getattr(registration, requirement.condition):
            return None
        if requirement.condition == Condition.IDENTITY_NOT_CERTIFIED and not (
                franceconnect.is_configured() and registration.session.certified_identity_spares_identity_piece):
            return _("pièce demandée à tous les candidats")  # nobody is spared it: FranceConnect is not a way out
        return _(CONDITION_REASONS[requirement.condition])
    if specialty_ids:
        if option_ids:
            return _("car vous préparez le BTS %(specialty)s, option %(option)s") % {
                "specialty": registration.specialty.name, "option": registration.option.code}
        return _("car vous préparez le BTS %(specialty)s") % {"specialty": registration.specialty.name}
    if not all(requirement.applies_to_family(f) for f in ("scolaire", "apprentissage", "continue", "experience")):
        return _("car vous êtes candidat(e) par la voie : %(pathway)s") % {"pathway": Pathway(registration.pathway).label.lower()}
    return _("pièce demandée à tous les candidats")


@transaction.atomic
def requirements_copy(*, from_session, to_session):
    """Give a new session the matrix of an earlier one; rows it already has are kept."""
    copied = 0
    for requirement in Requirement.objects.filter(session=from_session).prefetch_related("specialties", "options"):
        new, created = Requirement.objects.get_or_create(
            session=to_session, piece_kind=requirement.piece_kind, condition=requirement.condition,
            defaults={f"for_{f}": getattr(requirement, f"for_{f}") for f in ("scolaire", "apprentissage", "continue", "experience")},
        )
        if created:
            new.specialties.set(requirement.specialties.all())
            new.options.set(requirement.options.all())
            copied += 1
    return copied
