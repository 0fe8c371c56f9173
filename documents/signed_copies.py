"""The signed confirmation judged by its QR code (documents/qr_reading.py): at the upload, by the
lock and the deadline's job, and for staff.

A copy is one of: the current version of this registration; an older version (which one); another
registration's (refused, never stored); unreadable (stored, left to staff). The reading tries the
cheap ways in the request, within READING_BUDGET; a copy not read by then is stored « lecture en
cours » and read to the end by a worker (documents/scanning.py, `piece_file_read_qr`), which
withdraws it if it turns out to be another registration's. What is stored is the version read,
never the verdict: a copy that was current becomes « ancienne » as soon as the registration
changes.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from documents.models import PieceFile, PieceKind, QrReading, ScanStatus, SignedCopyVerdict
from documents.qr_reading import read_confirmation
from documents.uploads import UploadRejected

# What the upload request spends on a copy's QR code before leaving the rest to a worker: a photo
# or a scan the cheap ways read takes 0.1 to 0.3 s (`make bench`: confirmation_qr_read).
READING_BUDGET = 1.0


class NotThisConfirmation(UploadRejected):
    """The copy's QR code proves another registration's confirmation."""


def not_this_confirmation_message():
    return _("Ce document n'est pas votre confirmation d'inscription.")


def signed_copy_read(prepared, registration, *, budget=None):
    """Read one prepared file of the confirmation piece; return the PieceFile fields it gives.

    Raises NotThisConfirmation when it proves another registration's confirmation (any of its
    codes: a photo of two confirmations side by side is not this candidate's copy)."""
    reading = read_confirmation(prepared.content, prepared.content_type, budget=READING_BUDGET if budget is None else budget)
    prepared.content.seek(0)
    return reading_fields(reading, registration)


def reading_fields(reading, registration):
    if any(mark.number != registration.number for mark in reading.marks):
        raise NotThisConfirmation(not_this_confirmation_message())
    if reading.mark is not None:
        return {"qr_reading": QrReading.READ, "confirmation_version": reading.mark.version, "signature_ink": reading.signature_ink}
    state = QrReading.UNREADABLE if reading.complete else QrReading.PENDING
    return {"qr_reading": state, "confirmation_version": None, "signature_ink": None}


def signed_copy_message(piece_file, registration):
    """What the candidate is told of one copy, at the upload and beside it on « Mes justificatifs »."""
    verdict = piece_file.signed_copy_verdict(registration)
    if verdict == SignedCopyVerdict.CURRENT:
        return _("C'est bien la version %(version)d, la plus récente.") % {"version": registration.version}
    if verdict == SignedCopyVerdict.OUTDATED:
        return outdated_message(piece_file.confirmation_version, registration.version)
    if verdict == SignedCopyVerdict.UNREADABLE:
        return _("Nous n'avons pas pu lire le code QR : vérifiez que la page entière est visible et nette. "
                 "Le rectorat vérifiera ce document à l'œil.")
    if verdict == SignedCopyVerdict.PENDING:
        return _("Lecture du code QR en cours : actualisez la page dans une minute.")
    return None


@dataclass(frozen=True)
class SignedCopyNote:
    """What « Mes justificatifs » shows beside one copy: a badge, and the sentence that explains it."""

    label: str
    tone: str
    message: str


def signed_copy_note(piece_file, registration):
    verdict = piece_file.signed_copy_verdict(registration)
    if verdict is None:
        return None
    label, tone = {
        SignedCopyVerdict.CURRENT: (_("Version à jour"), "success"),
        SignedCopyVerdict.OUTDATED: (_("Version %(old)s dépassée") % {"old": piece_file.confirmation_version}, "error"),
        SignedCopyVerdict.UNREADABLE: (_("Code QR illisible"), "warning"),
        SignedCopyVerdict.PENDING: (_("Lecture du code QR en cours"), "info"),
    }[verdict]
    return SignedCopyNote(label=label, tone=tone, message=signed_copy_message(piece_file, registration))


