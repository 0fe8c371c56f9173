"""What a file must be to be accepted as a piece: judged by its content, checked whole.

`prepare_uploads` judges every file of one upload and returns what to store (`PreparedFile`),
or raises `UploadRejected` with the French message the candidate sees. It runs before any
database transaction: nothing is stored, and no row is locked, while a file is being read.
"""

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
MAGIC = [(b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG)]
EXTENSIONS = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}
LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}
# Letters of any alphabet, digits, spaces and a few signs; no path, no emoji or other symbol.
NAME_PUNCTUATION = set(" -_.,()'’+&#")


class UploadRejected(Exception):
    pass


@dataclass(frozen=True)
class Inspection:
    content_type: str
    size: int
    sha256: str
    name: str


@dataclass(frozen=True)
class PreparedFile:
    """A file ready to store: judged, with the copy to keep and what the candidate sent."""

    name: str
    content_type: str
    content: object  # a django File at position 0: what is stored
    size: int  # of the stored copy
    sha256: str  # of the stored copy
    sent_sha256: str  # of what the candidate sent (the same file unless it was combined or cleaned)
    confirmation_version: int | None = None


def prepare_uploads(uploads, *, combine=False, combined_name="assemblage.pdf", read_confirmation_version=False):
    """Judge the files of one upload; return the PreparedFile(s) to store. All or nothing."""
    if not uploads:
        raise UploadRejected(_("Choisissez au moins un fichier."))
    inspections = [inspect_upload(upload) for upload in uploads]
    if combine and len(uploads) > 1:
        if any(i.content_type == PDF for i in inspections):
            raise UploadRejected(_("Seules des photos (JPEG ou PNG) peuvent être assemblées en un PDF."))
        content = combine_images(uploads)
        sent = hashlib.sha256("".join(i.sha256 for i in inspections).encode()).hexdigest()
        sha256 = _sha256(content)
        prepared = [PreparedFile(name=combined_name, content_type=PDF, content=content, size=content.size,
                                 sha256=sha256, sent_sha256=sent)]
    else:
        prepared = [PreparedFile(name=i.name, content_type=i.content_type, content=upload, size=i.size,
                                 sha256=i.sha256, sent_sha256=i.sha256)
                    for upload, i in zip(uploads, inspections)]
    if read_confirmation_version:
        prepared = [PreparedFile(**{**p.__dict__, "confirmation_version": confirmation_version_in(p.content)})
                    if p.content_type == PDF else p for p in prepared]
    return prepared


def combine_images(uploads):
    """Photos of one document (front, back) as one A4-friendly PDF."""
    from django.core.files.base import ContentFile
    from PIL import Image, ImageOps

    pages = []
    for upload in uploads:
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((2000, 2000))
            pages.append(image.copy())
    output = io.BytesIO()
    pages[0].save(output, "PDF", save_all=True, append_images=pages[1:], resolution=150)
    return ContentFile(output.getvalue(), name="assemblage.pdf")


def inspect_upload(upload):
    """Check name, size, type and integrity of an uploaded file; return what was found."""
    name = _check_name(upload.name)
    size = upload.size
    limit = settings.UPLOAD_MAX_BYTES
    if size == 0:
        raise UploadRejected(_("« %(name)s » est vide (0 octet) : choisissez le bon fichier.") % {"name": name})
    if size > limit:
        raise UploadRejected(_("« %(name)s » pèse %(size)s ; la limite est de %(limit)s par fichier. Réduisez-le "
                               "(scan en 150 ou 200 ppp, ou photo moins lourde) puis recommencez.") % {
            "name": name, "size": _megabytes(size), "limit": _megabytes(limit)})
    upload.seek(0)
    head = upload.read(16)
    content_type = next((kind for magic, kind in MAGIC if head.startswith(magic)), None)
    if content_type is None:
        raise UploadRejected(_("« %(name)s » n'est ni un PDF, ni une image JPEG ou PNG (d'après son contenu). "
                               "Seuls ces trois formats sont acceptés.") % {"name": name})
    claimed = EXTENSIONS.get(_extension(name))
    if claimed != content_type:
        raise UploadRejected(_("Le nom de « %(name)s » ne correspond pas à son contenu, qui est un fichier %(found)s : "
                               "renommez-le avec l'extension %(extension)s ou enregistrez-le à nouveau.") % {
            "name": name, "found": LABELS[content_type], "extension": ".pdf" if content_type == PDF else ".jpg ou .png"})
    if content_type == PDF:
        _check_pdf(upload, name)
    else:
        _check_image(upload, name)
    return Inspection(content_type=content_type, size=size, sha256=_sha256(upload), name=name)


