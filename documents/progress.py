"""Where a candidate stands: the one status line and the one next step that the dashboard
(« Mon inscription ») and the home page show for a registration, at every status."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from documents import completeness
from documents.models import PieceStatus
from documents.requirements import required_pieces
from documents.signed_copies import outdated_copy, outdated_copy_at_deadline, outdated_message
from exams.convocations import CONVOCATION_NOTICE, first_slot
from exams.forms import STEPS
from exams.models import Convocation, Mark
from exams.rules import registration_errors


@dataclass(frozen=True)
class NextStep:
    text: str
    label: str = ""  # the link's words, when the step is done on another page
    url: str = ""


@dataclass(frozen=True)
class Standing:
    """`case` names the situation (tests and templates read it); `tone` is the DSFR alert's."""

    case: str
    line: str
    tone: str
    next_step: NextStep | None
    to_replace: list = field(default_factory=list)  # the pieces staff asked to replace, still open


@dataclass(frozen=True)
class Answers:
    """What a registration's answers alone decide: the rules' errors and the pieces required.
    The same for one version of the registration and one state of the catalogue, so the
    dashboard keeps it in the cache with its answers fragment (documents/views.py)."""

    errors: dict
    required: list  # RequiredPiece


def answers_of(registration):
    """`registration` with its answers loaded (and its candidate, for the postal address)."""
    return Answers(registration_errors(registration), required_pieces(registration))


def _when(moment):
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _pieces_to_replace(given, at):
    to_replace = [piece for piece in given if piece.status == PieceStatus.TO_REPLACE and piece.can_be_replaced(at)]
    return sorted(to_replace, key=lambda piece: (piece.replace_until is None, piece.replace_until or at, piece.pk))


def _first_unfinished_step(registration, errors):
    """The first step of the form with an unanswered question; else what is asked elsewhere
    (the postal address, in « Mon compte »), said by the rule's own message."""
    for name, form_class in STEPS:
        if any(field_name in errors for field_name in form_class._meta.fields):
            return NextStep(_("Étape suivante : %(title)s.") % {"title": form_class.title},
                            _("Continuer : %(title)s") % {"title": form_class.title},
                            reverse("exams:step", args=[registration.pk, name]))
    return NextStep(next(iter(errors.values()))[0], _("Mon compte"), reverse("candidates:account"))


def registration_standing(registration, *, at=None, answers=None):
    """The status line and the next step of `registration` at `at`.

    `answers` (from `answers_of`) is what its answers decide; without it, they are read from
    `registration`, which must then have them loaded. Its pieces are always read afresh: a piece
    received, reviewed or reopened changes neither the version nor the status.

    « Votre inscription est complète » is said only once the answers are finished and every
    required piece is given; a piece staff asked to replace comes before anything else but a
    cancellation, since it is the one thing the candidate must still do.
    """
    at = at or timezone.now()
    answers = answers or answers_of(registration)
    given = completeness.given_pieces(registration)  # read once, for the pieces to replace and those missing
    if registration.is_cancelled:
        return _cancelled(registration, answers, given)
    to_replace = _pieces_to_replace(given, at)
    if to_replace:
        return _to_replace(registration, to_replace)
    if registration.is_locked:
        return _validated(registration, at)
    return _draft(registration, at, answers, given)


def _missing_pieces(registration, answers, given):
    states = completeness.piece_states(registration, required=answers.required, given=given)
    return completeness.missing_pieces(registration, states)


def _outdated_copy(registration, answers, given, *, closed):
    """Why the signed confirmation given is not the one to sign (an older version), or None; once
    closed, as the deadline's job judges it."""
    states = completeness.piece_states(registration, required=answers.required, given=given)
    old = outdated_copy_at_deadline(registration, states) if closed else outdated_copy(registration, states)
    return None if old is None else outdated_message(old, registration.version)


def _cancelled(registration, answers, given):
    closes = _when(registration.session.registration_closes_at)
    if answers.errors:
        why = _("votre formulaire d'inscription n'était pas terminé")
    else:
        missing = _missing_pieces(registration, answers, given)
        outdated = not missing and _outdated_copy(registration, answers, given, closed=True)
        if outdated:
            line = _("Candidature annulée : à la date limite du %(closes)s, la confirmation signée n'était pas celle de la "
                     "dernière version de votre inscription.") % {"closes": closes}
            return Standing("cancelled", line, "error", NextStep(_("Vous pourrez vous inscrire à une prochaine session.")))
        if not missing:
            return Standing("cancelled", _("Candidature annulée à la date limite du %(closes)s.") % {"closes": closes}, "error",
                            NextStep(_("Vous pourrez vous inscrire à une prochaine session.")))
        why = _("il manquait : %(pieces)s") % {"pieces": ", ".join(p.kind.name for p in missing)}
    line = _("Candidature annulée : à la date limite du %(closes)s, %(why)s.") % {"closes": closes, "why": why}
    return Standing("cancelled", line, "error", NextStep(_("Vous pourrez vous inscrire à une prochaine session.")))


