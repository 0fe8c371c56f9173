"""The QR code of an uploaded confirmation, read from a photo or a scan, and whether its
« Date et signature » box holds ink.

Photos (JPEG, PNG) and PDFs, including scans without a text layer: a PDF's pages are drawn by
PDFium (pypdfium2), the codes read by zxing-cpp, which finds a QR code at any rotation, under
perspective and uneven light. Each image is tried the cheapest way first (a JPEG decoded at a
reduced scale, in grey), then larger, then evened out, then enlarged when small; `budget`
(seconds) stops the tries early, and says so (`Reading.complete` is False) so that a worker can
finish them.

A code counts only when its HMAC proves its number and version (documents/confirmation_code.py):
a misread, a damaged symbol or a forged code names no registration.
"""

import io
import math
import os
import time
from dataclasses import dataclass

from documents.confirmation_code import SIGNATURE_BOX, mark_in

PDF = "application/pdf"

# A reading, in a child process: at most this long for a worker (the request has its own budget),
# and this much memory beyond what the process already holds.
WORKER_TIMEOUT = 10
CHILD_MEMORY = 1536 * 1024 * 1024
# A photo is first read with its longer side near this: a 12-megapixel phone photo of an A4 page
# gives its 30 mm QR code about 6 pixels a module there, where zxing reads it fast.
FIRST_LONG_SIDE = 2000
# Then with its longer side up to this (a 12-megapixel photo whole; a 50-megapixel one reduced).
SECOND_LONG_SIDE = 4096
# A photo smaller than this (about 3 megapixels) is also read enlarged by half.
SMALL_LONG_SIDE = 2400
# A PDF's pages are drawn at this resolution, then at the second one; never larger than
# RENDER_MAX_SIDE pixels a side, whatever size the page says it is.
RENDER_DPIS = (150, 300)
RENDER_MAX_SIDE = 4000
# The QR code is on the confirmation's last page: that page is read first, then the first ones.
PDF_PAGES_READ = 4
# PDFium decodes a page's images whole: a page whose images add up to more than this is not drawn.
PDF_PAGE_MAX_IMAGE_PIXELS = 60_000_000
PDF_FORM_DEPTH = 64  # how deep in forms images are counted (the child's limits hold beyond)

# zxing's binarizers, in the order tried: on the picture as taken, then on the picture evened out.
AS_TAKEN = ("LocalAverage", "GlobalHistogram")
EVENED = ("FixedThreshold", "LocalAverage")

# The ink test: the box, rectified; a pixel is ink when clearly darker than the paper around it,
# and the box holds ink when more than INK_MIN_SHARE of its inside is.
BOX_SEARCH = 0.25  # of the QR code's side: the margin rectified around the box, where its border is looked for
BORDER_SEEN = 0.6  # a border is found where its lines, BORDER_WIDTH together, hold at least this share of ink
BORDER_WIDTH = 7
BORDER_PAD = 0.1  # of the QR code's side: what is left out inside the border found
RECTIFIED_WIDTH = 800
INK_RATIO = 0.7
LINE_RATIO = 0.85
INK_MIN_SHARE = 0.004


@dataclass(frozen=True)
class Reading:
    marks: tuple  # the confirmation_code.ConfirmationMarks found, each proven by its code
    complete: bool  # every way was tried (False: the budget ran out first)
    signature_ink: bool | None = None  # None: no code, or the box is not in the picture

    @property
    def mark(self):
        """The latest version found (a page may show two codes; the newest is the one to judge)."""
        return max(self.marks, key=lambda mark: mark.version, default=None)


def read_confirmation(content, content_type, *, budget=None):
    """Read the confirmation's QR code from a file of `content_type`; see the module's note.

    Every reading runs in a child process (`_in_child`) under a CPU, memory and wall-clock limit:
    neither zxing nor PDFium can be stopped halfway through one image, and a small crafted file
    (a field of finder patterns, a page of megabytes of text) keeps either busy for minutes."""
    content.seek(0)
    data = content.read()
    content.seek(0)
    timeout = WORKER_TIMEOUT if budget is None else budget
    reading = _in_child(_read_file, data, content_type, budget, timeout=timeout)
    # Stopped before the end: in the request (a budget), a worker reads it again; a worker's own
    # limit is the end, the copy is left to staff.
    return reading or Reading(marks=(), complete=budget is None)


