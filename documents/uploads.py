"""What a file must be to be accepted as a piece: judged by its content, checked whole.

`prepare_uploads` judges every file of one upload and returns what to store (`PreparedFile`),
or raises `UploadRejected` with the French message the candidate sees. It runs before any
database transaction: nothing is stored, and no row is locked, while a file is being read.

No file can exhaust the web process: an image is measured from its header and refused above a
pixel limit before anything is decoded, then decoded at a reduced scale where its format allows;
every pypdf operation on a candidate's PDF runs under tightened limits (`PDF_LIMITS`) and a page
and object count. A PDF carrying active content is stored as a
copy without it (`documents.active_content`).
"""

import gc
import hashlib
import io
import math
import os
import re
import struct
import tempfile
import unicodedata
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
MAGIC = [(b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG)]
EXTENSIONS = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}
LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}
# Letters of any alphabet, digits, spaces and a few signs; no path, no emoji or other symbol.
NAME_PUNCTUATION = set(" -_.,()'’+&#")

# Pixel limits, read from the image's header before anything is decoded; every decode then
# stays near 100 MB, so that a web process grows by less than 150 MB whatever it is sent.
# - A baseline JPEG, a phone's photo: phones take 12 MP by default and 48 or 50 MP in their
#   full-resolution mode (8160 × 6120 = 49.9 MP), so 50 MP takes any phone's photo. It is decoded
#   at a reduced scale (libjpeg's 1/2 to 1/8, Pillow's `draft`): a few MB.
# - A PNG cannot be decoded at a reduced scale: Pillow holds it whole, 4 bytes a pixel, so 24 MP
#   (96 MB). A PNG is a screenshot or a scan (an A4 page at 400 dpi is 15.5 MP), hardly a photo.
# - A progressive JPEG keeps the whole image's coefficients while it decodes, up to 8 bytes a
#   pixel (CMYK): 12 MP (96 MB), a phone's default size.
# libjpeg's own memory limit (JPEGMEM, `_bounded_decoding`) holds any other JPEG that would
# need more, such as a crafted multi-scan one.
JPEG_MAX_PIXELS = 50_000_000
PNG_MAX_PIXELS = 24_000_000
PROGRESSIVE_JPEG_MAX_PIXELS = 12_000_000
JPEG_DECODER_MEMORY = "100M"
# « Assembler » makes one page of each photo, at most this size, decoding one photo at a time.
COMBINED_PAGE_BOX = (2000, 2000)
COMBINE_MAX_PHOTOS = 10
# The bounds hold per request too: Django lets one carry 100 files, each judged in turn.
MAX_FILES_PER_UPLOAD = COMBINE_MAX_PHOTOS
# A PNG (or a progressive JPEG) is decoded whole, at about 0.18 s for 24 megapixels, then again
# if it is assembled: one upload's such images together stay under this, two pages at the limit.
PIXELS_DECODED_WHOLE_PER_UPLOAD = 2 * PNG_MAX_PIXELS