def signed_copy_staff_note(piece_file, registration):
    """What staff read beside a copy's preview: the QR code's verdict, then the signature hint."""
    verdict = piece_file.signed_copy_verdict(registration)
    if verdict is None:
        return None
    if verdict == SignedCopyVerdict.CURRENT:
        text, tone = _("Code QR : version %(v)d, à jour.") % {"v": registration.version}, "success"
    elif verdict == SignedCopyVerdict.OUTDATED:
        text, tone = _("Code QR : version %(old)d, ancienne ; version en vigueur : %(current)d.") % {
            "old": piece_file.confirmation_version, "current": registration.version}, "error"
    elif verdict == SignedCopyVerdict.UNREADABLE:
        text, tone = _("Code QR illisible : vérifiez à l'œil la version et le code imprimés en bas de page."), "warning"
    else:
        text, tone = _("Lecture du code QR en cours."), "info"
    if piece_file.signature_ink is True:
        text += " " + _("Le cadre « Date et signature » contient de l'encre (indice à confirmer à l'œil).")
    elif piece_file.signature_ink is False:
        text += " " + _("Le cadre « Date et signature » semble vide : vérifiez la signature.")
    return SignedCopyNote(label=str(verdict.label), tone=tone, message=text)


def outdated_message(old, current):
    return _("Ce document est la version %(old)d : vous avez modifié votre inscription depuis. "
             "Imprimez et signez la version %(current)d.") % {"old": old, "current": current}


# When a piece has several copies, the one that counts: a current copy settles it; a copy proven
# older holds the lock back whatever else is there (an unreadable photo beside it proves nothing);
# one still being read waits; an unreadable one alone is left to staff.
VERDICT_ORDER = [SignedCopyVerdict.CURRENT, SignedCopyVerdict.OUTDATED, SignedCopyVerdict.PENDING, SignedCopyVerdict.UNREADABLE]


def signed_copies_verdict(files, registration):
    """The verdict on a confirmation piece's files together (infected ones count for nothing), or None."""
    verdicts = {f.signed_copy_verdict(registration) for f in files if not f.is_infected}
    return next((verdict for verdict in VERDICT_ORDER if verdict in verdicts), None)


def outdated_copy(registration, states):
    """The version of the signed copy given when it is proven older than the registration's (the
    latest such copy), or None: no copy, a current one, or none proven older."""
    state = next((s for s in states if s.required.kind.code == PieceKind.CONFIRMATION), None)
    if state is None or signed_copies_verdict(state.files, registration) != SignedCopyVerdict.OUTDATED:
        return None
    return max(f.confirmation_version for f in state.files if f.signed_copy_verdict(registration) == SignedCopyVerdict.OUTDATED)


def candidate_changed_since(registration, version):
    """Whether the candidate made one of the registration's versions after `version` (staff's
    changes, such as the residence attestation, make versions too)."""
    return registration.history.filter(version__gt=version, history_user_id=registration.candidate_id).exists()


def outdated_copy_at_deadline(registration, states):
    """The deadline's judgment of the signed copy (the job, and the standing that announces it):
    the version of a copy proven older by a version the candidate made, or None. A copy older only
    by staff's versions is left to staff: the candidate signed the last version they made."""
    old = outdated_copy(registration, states)
    return old if old is not None and candidate_changed_since(registration, old) else None


def signed_copy_blocker(registration, states):
    """Why the signed confirmation holds back the candidate's lock, in French; None when it does
    not: a copy proven older, or one still being read."""
    old = outdated_copy(registration, states)
    if old is not None:
        return outdated_message(old, registration.version)
    state = next((s for s in states if s.required.kind.code == PieceKind.CONFIRMATION), None)
    if state is not None and signed_copies_verdict(state.files, registration) == SignedCopyVerdict.PENDING:
        return _("la lecture du code QR de votre confirmation signée n'est pas terminée : actualisez la page dans une minute")
    return None


def registrations_by_signed_copy(queryset, verdict):
    """The registrations whose signed confirmation is, all its copies together, `verdict` (the
    admin's filter « version signée »): the same order as `signed_copies_verdict`."""
    copies = PieceFile.objects.filter(piece__registration=OuterRef("pk"), piece__piece_kind__code=PieceKind.CONFIRMATION) \
        .exclude(scan_status=ScanStatus.INFECTED)
    found = {
        SignedCopyVerdict.CURRENT: Exists(copies.filter(qr_reading=QrReading.READ, confirmation_version=OuterRef("version"))),
        SignedCopyVerdict.OUTDATED: Exists(copies.filter(Q(qr_reading=QrReading.READ) & ~Q(confirmation_version=OuterRef("version")))),
        SignedCopyVerdict.PENDING: Exists(copies.filter(qr_reading=QrReading.PENDING)),
        SignedCopyVerdict.UNREADABLE: Exists(copies.filter(qr_reading=QrReading.UNREADABLE)),
    }
    if verdict not in found:
        return queryset
    queryset = queryset.filter(found[verdict])
    for before in VERDICT_ORDER[:VERDICT_ORDER.index(verdict)]:
        queryset = queryset.exclude(found[before])
    return queryset
