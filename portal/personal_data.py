"""« Mes données »: everything the portal holds about a candidate, as JSON and files, in a ZIP."""

import json
import tempfile
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from documents.models import GeneratedDocument, PieceFile
from exams.models import Convocation, JuryDecision, Mark
from exams.transcripts import Shown, results_shown

ACCOUNT_FIELDS = ["email", "last_name", "first_name", "birth_date", "address_line", "address_complement", "postal_code",
                  "city", "country", "phone", "date_joined", "activated_at", "last_login"]


def _results(registration):
    """Marks and the jury's decision, as « Mes résultats » shows them: not before the session
    publishes its results (they are not final until the jury has deliberated)."""
    if results_shown(registration) != Shown.RESULTS:
        return {"notes": _("communiquées à la publication des résultats de la session")}
    decision = JuryDecision.objects.filter(registration=registration).values("verdict", "confirmed_at").first()
    return {"notes": list(Mark.objects.filter(registration=registration).values(
                "epreuve__code", "group", "value", "absent", "dispensed", "carried_over")),
            "decision_du_jury": decision}


def personal_data(user):
    registrations = list(user.registrations.select_related("session", "specialty", "option"))
    return {
        "compte": {field: getattr(user, field) for field in ACCOUNT_FIELDS},
        "changements_de_situation": list(user.profile_changes.values("changed_at", "field", "old_value", "new_value")),
        "messages": list(user.messages.values("created_at", "to_email", "subject", "body_text", "read_at")),
        "inscriptions": [
            {**model_to_dict(r, exclude=["candidate", "session", "specialty", "option", "pieces_missing"]),
             "session": r.session.name, "specialite": r.specialty.name if r.specialty else None,
             "option": r.option.code if r.option else None,
             "pieces": [{"piece": f.piece.piece_kind.name, "etat": f.piece.get_status_display(), "motif": f.piece.review_reason,
                         "fichier": f.original_name, "depose_le": f.uploaded_at, "sha256": f.sha256,
                         "antivirus": f.get_scan_status_display()}
                        for f in PieceFile.objects.filter(piece__registration=r).select_related("piece__piece_kind")],
             **_results(r),
             "convocation": Convocation.objects.filter(registration=r).values("published_at", "opened_at").first(),
             "documents_produits": list(GeneratedDocument.objects.filter(registration=r).values("kind", "version", "created_at"))}
            for r in registrations
        ],
    }


def personal_data_zip(user):
    """A temporary file holding donnees.json and every file of the candidate, ready to stream."""
    archive = tempfile.TemporaryFile()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("donnees.json", json.dumps(personal_data(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        for piece_file in PieceFile.objects.filter(piece__registration__candidate=user).select_related("piece__registration", "piece__piece_kind"):
            if piece_file.is_infected:  # deleted: its name and verdict are in donnees.json
                continue
            with piece_file.file.open("rb") as handle:
                zipped.writestr(f"pieces/{piece_file.piece.registration.number}/{piece_file.pk}-{piece_file.original_name}", handle.read())
        for document in GeneratedDocument.objects.filter(registration__candidate=user).select_related("registration"):
            with document.file.open("rb") as handle:
                zipped.writestr(f"documents/{document.registration.number}-{document.kind}-v{document.version}.pdf", handle.read())
    archive.seek(0)
    return archive