# pypdf's own limits, tightened for a file of at most UPLOAD_MAX_BYTES: no decompressed stream
# above 16 MB (a 10 MB file's object streams are far smaller; image data is never decoded), a
# damaged stream is not recovered byte by byte beyond 256 KB, and the page tree and form fields
# are bounded. PDF_MAX_OBJECTS bounds the active-content walk, which visits every dictionary and
# array once, about 15 µs each (0.5 s at the limit): the portal's own tagged confirmation has 300
# a page, a scan 10, so 30 000 is a hundred dense pages.
PDF_MAX_PAGES = 300
PDF_MAX_OBJECTS = 30_000
# Opening a PDF, pypdf reads the header of every entry of its cross-reference table, before any
# budget can count: a file that declares (trailer /Size) more than twice the objects one upload
# may visit is refused before it is opened. A file whose /Size lies is still opened: that work is
# bounded by the file's size (UPLOAD_MAX_BYTES), read from memory (`make bench`: upload_worst_case).
PDF_MAX_DECLARED_OBJECTS = 2 * PDF_MAX_OBJECTS
_DECLARED_SIZE = re.compile(rb"/Size\s+(\d{1,12})")
_PDF_STREAM_MAX_BYTES = 16 * 1024 * 1024
PDF_LIMITS = {
    "zlib_maximum_output_length": _PDF_STREAM_MAX_BYTES, "lzw_maximum_output_length": _PDF_STREAM_MAX_BYTES,
    "run_length_maximum_output_length": _PDF_STREAM_MAX_BYTES, "brotli_maximum_output_length": _PDF_STREAM_MAX_BYTES,
    "jbig2_maximum_output_length": _PDF_STREAM_MAX_BYTES, "array_based_stream_maximum_output_length": _PDF_STREAM_MAX_BYTES,
    "image_maximum_buffer_size": _PDF_STREAM_MAX_BYTES, "stream_decoding_work_maximum_length": 2 * _PDF_STREAM_MAX_BYTES,
    "zlib_maximum_recovery_input_length": 256 * 1024, "xmp_maximum_input_length": 1024 * 1024,
    "page_tree_maximum_entries": 2 * PDF_MAX_PAGES, "form_fields_maximum_entries": 10_000,
    "outline_maximum_entries": 10_000, "named_destinations_maximum_entries": 10_000,
}

class UploadRejected(Exception):
    pass


@dataclass(frozen=True)
class Inspection:
    content_type: str
    size: int
    sha256: str  # of what was sent
    name: str
    cleaned: object = None  # a PDF's copy without its active content (a django File), when it had some


@dataclass(frozen=True)
class PreparedFile:
    """A file ready to store: judged, with the copy to keep and what the candidate sent."""

    name: str
    content_type: str
    content: object  # a django File at position 0: what is stored
    size: int  # of the stored copy
    sha256: str  # of the stored copy
    sent_sha256: str  # of what the candidate sent (the same file unless it was combined or cleaned)


def prepare_uploads(uploads, *, combine=False, combined_name="assemblage.pdf"):
    """Judge the files of one upload; return the PreparedFile(s) to store. All or nothing."""
    if not uploads:
        raise UploadRejected(_("Choisissez au moins un fichier."))
    combine = combine and len(uploads) > 1
    if combine and len(uploads) > COMBINE_MAX_PHOTOS:
        raise UploadRejected(_("Vous pouvez assembler au plus %(limit)d photos en un PDF ; vous en avez choisi %(count)d. "
                               "Déposez-les en plusieurs fois, ou scannez le document en un seul PDF.") % {
            "limit": COMBINE_MAX_PHOTOS, "count": len(uploads)})
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise UploadRejected(_("Vous pouvez déposer au plus %(limit)d fichiers à la fois pour une pièce ; vous en avez "
                               "choisi %(count)d. Déposez-les en plusieurs fois, ou scannez le document en un seul PDF.") % {
            "limit": MAX_FILES_PER_UPLOAD, "count": len(uploads)})
    _check_pixels_decoded_whole(uploads)
    from documents.active_content import ObjectBudget

    budget = ObjectBudget(PDF_MAX_OBJECTS)  # for all the PDFs of this upload together
    inspections = [inspect_upload(upload, budget=budget) for upload in uploads]
    if combine:
        if any(i.content_type == PDF for i in inspections):
            raise UploadRejected(_("Seules des photos (JPEG ou PNG) peuvent être assemblées en un PDF."))
        content = combine_images(uploads)
        # What was sent is several photos: its hash is that of their hashes, in the order sent.
        sent = hashlib.sha256("".join(i.sha256 for i in inspections).encode()).hexdigest()
        prepared = [PreparedFile(name=combined_name, content_type=PDF, content=content, size=content.size,
                                 sha256=_sha256(content), sent_sha256=sent)]
    else:
        prepared = [_prepared(upload, inspection) for upload, inspection in zip(uploads, inspections, strict=True)]
    return prepared