def _check_name(raw):
    if "/" in raw or "\\" in raw or ".." in raw or "\x00" in raw:
        raise UploadRejected(_("Le nom du fichier ne doit contenir ni chemin ni « .. » : renommez-le simplement "
                               "(par exemple « carte-identite.pdf »)."))
    name = unicodedata.normalize("NFC", raw).strip()
    if not name or len(name) > 150:
        raise UploadRejected(_("Le nom du fichier doit compter entre 1 et 150 caractères."))
    for char in name:
        if not (char.isalnum() or char in NAME_PUNCTUATION):
            raise UploadRejected(_("Le nom « %(name)s » contient un caractère non accepté (« %(char)s ») : gardez "
                                   "des lettres, des chiffres, des espaces et des tirets, puis recommencez.") % {
                "name": name, "char": char})
    return name


def _check_pdf(upload, name):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    upload.seek(max(upload.size - 2048, 0))
    if b"%%EOF" not in upload.read():
        raise UploadRejected(_("« %(name)s » est incomplet (fichier tronqué) : téléchargez ou enregistrez-le à nouveau.") % {"name": name})
    try:
        upload.seek(0)
        reader = PdfReader(upload, strict=False)  # reads what it needs from the file, not all of it
        if reader.is_encrypted:
            raise UploadRejected(_("« %(name)s » est protégé par un mot de passe : enregistrez-le sans protection puis recommencez.") % {"name": name})
        if len(reader.pages) == 0:
            raise UploadRejected(_("« %(name)s » ne contient aucune page.") % {"name": name})
        reader.pages[0].mediabox  # noqa: B018 - opening the first page proves the file is readable
    except UploadRejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError):
        raise UploadRejected(_("« %(name)s » est endommagé et ne peut pas être ouvert.") % {"name": name}) from None


def _check_image(upload, name):
    from PIL import Image, UnidentifiedImageError

    # WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES, so decoding alone would let a cut
    # file through: the end marker of the format is checked first.
    upload.seek(-32, 2) if upload.size > 32 else upload.seek(0)
    tail = upload.read()
    if not (b"\xff\xd9" in tail or b"IEND" in tail):
        raise UploadRejected(_("« %(name)s » est une image endommagée ou incomplète : prenez ou enregistrez-la à nouveau.") % {"name": name})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.draft("RGB", (1024, 1024))  # JPEG decodes at a reduced scale: cheap, but whole
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadRejected(_("« %(name)s » est une image endommagée ou incomplète : prenez ou enregistrez-la à nouveau.") % {"name": name}) from None


def _sha256(upload):
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _extension(name):
    match = re.search(r"\.[A-Za-z0-9]+$", name)
    return match.group(0).lower() if match else ""


def _megabytes(size):
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")


# The footer of every page of the confirmation: "Inscription 2024-000123 — version 4 — code ABCDE-FGHIJ".
# Text extraction may split the code with spaces (kerning), so only its label is matched.
CONFIRMATION_MARK = re.compile(r"Inscription\s+\S+\s+—\s+version\s+(\d+)\s+—\s+code\b")


def confirmation_version_in(upload):
    """The version a confirmation PDF says it is, when its text layer is readable; else None."""
    from pypdf import PdfReader

    try:
        upload.seek(0)
        reader = PdfReader(upload, strict=False)
        text = " ".join((page.extract_text() or "") for page in reader.pages[:3])
    except Exception:  # a scan without text, or an odd PDF: nothing readable, nothing flagged
        return None
    finally:
        upload.seek(0)
    match = CONFIRMATION_MARK.search(text)
    return int(match.group(1)) if match else None