def _read_file(data, content_type, budget):
    deadline = None if budget is None else time.monotonic() + budget
    images = _pdf_images(data) if content_type == PDF else _photo_images(data)
    return _read(images, deadline)


def _read(images, deadline):
    """The marks of the first round of images that shows any: a photo's pictures are each a round
    of their own; a PDF's pages drawn at one resolution are one round, so that a code of another
    registration on any page read is seen, wherever the candidate's own is."""
    found, round_found = [], None
    try:
        for image, binarizers, round_ in images:
            if found and round_ != round_found:
                break
            codes = _codes(image, binarizers)
            if codes:
                found += [(mark, corners, image) for mark, corners in codes]
                round_found = round_
            elif not found and deadline is not None and time.monotonic() > deadline:
                return Reading(marks=(), complete=False)
    except (OSError, ValueError, SyntaxError, RuntimeError, MemoryError):  # what neither Pillow nor PDFium (PdfiumError) can draw
        pass
    finally:
        images.close()
    if not found:
        return Reading(marks=(), complete=True)
    marks = tuple(dict.fromkeys(mark for mark, _, _ in found))
    best, corners, image = max(found, key=lambda item: item[0].version)
    return Reading(marks=marks, complete=True, signature_ink=signature_ink(image, corners))


def _in_child(function, *args, timeout):
    """`function(*args)` in a forked child limited to `timeout` seconds (wall clock and CPU) and
    CHILD_MEMORY more bytes of address space; its pickled result, or None when it did not finish
    (killed, out of memory, failed, or no child could be started)."""
    import pickle
    import resource
    import select
    import signal

    receiving, sending = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to be had: as if it had not finished
        os.close(receiving)
        os.close(sending)
        return None
    if pid == 0:  # the child: compute, send, and leave without running the parent's exit handlers
        try:
            os.close(receiving)
            seconds = math.ceil(timeout) + 1
            signal.alarm(seconds)  # even blocked, it ends (SIGALRM's default), should its parent be gone
            resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
            resource.setrlimit(resource.RLIMIT_AS, (_address_space() + CHILD_MEMORY, resource.RLIM_INFINITY))
            payload = pickle.dumps(function(*args))
            with os.fdopen(sending, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)
    os.close(sending)
    chunks, ends_at = [], time.monotonic() + timeout
    try:
        while (left := ends_at - time.monotonic()) > 0:
            ready, _, _ = select.select([receiving], [], [], left)
            if not ready:
                break
            chunk = os.read(receiving, 1 << 16)
            if not chunk:  # the child is done: its result whole, or nothing
                try:
                    return pickle.loads(b"".join(chunks)) if chunks else None  # our own child's pickle
                except (pickle.UnpicklingError, EOFError, ValueError):
                    return None
            chunks.append(chunk)
        return None
    finally:
        os.close(receiving)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)