def _prepared(upload, inspection):
    content = inspection.cleaned or upload
    sha256 = _sha256(content) if inspection.cleaned else inspection.sha256
    return PreparedFile(name=inspection.name, content_type=inspection.content_type, content=content, size=content.size,
                        sha256=sha256, sent_sha256=inspection.sha256)


def combine_images(uploads):
    """Photos of one document (front, back) as one PDF: one page per photo, each reduced to
    COMBINED_PAGE_BOX while it is decoded, one photo at a time; the pages are then put together
    by pypdf, so only the compressed pages are ever held together."""
    from django.core.files.base import ContentFile
    from PIL import ImageOps
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for upload in uploads:
        with _open_image(upload, upload.name) as image:
            page = ImageOps.exif_transpose(_reduced(image, COMBINED_PAGE_BOX)).convert("RGB")
        output = io.BytesIO()
        page.save(output, "PDF", resolution=150)
        del page
        writer.append(PdfReader(output))  # our own one-page PDF, not the candidate's input
    output = io.BytesIO()
    writer.write(output)
    return ContentFile(output.getvalue(), name="assemblage.pdf")


def _reduced(image, box):
    """The image decoded to fit `box`: a JPEG at the nearest reduced scale libjpeg offers, then
    box-averaged by an integer factor (`reduce`), which allocates only the smaller image."""
    width, height = image.size
    ratio = max(width / box[0], height / box[1])
    if ratio > 1:
        image.draft(None, (math.ceil(width / ratio), math.ceil(height / ratio)))  # only a JPEG takes it
    with _bounded_decoding():
        image.load()
    if ratio <= 1:
        return image
    factor = math.ceil(max(image.width / box[0], image.height / box[1]))
    return image.reduce(factor) if factor > 1 else image


def inspect_upload(upload, *, budget=None):
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
        cleaned = _check_pdf(upload, name, budget or PDF_MAX_OBJECTS)
        # pypdf's objects refer to their reader, so a PDF that was read is freed only by the cycle
        # collector: collected after each one, the PDFs of one upload never add up in memory.
        gc.collect()
    else:
        cleaned = _check_image(upload, name)
    return Inspection(content_type=content_type, size=size, sha256=_sha256(upload), name=name, cleaned=cleaned)


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


PDF_READ_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError, zlib.error)


