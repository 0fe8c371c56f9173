"""What a registration still lacks: each required piece with what was given for it, what is
missing, and whether the registration can be validated (« J'ai fourni toutes mes pièces »)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.models import Piece, PieceFile, PieceKind, PieceStatus, ScanStatus
from documents.requirements import RequiredPiece, required_pieces, spared_pieces
from documents.signed_copies import signed_copy_blocker
from exams.models import Registration
from exams.rules import registration_errors

# What « Mes justificatifs » says of each state of a piece, and the tone of its badge
# (templates/portal/_status_badge.html).
STATE_BADGES = {
    "missing": (gettext_lazy("Manquante"), "warning"),
    PieceStatus.RECEIVED: (gettext_lazy("Reçue"), "info"),
    PieceStatus.ACCEPTED: (gettext_lazy("Acceptée"), "success"),
    PieceStatus.TO_REPLACE: (gettext_lazy("À remplacer"), "error"),
}


@dataclass(frozen=True)
class PieceState:
    """What "Mes justificatifs" shows for one required piece."""

    required: object  # RequiredPiece
    piece: Piece | None

    @property
    def files(self):
        return list(self.piece.files.all()) if self.piece else []

    @property
    def has_file(self):
        """An infected file counts for nothing."""
        return any(not f.is_infected for f in self.files)

    @property
    def status(self):
        """A piece with no file left is missing, unless staff asked to replace it: it stays
        « à remplacer », with their reason, whatever happens to its files."""
        if self.piece is None:
            return "missing"
        if self.piece.status == PieceStatus.TO_REPLACE:
            return PieceStatus.TO_REPLACE
        return self.piece.status if self.has_file else "missing"

    @property
    def status_label(self):
        return STATE_BADGES[self.status][0]

    @property
    def status_tone(self):
        return STATE_BADGES[self.status][1]

    @property
    def scanning(self):
        return any(f.scan_status == ScanStatus.PENDING for f in self.files)


KIND_FIELDS = ["id", "code", "name", "help_text", "position"]


def given_pieces(registration):
    """The registration's pieces with their kinds, and their files when there are pieces.

    The dashboard reads them on every request. Hand-written like
    `Registration.objects.for_dashboard`: built by the ORM with its kind joined, this query took
    three times as long to build and compile as to run. The files come in a second query, only
    for a registration that has pieces."""
    kind_columns = ", ".join(f"k.{name} AS kind_{name}" for name in KIND_FIELDS)
    pieces = list(Piece.objects.raw(
        f"SELECT p.*, {kind_columns} FROM {Piece._meta.db_table} p JOIN {PieceKind._meta.db_table} k"
        " ON k.id = p.piece_kind_id WHERE p.registration_id = %s ORDER BY p.id", [registration.pk]))
    for piece in pieces:
        piece.piece_kind = PieceKind.from_db(piece._state.db, KIND_FIELDS, [getattr(piece, f"kind_{name}") for name in KIND_FIELDS])
    if pieces:
        prefetch_related_objects(pieces, "files")
    return pieces


def piece_states(registration, requirements=None, required=None, given=None):
    """Each required piece with what was given for it, in a fixed number of queries.

    `requirements` (from `session_requirements`) lets a loop over many registrations read the
    session's matrix once instead of once per registration; `required` (from `required_pieces`)
    and `given` (from `given_pieces`) are what a caller already read (the dashboard).
    """
    pieces = {p.piece_kind_id: p for p in (given if given is not None else given_pieces(registration))}
    required = required if required is not None else required_pieces(registration, requirements)
    return [PieceState(required=r, piece=pieces.get(r.kind.pk)) for r in required]


def spared_states(registration):
    """The pieces the candidate is spared (documents.requirements.spared_pieces), each with what
    was given for it before: a file uploaded stays in the file, it is just no longer required."""
    spared = spared_pieces(registration)
    if not spared:
        return []
    pieces = {p.piece_kind_id: p for p in registration.pieces.filter(piece_kind__in=[s.kind for s in spared]).prefetch_related("files")}
    return [PieceState(required=s, piece=pieces.get(s.kind.pk)) for s in spared]


def dossier_state(registration):
    """The professional dossier, for the specialties that upload it here; else None."""
    if not (registration.specialty and registration.specialty.professional_dossier_in_portal):
        return None
    kind = PieceKind.objects.filter(code=PieceKind.PROFESSIONAL_DOSSIER).first()
    if kind is None:
        return None
    reason = _("car le dossier support des épreuves professionnelles du BTS %(specialty)s se dépose sur ce portail") % {
        "specialty": registration.specialty.name}
    return PieceState(required=RequiredPiece(kind=kind, reason=reason),
                      piece=registration.pieces.filter(piece_kind=kind).prefetch_related("files").first())


def missing_pieces(registration, states=None, requirements=None):
    states = states if states is not None else piece_states(registration, requirements)
    return [state.required for state in states if not state.has_file]


def registration_refresh_missing(registration):
    """Store how many required pieces lack a file, so staff can filter complete files fast."""
    missing = len(missing_pieces(registration)) if registration.pathway else None
    Registration.objects.filter(pk=registration.pk).update(pieces_missing=missing)
    return missing


class RegistrationIncomplete(PermissionDenied):
    """« J'ai fourni toutes mes pièces » pressed while something is still missing."""


def validation_blockers(registration, states=None):
    """Why the registration cannot be validated yet, each said in French; none when it can.

    The one answer to « can it be validated »: « Mes justificatifs » and the confirmation page
    show these reasons and offer the button only when there are none, and `registration_finalize`
    refuses on the same list (checked again on the locked row).
    """
    blockers = []
    if registration_errors(registration):
        blockers.append(_("votre inscription n'est pas complète : terminez d'abord toutes ses étapes"))
    states = states if states is not None else piece_states(registration)
    missing = missing_pieces(registration, states)
    if missing:
        blockers.append(_("il manque encore : %(pieces)s") % {"pieces": ", ".join(p.kind.name for p in missing)})
    signed_copy = signed_copy_blocker(registration, states)
    if signed_copy:
        blockers.append(signed_copy)
    if PieceFile.objects.filter(piece__registration=registration, scan_status=ScanStatus.PENDING).exists():
        blockers.append(_("l'analyse antivirus de vos derniers fichiers n'est pas terminée : actualisez la page dans une minute"))
    return blockers


def registration_check_complete(registration):
    blockers = validation_blockers(registration)
    if blockers:
        raise RegistrationIncomplete(_("Vous ne pouvez pas encore valider : %(reasons)s.") % {"reasons": " ; ".join(blockers)})