def _to_replace(registration, pieces):
    names = ", ".join(piece.piece_kind.name for piece in pieces)
    line = ngettext("Une pièce est à remplacer : %(names)s.", "%(count)d pièces sont à remplacer : %(names)s.",
                    len(pieces)) % {"count": len(pieces), "names": names}
    until = pieces[0].replace_until
    if until:
        text = _("Déposez un nouveau fichier avant le %(until)s.") % {"until": _when(until)}
    else:
        text = _("Déposez un nouveau fichier dès que possible.")
    return Standing("to_replace", line, "error",
                    NextStep(text, _("Mes justificatifs"), reverse("documents:pieces", args=[registration.pk])),
                    to_replace=pieces)


def _validated(registration, at):
    line = _("Votre inscription est validée définitivement.")
    if registration.session.results_are_published(at) and Mark.objects.filter(registration=registration).exists():
        return Standing("results", line, "success", NextStep(
            _("Vos résultats sont disponibles."), _("Mes résultats"), reverse("exams:results", args=[registration.pk])))
    if Convocation.objects.filter(registration=registration).exists():
        return Standing("convocation", line, "success", NextStep(
            _("Votre convocation est disponible : téléchargez-la et gardez-la pour le jour des épreuves."),
            _("Mes convocations"), reverse("exams:convocations")))
    first = first_slot(registration.session, registration.specialty_id) if registration.specialty_id else None
    if first is None:
        text = _("Étape suivante : votre convocation sera déposée dans « Mes convocations » au moins 15 jours avant "
                 "la première épreuve ; un courriel vous préviendra.")
    else:
        text = _("Étape suivante : votre convocation sera déposée dans « Mes convocations » au plus tard le %(by)s, "
                 "15 jours avant votre première épreuve (le %(first)s) ; un courriel vous préviendra.") % {
            "by": date_format(timezone.localtime(first.starts_at - CONVOCATION_NOTICE), "DATE_FORMAT"),
            "first": _when(first.starts_at)}
    return Standing("validated", line, "success", NextStep(text))


def _draft(registration, at, answers, given):
    open_ = registration.session.is_registration_open(at)
    closes = _when(registration.session.registration_closes_at)
    errors = answers.errors
    if errors:
        if not open_:
            return Standing("form_unfinished", _(
                "Les inscriptions sont closes depuis le %(closes)s et votre formulaire n'était pas terminé : "
                "votre candidature va être annulée.") % {"closes": closes}, "error", None)
        return Standing("form_unfinished", _("Votre inscription n'est pas terminée : des réponses manquent."), "warning",
                        _first_unfinished_step(registration, errors))
    missing = _missing_pieces(registration, answers, given)
    if missing:
        count = len(missing)
        names = ", ".join(p.kind.name for p in missing)
        if not open_:
            return Standing("pieces_missing", ngettext(
                "Les inscriptions sont closes depuis le %(closes)s et il manquait %(count)d pièce (%(names)s) : "
                "votre candidature va être annulée.",
                "Les inscriptions sont closes depuis le %(closes)s et il manquait %(count)d pièces (%(names)s) : "
                "votre candidature va être annulée.", count) % {"closes": closes, "count": count, "names": names},
                "error", None)
        line = ngettext("Votre formulaire est rempli. Il manque %(count)d pièce justificative : %(names)s.",
                        "Votre formulaire est rempli. Il manque %(count)d pièces justificatives : %(names)s.",
                        count) % {"count": count, "names": names}
        text = _("Étape suivante : téléversez-les avant le %(closes)s, sinon votre candidature sera annulée.") % {"closes": closes}
        return Standing("pieces_missing", line, "warning",
                        NextStep(text, _("Mes justificatifs"), reverse("documents:pieces", args=[registration.pk])))
    outdated = _outdated_copy(registration, answers, given, closed=not open_)
    if outdated:
        if not open_:
            return Standing("signed_copy_outdated", _(
                "Les inscriptions sont closes depuis le %(closes)s et la confirmation signée déposée n'est pas celle de la "
                "dernière version : votre candidature va être annulée.") % {"closes": closes}, "error", None)
        text = _("Étape suivante : téléchargez la confirmation à jour dans « Mes documents », signez-la et déposez-la avant "
                 "le %(closes)s, sinon votre candidature sera annulée.") % {"closes": closes}
        return Standing("signed_copy_outdated", outdated, "error",
                        NextStep(text, _("Mes documents"), reverse("documents:mine", args=[registration.pk])))
    if not open_:
        return Standing("all_given", _(
            "Les inscriptions sont closes depuis le %(closes)s : votre inscription, complète, va être validée "
            "définitivement.") % {"closes": closes}, "success", None)
    text = _("Étape suivante : vérifiez vos pièces puis validez avec « J'ai fourni toutes mes pièces » avant le %(closes)s. "
             "Sans cela, elle sera validée d'elle-même à la date limite.") % {"closes": closes}
    return Standing("all_given", _("Votre inscription est complète : toutes vos pièces sont déposées."), "success",
                    NextStep(text, _("J'ai fourni toutes mes pièces"), reverse("documents:finalize", args=[registration.pk])))