def _check_pdf(upload, name, budget):
    """Open the PDF within bounds; return None to store it as sent, or its copy without active content."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PyPdfError

    upload.seek(max(upload.size - 2048, 0))
    tail = upload.read()
    if b"%%EOF" not in tail:
        raise UploadRejected(_("« %(name)s » est incomplet (fichier tronqué) : téléchargez ou enregistrez-le à nouveau.") % {"name": name})
    declared = [int(size) for size in _DECLARED_SIZE.findall(tail)]
    if declared and max(declared) > PDF_MAX_DECLARED_OBJECTS:
        raise _too_complex(name)
    damaged = UploadRejected(_("« %(name)s » est endommagé et ne peut pas être ouvert.") % {"name": name})
    try:
        with apply_configuration(**PDF_LIMITS):
            upload.seek(0)
            # From memory (at most UPLOAD_MAX_BYTES): pypdf reads a file in small pieces, and
            # through an uploaded file's wrappers each read costs twice as much.
            reader = PdfReader(io.BytesIO(upload.read()), strict=False)
            if reader.is_encrypted:
                raise UploadRejected(_("« %(name)s » est protégé par un mot de passe : enregistrez-le sans protection puis "
                                       "recommencez.") % {"name": name})
            _check_page_count(reader, name)
            reader.pages[0].mediabox  # noqa: B018 - opening the first page proves the file is readable
            return _without_active_content(reader, name, budget)
    except UploadRejected:
        raise
    except LimitReachedError:
        raise _too_complex(name) from None
    except (PyPdfError, *PDF_READ_ERRORS):
        raise damaged from None
    finally:
        upload.seek(0)


def _check_page_count(reader, name):
    """The count the page tree declares first, then the real one, which pypdf walks within
    `page_tree_maximum_entries`: a lying /Count cannot make it walk thousands of pages."""

    declared = reader.trailer["/Root"]["/Pages"].get("/Count", 0)
    if isinstance(declared, int) and declared > PDF_MAX_PAGES:
        raise _too_many_pages(name, str(declared))
    count = len(reader.pages)  # LimitReachedError (a lying /Count, a page tree too deep): "too complex"
    if count > PDF_MAX_PAGES:
        raise _too_many_pages(name, str(count))
    if count == 0:
        raise UploadRejected(_("« %(name)s » ne contient aucune page.") % {"name": name})


def _too_many_pages(name, count):
    return UploadRejected(_("« %(name)s » compte %(count)s pages ; la limite est de %(limit)d pages par fichier. "
                            "Déposez seulement les pages demandées, ou séparez le document en plusieurs fichiers.") % {
        "name": name, "count": count, "limit": PDF_MAX_PAGES})


def _without_active_content(reader, name, budget):
    """None when the PDF carries no active content; else a copy without it, proven by reading
    the copy again. Scripts, automatic actions, attached files, rich media and XFA are removed;
    pages, form fields and their values stay, so a fillable CERFA form is kept without its scripts."""
    from django.core.files import File

    from documents.active_content import CannotSanitise, TooComplex, active_content_in, active_content_in_bytes, without_active_content

    try:
        if not active_content_in(reader, max_objects=budget):
            return None
        cleaned = without_active_content(reader, max_objects=budget)
        left = active_content_in_bytes(cleaned, max_objects=budget)
    except TooComplex:
        raise _too_complex(name) from None
    except CannotSanitise:
        left = {"XFA"}
    if left:
        raise UploadRejected(_("« %(name)s » contient des éléments actifs (scripts, formulaire dynamique XFA, fichiers "
                               "joints) que le portail ne peut pas retirer. Remplissez-le si besoin, puis enregistrez-le "
                               "avec « Imprimer » puis « Enregistrer au format PDF » (ou scannez-le), et recommencez.") % {
            "name": name})
    # Kept on disk until it is stored, so one upload's cleaned copies never add up in memory.
    spooled = tempfile.SpooledTemporaryFile(max_size=256 * 1024)
    spooled.write(cleaned)
    spooled.seek(0)
    return File(spooled, name=name)


def _too_complex(name):
    return UploadRejected(_("« %(name)s » a une structure trop complexe pour être vérifiée. Enregistrez-le à nouveau "
                            "avec « Imprimer » puis « Enregistrer au format PDF », ou scannez-le, puis recommencez.") % {
        "name": name})


def _check_image(upload, name):
    """Measure the image from its header, then decode it within the memory bound. Returns None:
    an accepted image is stored as sent."""
    from PIL import Image

    # WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES, so decoding alone would let a cut
    # file through: the end marker of the format is checked first.
    upload.seek(-32, 2) if upload.size > 32 else upload.seek(0)
    tail = upload.read()
    if not (b"\xff\xd9" in tail or b"IEND" in tail):
        raise UploadRejected(_("« %(name)s » est une image endommagée ou incomplète : prenez ou enregistrez-la à nouveau.") % {"name": name})
    try:
        with _open_image(upload, name) as image:
            image.verify()
        with _open_image(upload, name) as image:
            width, height = image.size
            image.draft(None, (math.ceil(width / 8), math.ceil(height / 8)))  # a JPEG decodes at 1/8: cheap, but whole
            with _bounded_decoding():
                image.load()
    except UploadRejected:
        raise
    except (OSError, SyntaxError, ValueError, IndexError, struct.error, Image.DecompressionBombError):
        raise _damaged_image(name) from None
    finally:
        upload.seek(0)
    return None


def _check_pixels_decoded_whole(uploads):
    """Refuse, from their headers alone, an upload whose PNG and progressive JPEG images hold more
    pixels together than one request may decode (a baseline JPEG decodes at a reduced scale)."""
    total = 0
    for upload in uploads:
        upload.seek(0)
        head = upload.read(8)
        upload.seek(0)
        if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff"):
            with _open_image(upload, _check_name(upload.name)) as image:
                if image.format == "PNG" or image.info.get("progressive"):
                    total += image.size[0] * image.size[1]
            upload.seek(0)
    if total > PIXELS_DECODED_WHOLE_PER_UPLOAD:
        raise UploadRejected(_("Ces images PNG (ou JPEG progressives) totalisent %(pixels)s mégapixels ; un même envoi en "
                               "accepte %(limit)d. Déposez-les en plusieurs fois, en JPEG, ou scannez le document en un "
                               "seul PDF.") % {"pixels": _megapixels(total), "limit": PIXELS_DECODED_WHOLE_PER_UPLOAD // 1_000_000})


def _open_image(upload, name):
    """The image, read from its header only (no pixel is decoded), if it is within its pixel limit.

    The plugin is chosen from the magic bytes already checked, which also skips Pillow's own
    decompression-bomb check: this one is stricter and tells the candidate what to do."""
    from PIL import JpegImagePlugin, PngImagePlugin

    upload.seek(0)
    head = upload.read(3)
    upload.seek(0)
    try:
        image = JpegImagePlugin.JpegImageFile(upload) if head == b"\xff\xd8\xff" else PngImagePlugin.PngImageFile(upload)
    except (OSError, SyntaxError, ValueError, IndexError, struct.error):
        raise _damaged_image(name) from None
    width, height = image.size
    if image.format == "PNG":
        limit = PNG_MAX_PIXELS
    else:
        limit = PROGRESSIVE_JPEG_MAX_PIXELS if image.info.get("progressive") else JPEG_MAX_PIXELS
    if width * height > limit:  # nothing to close: the file is the upload's, and nothing was decoded
        raise UploadRejected(_("« %(name)s » mesure %(width)d × %(height)d pixels (%(pixels)s mégapixels) ; la limite est "
                               "de %(limit)d mégapixels pour une image %(format)s. Envoyez une photo plus légère : réglez "
                               "l'appareil photo du téléphone sur 12 mégapixels (ou une taille d'image moyenne), ou "
                               "scannez le document en PDF, puis recommencez.") % {
            "name": name, "width": width, "height": height, "pixels": _megapixels(width * height),
            "limit": limit // 1_000_000, "format": {PNG_MAX_PIXELS: "PNG", JPEG_MAX_PIXELS: "JPEG"}.get(limit, "JPEG progressive")})
    return image


@contextmanager
def _bounded_decoding():
    """While Pillow decodes: libjpeg's own limit on what one decode may allocate (its JPEGMEM
    variable, read each time a decode starts), past which the decode fails instead of growing;
    and a failed decode is an error, not a partial image, whatever WeasyPrint set globally
    (LOAD_TRUNCATED_IMAGES)."""
    from PIL import ImageFile

    previous, truncated = os.environ.get("JPEGMEM"), ImageFile.LOAD_TRUNCATED_IMAGES
    os.environ["JPEGMEM"], ImageFile.LOAD_TRUNCATED_IMAGES = JPEG_DECODER_MEMORY, False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
        if previous is None:
            del os.environ["JPEGMEM"]
        else:
            os.environ["JPEGMEM"] = previous


def _damaged_image(name):
    return UploadRejected(_("« %(name)s » est une image endommagée ou incomplète : prenez ou enregistrez-la à nouveau.") % {"name": name})


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


def _megapixels(pixels):
    return f"{pixels / 1_000_000:.1f}".replace(".", ",")