def _address_space():
    """This process's address space now, in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _codes(image, binarizers):
    """The proven confirmation marks on `image`, each with the corners of its symbol."""
    import zxingcpp

    found = []
    for binarizer in binarizers:
        for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode, binarizer=getattr(zxingcpp.Binarizer, binarizer),
                                              try_invert=False):
            mark = mark_in(barcode.text)
            if mark is not None:
                position = barcode.position
                found.append((mark, [(p.x, p.y) for p in (position.top_left, position.top_right,
                                                          position.bottom_right, position.bottom_left)]))
        if found:
            return found
    return found


def _photo_images(data):
    """The photo in grey, reduced, then whole, then evened out (a shadow across the page), then,
    when it is small, enlarged, then enlarged and sharpened; each with the binarizers to try on it."""
    from PIL import Image, ImageFilter, ImageOps

    from documents.uploads import _bounded_decoding

    decoded = {}

    def grey_at(long_side):
        """The photo in grey, its longer side at most about `long_side`: a JPEG decoded at the nearest
        reduced scale libjpeg offers, another format decoded once and reduced."""
        image = Image.open(io.BytesIO(data))
        ratio = long_side / max(image.size)
        if image.format == "JPEG":
            image.draft("L", (round(image.width * min(ratio, 1)), round(image.height * min(ratio, 1))))
            with _bounded_decoding():
                picture = ImageOps.grayscale(image) if image.mode != "L" else image.copy()
        else:
            if "whole" not in decoded:
                with _bounded_decoding():
                    decoded["whole"] = ImageOps.grayscale(image) if image.mode != "L" else image.copy()
            picture = decoded["whole"]
        factor = math.floor(max(picture.size) / long_side)
        return (picture.reduce(factor) if factor > 1 else picture), ratio

    first, ratio = grey_at(FIRST_LONG_SIDE)
    picture = first
    yield first, AS_TAKEN, 1
    if ratio < 1:  # larger than the first size: read it larger too
        picture, _ = grey_at(SECOND_LONG_SIDE)
        if picture.size != first.size:
            yield picture, AS_TAKEN, 2
    yield _evened(picture), EVENED, 3
    if max(picture.size) < SMALL_LONG_SIDE:  # a small photo: its modules are a few pixels wide
        yield picture.resize((picture.width * 3 // 2, picture.height * 3 // 2), Image.Resampling.BICUBIC), AS_TAKEN, 4
    # Last, a blurred (shaken) photo: enlarged by half and sharpened.
    enlarged = first.resize((first.width * 3 // 2, first.height * 3 // 2), Image.Resampling.BICUBIC)
    yield enlarged.filter(ImageFilter.UnsharpMask(radius=4, percent=200, threshold=0)), AS_TAKEN, 5


def _evened(image):
    """The image divided by the paper's brightness around each pixel: paper in shadow and in light
    alike comes out white, and a fixed threshold then tells the code's modules (`EVENED`)."""
    import numpy
    from PIL import Image

    pixels = numpy.asarray(image, dtype=numpy.float32)
    paper = _paper(pixels, block=max(8, max(image.size) // 64))
    return Image.fromarray(numpy.clip(pixels * 255 / numpy.maximum(paper, 1), 0, 255).astype(numpy.uint8))


def _pdf_images(data):
    """The PDF's last page, then its first ones, drawn in grey at each resolution in turn: each
    resolution is one round of `_read`."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        count = len(document)
        order = list(dict.fromkeys([count - 1, *range(min(count, PDF_PAGES_READ))]))[:PDF_PAGES_READ]
        for dpi in RENDER_DPIS:
            for index in order:
                page = document[index]
                try:
                    if _page_image_pixels(page) > PDF_PAGE_MAX_IMAGE_PIXELS:
                        continue
                    width, height = page.get_size()
                    scale = min(dpi / 72, RENDER_MAX_SIDE / max(width, height, 1))
                    image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
                finally:
                    page.close()
                yield image, AS_TAKEN, dpi
    finally:
        document.close()


def _page_image_pixels(page):
    import pypdfium2.raw as pdfium_c

    total = 0
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=PDF_FORM_DEPTH):
        width, height = image.get_px_size()
        total += width * height
    return total


def signature_ink(image, corners):
    """Whether the « Date et signature » box, located from the QR symbol's corners, holds ink;
    None when the box is not wholly in the picture, or its border is not found. A hint for staff,
    never a refusal.

    The box is rectified with a margin around it; its printed border is then found on that
    picture (the corners' imprecision grows with the distance from the code), and only what lies
    well inside it counts."""
    import numpy
    from PIL import Image, ImageFilter

    to_image = _homography(corners)
    x0, y0, x1, y1 = SIGNATURE_BOX
    m = BOX_SEARCH
    frame = [_apply(to_image, x, y) for x, y in ((x0 - m, y0 - m), (x1 + m, y0 - m), (x1 + m, y1 + m), (x0 - m, y1 + m))]
    if not all(0 <= x < image.width and 0 <= y < image.height for x, y in frame):
        return None
    scale = RECTIFIED_WIDTH / (x1 - x0 + 2 * m)  # pixels of the rectified picture per unit of the symbol's side
    width, height = RECTIFIED_WIDTH, round((y1 - y0 + 2 * m) * scale)
    to_frame = numpy.array([[1 / scale, 0, x0 - m], [0, 1 / scale, y0 - m], [0, 0, 1]])
    matrix = to_image @ to_frame
    matrix = matrix / matrix[2, 2]
    rectified = image.convert("L").transform((width, height), Image.Transform.PERSPECTIVE, tuple(matrix.flatten()[:8]),
                                             resample=Image.Resampling.BILINEAR)
    raw = numpy.asarray(rectified, dtype=numpy.float32)
    paper = numpy.maximum(_paper(raw), 1)
    ink = numpy.asarray(rectified.filter(ImageFilter.GaussianBlur(1)), dtype=numpy.float32) < INK_RATIO * paper
    line = raw < LINE_RATIO * paper  # the printed border, thin on a small photo, is looked for less strictly
    search = round(2 * m * scale)  # each border is looked for within this many pixels of where it should be
    inner_rows = slice(round(height * 0.3), round(height * 0.7))
    inner_columns = slice(round(width * 0.3), round(width * 0.7))
    columns, rows = line[inner_rows].mean(axis=0), line[:, inner_columns].mean(axis=1)
    expected = round(m * scale)  # where each border should be, from the frame's edge
    borders = [_border(columns[:search], expected), _border(columns[::-1][:search], expected),
               _border(rows[:search], expected), _border(rows[::-1][:search], expected)]
    if None in borders:  # a border not found: the box is not located, nothing is said
        return None
    left, top = borders[0], borders[2]
    right, bottom = width - 1 - borders[1], height - 1 - borders[3]
    pad = round(BORDER_PAD * scale)
    inside = ink[top + pad:bottom - pad, left + pad:right - pad]
    if inside.size == 0:
        return None
    return bool(inside.mean() > INK_MIN_SHARE)


def _border(profile, expected):
    """Where a printed border line crosses `profile` (the share of ink along each line, from the
    frame's edge inwards): the line nearest `expected` whose neighbourhood (a slanted or blurred
    border spreads over a few lines) holds at least BORDER_SEEN ink, or None."""
    import numpy

    spread = numpy.convolve(profile, numpy.ones(BORDER_WIDTH), mode="same")
    lines = numpy.flatnonzero(spread >= BORDER_SEEN)
    return None if lines.size == 0 else int(lines[numpy.argmin(numpy.abs(lines - expected))])


def _paper(pixels, block=16):
    """The paper's brightness around each pixel: the brightest of each block (ink is darker than
    paper), smoothed, at the picture's size; a shadow across the box darkens it alike."""
    import numpy
    from PIL import Image, ImageFilter

    height, width = pixels.shape
    rows, columns = -(-height // block), -(-width // block)
    padded = numpy.pad(pixels, ((0, rows * block - height), (0, columns * block - width)), mode="edge")
    brightest = padded.reshape(rows, block, columns, block).max(axis=(1, 3))
    smooth = Image.fromarray(brightest.astype(numpy.uint8)).filter(ImageFilter.BoxBlur(1))
    return numpy.asarray(smooth.resize((width, height), Image.Resampling.BILINEAR), dtype=numpy.float32)


def _homography(corners):
    """The projective map from the symbol's unit square to the image, from its four corners."""
    import numpy

    rows, values = [], []
    for (u, v), (x, y) in zip(((0, 0), (1, 0), (1, 1), (0, 1)), corners, strict=True):
        rows.append([u, v, 1, 0, 0, 0, -u * x, -v * x])
        rows.append([0, 0, 0, u, v, 1, -u * y, -v * y])
        values += [x, y]
    h = numpy.linalg.solve(numpy.array(rows, dtype=float), numpy.array(values, dtype=float))
    return numpy.append(h, 1).reshape(3, 3)


def _apply(matrix, x, y):
    u, v, w = matrix @ (x, y, 1)
    return u / w, v / w
