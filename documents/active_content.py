"""Active content in a PDF: what could run, open or launch something when staff open the file.

`active_content_in(reader)` walks every object reachable from the trailer (catalog, names tree,
pages, annotations, form fields, outlines…) and names what it finds; `without_active_content`
writes a copy with pypdf in which none of it is left, keeping the pages and the form fields'
values. Both walks are iterative and count the objects they visit, so no file, however nested or
large, makes them recurse or run for long: past `max_objects` they raise `TooComplex`.
"""

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# Keys whose value is a script, an automatic action, an attached file or an XFA form.
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/OpenAction", "/AA", "/EmbeddedFiles", "/EF", "/XFA",
                         "/RichMediaContent", "/RichMediaSettings", "/OnInstantiate"})
# Values of /S (action), /Subtype (annotation) or /Type that make a dictionary active as a whole:
# scripts, launching a program, opening an embedded file or document, rich media; and what reaches
# outside the file when staff click: another document or a network share (GoToR, ImportData, a
# file attachment: a UNC path sends the staff member's Windows credentials), a form posted to any
# server (SubmitForm), media played from elsewhere (Rendition, Movie, Sound), 3D with its scripts.
ACTIVE_KINDS = frozenset({"/JavaScript", "/Launch", "/EmbeddedFile", "/RichMedia", "/GoToE", "/GoToR", "/ImportData", "/Thread",
                          "/SubmitForm", "/Rendition", "/Movie", "/Sound", "/FileAttachment", "/3D", "/U3D", "/PRC"})
# A URI action is kept only for a web or mail address: `javascript:`, `file:` and the like go.
SAFE_URI_SCHEMES = ("http://", "https://", "mailto:")
KIND_KEYS = ("/S", "/Subtype", "/Type")


class TooComplex(Exception):
    """More objects than a candidate's document ever has: the walk stops rather than run on."""


class CannotSanitise(Exception):
    """A dynamic XFA form: its pages exist only in the XFA, so without it nothing would be left."""


def active_content_in(reader, *, max_objects):
    """The names of the active content found in the document (an empty set: none)."""
    found = set()

    def visit(container):
        if isinstance(container, DictionaryObject):
            found.update(key for key in container if key in ACTIVE_KEYS)
            found.update(_kind(container))

    _walk(reader.trailer, visit, max_objects)
    return found


def without_active_content(reader, *, max_objects):
    """The bytes of a copy of the document without its active content (`reader` is changed).

    Every active entry is cut from the object that refers to it, in the objects pypdf has read;
    the copy is then cloned from the catalog, so only what is still reachable is written.
    """
    def strip(container):
        if isinstance(container, DictionaryObject):
            for key in [key for key, value in container.items() if key in ACTIVE_KEYS or _is_active(value)]:
                del container[key]
        elif isinstance(container, ArrayObject):
            container[:] = [value for value in container if not _is_active(value)]

    catalog = reader.trailer["/Root"]
    form = _resolved(catalog.get("/AcroForm"))
    if _resolved(catalog.get("/NeedsRendering")) or (
            isinstance(form, DictionaryObject) and "/XFA" in form and not _resolved(form.get("/Fields"))):
        raise CannotSanitise("dynamic XFA form")
    if _is_active(catalog):
        raise CannotSanitise("the catalog itself is an action")
    _walk(reader.trailer, strip, max_objects)
    writer = PdfWriter(clone_from=reader)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def active_content_in_bytes(content, *, max_objects):
    return active_content_in(PdfReader(io.BytesIO(content), strict=False), max_objects=max_objects)


class ObjectBudget:
    """How many objects the walks may still visit: one budget for all the PDFs of one upload, so
    that ten files each under the limit cannot add up to ten times its work."""

    def __init__(self, limit):
        self.limit, self.left = limit, limit

    def spend(self):
        self.left -= 1
        if self.left < 0:
            raise TooComplex(f"more than {self.limit} objects")


def _walk(root, visit, max_objects):
    """Visit each dictionary and array reachable from `root` once, without recursion.

    Every object read counts, whatever it is (an indirect number is read from the file too), as
    does every dictionary and array written inline; `max_objects` is a number or an ObjectBudget.
    """
    budget = max_objects if isinstance(max_objects, ObjectBudget) else ObjectBudget(max_objects)
    seen, stack = set(), [root]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            budget.spend()
            item = item.get_object()
        elif isinstance(item, (DictionaryObject, ArrayObject)):
            budget.spend()
        if not isinstance(item, (DictionaryObject, ArrayObject)):
            continue
        visit(item)
        stack.extend(item.values() if isinstance(item, DictionaryObject) else item)


def _kind(dictionary):
    values = (_resolved(dictionary.get(key)) for key in KIND_KEYS)
    kinds = {value for value in values if isinstance(value, str) and value in ACTIVE_KINDS}
    if _resolved(dictionary.get("/S")) == "/URI":
        uri = _resolved(dictionary.get("/URI"))
        text = (uri.decode("latin-1") if isinstance(uri, bytes) else str(uri or "")).strip().lower()
        if not text.startswith(SAFE_URI_SCHEMES):
            kinds.add("/URI")
    return kinds


def _is_active(value):
    target = _resolved(value)
    return isinstance(target, DictionaryObject) and bool(_kind(target))


def _resolved(value):
    return value.get_object() if isinstance(value, IndirectObject) else value
