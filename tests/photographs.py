"""Signed confirmations as candidates send them back: phone photos and scans, made here.

A factory of test material for the reading of the confirmation's QR code (documents/qr_reading.py)
and its benchmark (bench/bench_qr.py). Nothing in it reads the portal's code: the « Date et
signature » box is found in the PDF itself, as any drawn rectangle of about 128 × 42 mm.

Every function is deterministic given its `seed` (numpy's Generator; Pillow draws no random number).

- `rendered_page`, `signature_box`: a page of the PDF as an image, and where its box stands on it;
- `sign`: a handwritten date and signature inside the box;
- `photograph`: a phone photo of the printed page lying on a table (any rotation, perspective,
  uneven light, blur, noise, 2–12 MP, JPEG or PNG);
- `scan_to_pdf`: an image-only PDF, as a scanner makes (slightly skewed, grey or colour);
- `photo_plan`, `photo_set`: 50 such files over the ranges a reader must handle.
"""

import io
import math
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72
BOX_MM = (128, 42)


# -- The PDF -----------------------------------------------------------------------------------


def _page(pdf_bytes, page_index):
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf_bytes)
    count = len(document)
    index = page_index + count if page_index < 0 else page_index  # pypdfium2 takes no negative index
    if not 0 <= index < count:
        raise IndexError(f"page {page_index} of a PDF of {count} pages")
    return document, document[index]


def rendered_page(pdf_bytes, page_index=-1, dpi=200):
    """A page of the PDF as an RGB image at `dpi` (pdfium, white paper)."""
    document, page = _page(pdf_bytes, page_index)
    try:
        return page.render(scale=dpi / POINTS_PER_INCH).to_pil().convert("RGB")
    finally:
        page.close()
        document.close()


def signature_box(pdf_bytes, page_index=-1, dpi=200):
    """(x0, y0, x1, y1), in pixels of `rendered_page(pdf_bytes, page_index, dpi)`: the drawn
    rectangle of about 128 × 42 mm (the « Date et signature » box), found among the page's paths."""
    import pypdfium2.raw as pdfium_c

    document, page = _page(pdf_bytes, page_index)
    try:
        page_height = page.get_height()
        scale = dpi / POINTS_PER_INCH
        for path in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1):  # top level: page coordinates
            left, bottom, right, top = path.get_bounds()
            width_mm, height_mm = ((right - left) / POINTS_PER_INCH * MM_PER_INCH, (top - bottom) / POINTS_PER_INCH * MM_PER_INCH)
            if abs(width_mm - BOX_MM[0]) < 2 and abs(height_mm - BOX_MM[1]) < 2:
                return (round(left * scale), round((page_height - top) * scale), round(right * scale), round((page_height - bottom) * scale))
    finally:
        page.close()
        document.close()
    raise LookupError(f"no path of about {BOX_MM[0]} × {BOX_MM[1]} mm on page {page_index}")


# -- A date and a signature --------------------------------------------------------------------

# Digits and the slash as strokes in a cell of 1 × 1 (y down), the way a hand writes them.
_GLYPHS = {
    "0": [[(0.5 + 0.4 * math.sin(a), 0.5 - 0.5 * math.cos(a)) for a in np.linspace(0, 2 * math.pi, 13)]],
    "1": [[(0.25, 0.3), (0.6, 0.0), (0.55, 1.0)]],
    "2": [[(0.1, 0.25), (0.35, 0.0), (0.75, 0.05), (0.8, 0.35), (0.1, 1.0), (0.95, 0.98)]],
    "3": [[(0.1, 0.1), (0.6, 0.0), (0.8, 0.2), (0.4, 0.45), (0.85, 0.7), (0.6, 1.0), (0.1, 0.9)]],
    "4": [[(0.7, 1.0), (0.65, 0.0), (0.05, 0.65), (0.95, 0.65)]],
    "5": [[(0.85, 0.0), (0.2, 0.02), (0.15, 0.45), (0.6, 0.4), (0.85, 0.7), (0.6, 1.0), (0.1, 0.9)]],
    "6": [[(0.75, 0.05), (0.3, 0.3), (0.15, 0.7), (0.45, 1.0), (0.8, 0.8), (0.6, 0.5), (0.2, 0.65)]],
    "7": [[(0.1, 0.0), (0.9, 0.0), (0.4, 1.0)], [(0.35, 0.5), (0.75, 0.5)]],
    "8": [[(0.5, 0.45), (0.2, 0.2), (0.5, 0.0), (0.8, 0.2), (0.2, 0.75), (0.5, 1.0), (0.8, 0.75), (0.5, 0.45)]],
    "9": [[(0.8, 0.3), (0.5, 0.0), (0.2, 0.2), (0.4, 0.5), (0.8, 0.3), (0.75, 1.0)]],
    "/": [[(0.8, 0.0), (0.2, 1.0)]],
    ".": [[(0.45, 0.95), (0.5, 1.0)]],
}


def _chaikin(points, rounds=2):
    points = np.asarray(points, dtype=float)
    for _ in range(rounds):
        if len(points) < 3:
            break
        q = 0.75 * points[:-1] + 0.25 * points[1:]
        r = 0.25 * points[:-1] + 0.75 * points[1:]
        points = np.vstack([points[:1], np.column_stack([q, r]).reshape(-1, 2), points[-1:]])
    return points


def _date_text(rng):
    day, month, year = int(rng.integers(1, 29)), int(rng.integers(1, 13)), int(rng.choice([2023, 2024, 2025]))
    separator = str(rng.choice(["/", "."]))
    year_text = str(year) if rng.random() < 0.6 else str(year)[2:]
    return f"{day:02d}{separator}{month:02d}{separator}{year_text}" if rng.random() < 0.7 else f"{day}{separator}{month}{separator}{year_text}"


def _date_strokes(rng, origin, height):
    """The strokes of a date, each an (n, 2) array, written from `origin` (top left) in cells of `height`."""
    x, y = origin
    slant = rng.uniform(0.05, 0.35)
    drift = rng.uniform(-0.08, 0.08)
    strokes = []
    for char in _date_text(rng):
        width = height * (0.35 if char in "/." else rng.uniform(0.5, 0.65))
        for template in _GLYPHS[char]:
            cell = np.asarray(template, dtype=float) + rng.normal(0, 0.05, (len(template), 2))
            points = np.column_stack([x + cell[:, 0] * width + (1 - cell[:, 1]) * slant * height, y + cell[:, 1] * height])
            strokes.append(_chaikin(points))
        x += width + height * rng.uniform(0.08, 0.2)
        y += drift * width
    return strokes


def _cursive_word(rng, left, base, width, height, slant):
    """A word written in one stroke: a capital's tall loop, then letters as arches along a baseline
    (some tall, some looped back), leaning by `slant`."""
    letters = int(rng.integers(4, 9))
    weights = rng.uniform(0.7, 1.3, letters + 1)
    widths = width * weights / weights.sum()
    xs, ys = [], []
    x = left
    for index, letter_width in enumerate(widths):
        capital = index == 0
        tall = capital or rng.random() < 0.25
        letter_height = height * (rng.uniform(0.8, 1.0) if capital else rng.uniform(0.55, 0.9) if tall else rng.uniform(0.22, 0.4))
        loop = rng.uniform(1.3, 2.2) if capital else rng.uniform(1.1, 1.8) if tall or rng.random() < 0.3 else rng.uniform(0.2, 0.8)
        t = np.linspace(0, 1, 36, endpoint=False)
        turn = 1 if tall else -1  # a tall letter loops back at its top, a short one at its foot
        xs.append(x + letter_width * (t + turn * loop / (2 * math.pi) * np.sin(2 * math.pi * t)))
        ys.append(base - letter_height * (1 - np.cos(2 * math.pi * t)) / 2 + height * rng.normal(0, 0.02))
        x += letter_width
    xs, ys = np.concatenate(xs), np.concatenate(ys)
    xs = xs + (base - ys) * slant
    return _chaikin(np.column_stack([xs, ys]), rounds=1)


def _signature_strokes(rng, left, top, width, height):
    """A signature: one or two cursive words on a drifting baseline, often a flourish under them."""
    strokes = []
    words = int(rng.integers(1, 3))
    slant = rng.uniform(0.0, 0.45)
    base = top + height * rng.uniform(0.72, 0.8)
    x = left
    for word in range(words):
        word_width = width * (rng.uniform(0.25, 0.35) if words == 2 and word == 0 else rng.uniform(0.5, 0.7))
        strokes.append(_cursive_word(rng, x, base, word_width, height * 0.8, slant))
        x += word_width + width * rng.uniform(0.05, 0.1)
        base += height * rng.uniform(-0.08, 0.08)
    if rng.random() < 0.7:  # a flourish from the end back under the name
        t = np.linspace(0, 1, 80)
        end = min(x, left + width)
        fx = end - (end - left) * rng.uniform(0.6, 0.95) * t
        fy = top + height * (rng.uniform(0.88, 0.98) - 0.1 * np.sin(math.pi * t) + rng.uniform(-0.06, 0.06) * t)
        strokes.append(np.column_stack([fx, fy]))
    return strokes


INK = {"blue": (28, 48, 150), "black": (22, 22, 28)}


def sign(page, box, *, seed=0):
    """A copy of `page` dated and signed by hand inside `box` (x0, y0, x1, y1): blue or black ink,
    strokes of 2 to 4 px at 200 dpi (scaled with the box), never outside the box's inner edge."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = box
    px_per_mm = (x1 - x0) / BOX_MM[0]
    inset = math.ceil(1.2 * px_per_mm)  # past the border (0.4 mm) and a margin
    width, height = x1 - x0 - 2 * inset, y1 - y0 - 2 * inset
    supersampling = 3
    canvas = Image.new("L", (width * supersampling, height * supersampling), 0)
    draw = ImageDraw.Draw(canvas)
    stroke = rng.uniform(2, 4) * px_per_mm / (200 / MM_PER_INCH)  # 2–4 px at 200 dpi

    date_height = height * rng.uniform(0.14, 0.22)
    strokes = _date_strokes(rng, (width * rng.uniform(0.03, 0.12), height * rng.uniform(0.06, 0.18)), date_height)
    signature_width = width * rng.uniform(0.35, 0.55)
    signature_left = width * rng.uniform(0.15, 0.9 - signature_width / width)
    strokes += _signature_strokes(rng, signature_left, height * rng.uniform(0.3, 0.36), signature_width, height * rng.uniform(0.5, 0.62))
    for points in strokes:
        points = points * supersampling
        pressure = rng.uniform(0.8, 1.15)
        for start in range(0, len(points) - 1, 20):  # the pressure varies along the stroke
            chunk = [tuple(p) for p in points[start:start + 21]]
            line_width = max(1, round(stroke * supersampling * pressure * rng.uniform(0.85, 1.15)))
            draw.line(chunk, fill=255, width=line_width, joint="curve")
    opacity = rng.uniform(0.82, 0.95)
    mask = canvas.resize((width, height), Image.Resampling.LANCZOS).point(lambda v: round(v * opacity))
    colour = INK["blue" if rng.random() < 0.6 else "black"]
    colour = tuple(int(np.clip(c + rng.normal(0, 8), 0, 255)) for c in colour)
    signed = page.copy()
    signed.paste(Image.new("RGB", mask.size, colour), (x0 + inset, y0 + inset), mask)  # the mask is the box's inside: no ink outside
    return signed


# -- A phone photo -----------------------------------------------------------------------------


_STEP = 8  # the light, the table and its shadow are made at 1/_STEP of the frame


def _frame_size(megapixels, portrait):
    long_side = math.sqrt(megapixels * 1e6 * 4 / 3)
    long_side, short_side = round(long_side), round(long_side * 3 / 4)
    return (short_side, long_side) if portrait else (long_side, short_side)


def _perspective_coefficients(source, target):
    """Pillow's PERSPECTIVE data: the homography taking each `target` corner (output) to its `source` corner (input)."""
    rows, values = [], []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    return tuple(np.linalg.solve(np.asarray(rows, dtype=float), np.asarray(values, dtype=float)))


def _camera_view(width, height, rng, *, rotation, tilt):
    """The page's four corners (top left, top right, bottom right, bottom left) as a camera sees them:
    turned by `rotation` degrees (counter-clockwise, like Image.rotate), its plane tilted by `tilt`
    degrees about a random axis of the page, seen in perspective from a phone's distance."""
    corners = np.array([[-width / 2, -height / 2, 0], [width / 2, -height / 2, 0], [width / 2, height / 2, 0], [-width / 2, height / 2, 0]])
    angle = math.radians(rotation)
    turn = np.array([[math.cos(angle), math.sin(angle), 0], [-math.sin(angle), math.cos(angle), 0], [0, 0, 1]])
    corners = corners @ turn.T
    axis_angle = rng.uniform(0, 2 * math.pi)
    axis = np.array([math.cos(axis_angle), math.sin(axis_angle), 0])
    theta = math.radians(tilt)
    cross = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    tilt_matrix = np.eye(3) + math.sin(theta) * cross + (1 - math.cos(theta)) * cross @ cross  # Rodrigues
    corners = corners @ tilt_matrix.T
    distance = rng.uniform(1.1, 1.7) * max(width, height)  # a phone held 30 to 50 cm above an A4 page
    return corners[:, :2] * (distance / (distance + corners[:, 2:3]))


def _smooth_field(rng, size, cells, octaves=3):
    """Low-frequency noise in [0, 1] of `size` (w, h), a sum of upsampled random grids."""
    width, height = size
    field = np.zeros((height, width), dtype=np.float32)
    for octave in range(octaves):
        n = cells * 2 ** octave
        grid = rng.random((max(2, round(n * height / width)), n)).astype(np.float32)
        field += np.asarray(Image.fromarray(grid, "F").resize(size, Image.Resampling.BICUBIC)) / 2 ** octave
    field -= field.min()
    return field / max(float(field.max()), 1e-6)


def _table(rng, size):
    """A table seen from above, at `size` (an eighth of the frame): a darker surface, grain and blotches, wood, laminate or fabric."""
    small = size
    kind = rng.choice(["wood", "laminate", "fabric"])
    base = np.array({"wood": (120, 82, 50), "laminate": (95, 95, 100), "fabric": (70, 78, 96)}[kind], dtype=np.float32)
    base *= rng.uniform(0.7, 1.2)
    blotches = _smooth_field(rng, small, 4)
    shade = 0.8 + 0.35 * blotches
    if kind == "wood":  # grain along one direction
        grain = _smooth_field(rng, (small[0], 4), 6, octaves=4)
        grain = np.asarray(Image.fromarray(grain, "F").resize(small, Image.Resampling.BILINEAR))
        shade = shade * (0.85 + 0.3 * grain)
    texture = np.clip(base[None, None, :] * shade[:, :, None], 0, 255).astype(np.uint8)
    table = Image.fromarray(texture, "RGB")
    if kind == "wood" and rng.random() < 0.5:
        table = table.transpose(Image.Transpose.ROTATE_90).resize(size)
    return table


def _noise_layer(rng, size, sigma):
    """Additive noise of `sigma` grey levels around 128, correlated over 2 × 2 pixels as a phone's
    denoised sensor noise is (and made at a quarter of the pixels: 12 MP of noise take no second)."""
    half = (max(1, size[0] // 2), max(1, size[1] // 2))
    luma = rng.standard_normal((half[1], half[0], 1), dtype=np.float32)
    chroma = np.repeat(np.repeat(rng.standard_normal(((half[1] + 1) // 2, (half[0] + 1) // 2, 3), dtype=np.float32), 2, 0), 2, 1)
    noise = np.clip(128 + sigma * 1.4 * (luma + 0.5 * chroma[:half[1], :half[0]]), 0, 255).astype(np.uint8)  # ×1.4: the upsampling smooths it
    return Image.fromarray(noise, "RGB").resize(size, Image.Resampling.BILINEAR)


def photograph(page, *, seed, rotation=0.0, tilt=0.0, megapixels=12, blur=0.0, noise=0.0, uneven_light=0.0, jpeg_quality=60, fmt="JPEG"):
    """A phone photo of the printed `page` lying on a table, as the bytes of a JPEG (or PNG).

    rotation: degrees, any (counter-clockwise); tilt: 0–30°, the camera's angle from square above
    the page (a homography); megapixels: the frame's size (4:3, oriented like the page's outline);
    blur: a Gaussian radius in pixels of the frame; noise: its sigma in grey levels; uneven_light:
    0–1, a shadow across the page darkening its far side down to 45 % at 1. The page fills 60 to 88 %
    of the frame on its limiting side, wholly inside it."""
    rng = np.random.default_rng(seed)
    quad = _camera_view(page.width, page.height, rng, rotation=rotation, tilt=tilt)
    spread = quad.max(axis=0) - quad.min(axis=0)
    frame = _frame_size(megapixels, portrait=spread[1] >= spread[0])
    fill = rng.uniform(0.60, 0.88)
    scale = fill * min(frame[0] / spread[0], frame[1] / spread[1])
    quad = (quad - quad.min(axis=0)) * scale
    room = np.array(frame) - (quad.max(axis=0) + 1)
    quad += room * rng.uniform(0.25, 0.75, 2)

    # The page brought near its size in the frame first (the warp alone would alias it), and
    # blurred there: the same blur, in fewer pixels than the frame's.
    linear_scale = math.sqrt(abs(_polygon_area(quad)) / (page.width * page.height))
    source = page.convert("RGB")
    if linear_scale < 0.9:
        source = source.resize((round(page.width * linear_scale), round(page.height * linear_scale)), Image.Resampling.LANCZOS)
    w, h = source.size
    if blur > 0:
        source = source.filter(ImageFilter.GaussianBlur(blur * w / (page.width * linear_scale)))
    source.putalpha(255)
    coefficients = _perspective_coefficients([(0, 0), (w, 0), (w, h), (0, h)], [tuple(p) for p in quad])
    warped = source.transform(frame, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC)
    paper = warped.getchannel("A")

    # Light (exposure, white balance, a shadow across the page, a vignette) as a gain, and the
    # table darkened around the page by its soft shadow, both made at an eighth of the frame.
    paper_small = paper.reduce(_STEP)
    small = paper_small.size
    gain_small = ImageChops.multiply(_lighting(rng, frame, small, quad, uneven_light), Image.new("RGB", small, _white_balance(rng)))
    shadow = paper_small.filter(ImageFilter.GaussianBlur(rng.uniform(2, 6)))
    shadow = ImageChops.offset(shadow, *(int(v) for v in rng.integers(-3, 4, 2))).point(lambda v: 255 - round(v * 0.45))
    table = ImageChops.multiply(ImageChops.multiply(_table(rng, small), Image.merge("RGB", [shadow] * 3)), gain_small)
    photo = table.resize(frame, Image.Resampling.BILINEAR)
    lit_page = ImageChops.multiply(warped.convert("RGB"), gain_small.resize(frame, Image.Resampling.BILINEAR))
    photo.paste(lit_page, (0, 0), paper)
    if noise > 0:
        photo = ImageChops.add(photo, _noise_layer(rng, frame, noise), scale=1.0, offset=-128)
    output = io.BytesIO()
    if fmt.upper() == "PNG":
        photo.save(output, "PNG", compress_level=3)
    else:
        photo.save(output, "JPEG", quality=int(jpeg_quality))
    return output.getvalue()


def _polygon_area(points):
    x, y = points[:, 0], points[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _white_balance(rng):
    exposure = rng.uniform(0.8, 0.97)
    warmth = rng.uniform(-0.06, 0.1)  # a lamp's yellow to a cloudy day's blue
    return tuple(round(255 * exposure * np.clip(c, 0, 1)) for c in (1 + warmth * 0.3, 1.0, 1 - warmth))


def _lighting(rng, frame, small, quad, uneven_light):
    """The gain of each pixel (RGB, 255 = 1): a soft shadow (a head's, a phone's) across the page in
    a random direction, from 1 on its lit side down to 1 − 0.55 × uneven_light on the other (the
    camera exposes for the lit side), and a vignette."""
    ys, xs = np.mgrid[0:small[1], 0:small[0]].astype(np.float32) * _STEP + _STEP / 2
    direction = rng.uniform(0, 2 * math.pi)
    unit = np.array([math.cos(direction), math.sin(direction)])
    reach = quad @ unit
    along = ((xs * unit[0] + ys * unit[1]) - reach.min()) / max(float(reach.max() - reach.min()), 1e-6)  # 0 → 1 across the page
    softness = rng.uniform(0.8, 2.5)
    middle = rng.uniform(0.35, 0.65)

    def sigmoid(v):
        return 1 / (1 + np.exp(-(v - middle) * 10 / softness))

    shade = np.clip((sigmoid(along) - sigmoid(0)) / (sigmoid(1) - sigmoid(0)), 0, 1)
    gain = 1 - 0.55 * uneven_light * shade
    centred_x, centred_y = xs / frame[0] - 0.5, ys / frame[1] - 0.5
    gain *= 1 - rng.uniform(0.05, 0.2) * (centred_x ** 2 + centred_y ** 2) * 2  # vignette
    gain = np.clip(gain * 255, 0, 255).astype(np.uint8)
    return Image.fromarray(gain, "L").convert("RGB")


# -- A scan ------------------------------------------------------------------------------------


def scan_to_pdf(pages, *, seed, dpi=200, skew=0.0, grayscale=True, jpeg_quality=75):
    """An image-only PDF (no text layer), one page per image, as a scanner makes: each page turned by
    up to `skew` degrees (either way), its paper a little grey, light noise and the glass's softness,
    in grey or colour, JPEG-compressed at `jpeg_quality`, its pages sized for `dpi`."""
    rng = np.random.default_rng(seed)
    scans = []
    for page in pages:
        paper = round(rng.uniform(232, 250))
        image = page.convert("RGB")
        image = image.point(lambda v, paper=paper: round(12 + v * (paper - 12) / 255))  # toner not quite black, paper not quite white
        angle = float(skew * rng.choice([-1, 1]) * rng.uniform(0.7, 1.0))
        shift = tuple(float(v) for v in rng.uniform(-0.01, 0.01, 2) * image.size)
        image = image.rotate(angle, Image.Resampling.BICUBIC, translate=shift, fillcolor=(paper,) * 3)
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7)))
        image = ImageChops.add(image, _noise_layer(rng, image.size, rng.uniform(1, 3)), scale=1.0, offset=-128)
        scans.append(image.convert("L") if grayscale else image)
    output = io.BytesIO()
    scans[0].save(output, "PDF", resolution=dpi, save_all=True, append_images=scans[1:], quality=int(jpeg_quality))
    return output.getvalue()


# -- A set -------------------------------------------------------------------------------------


class Upload(NamedTuple):
    name: str
    content_type: str
    content: bytes
    expected_version: int | None  # None: no confirmation's QR code on it
    signed: bool


def _spread(rng, count, low, high):
    """`count` values over [low, high], one in each of `count` equal slices, in random order (a Latin hypercube's column)."""
    return low + (high - low) * (rng.permutation(count) + rng.random(count)) / count


def photo_plan(count=50, *, seed=0, unexpected=2):
    """The parameters of `photo_set`'s files, in its order: dicts with kind ("photo" or "scan"),
    page ("last", "both", "first"), signed, seed, and photograph's or scan_to_pdf's keywords.

    About 70 % photos (a few PNG) and 30 % scans; `unexpected` of them (half photos, half scans) show
    only the first page, which has no QR code. Each range is covered evenly (one value per slice)."""
    rng = np.random.default_rng(seed)
    scans = round(count * 0.3)
    photos = count - scans
    photo_unexpected, scan_unexpected = (unexpected + 1) // 2, unexpected // 2
    rotations = _spread(rng, photos, 0, 360)
    square = rng.permutation(photos)[: photos // 4]  # a quarter held square to the page: 0, 90, 180 or 270 plus a few degrees
    rotations[square] = rng.choice([0, 90, 180, 270], len(square)) + rng.uniform(-4, 4, len(square))
    tilts, blurs, noises, lights, qualities = (_spread(rng, photos, *r) for r in ((0, 30), (0, 1.5), (0, 8), (0, 1), (60, 90)))
    megapixels = np.concatenate([np.full(photos // 3, 12.0), _spread(rng, photos - photos // 3, 2, 12)])[rng.permutation(photos)]
    signed = rng.permutation(np.arange(photos) % 2 == 0)
    plan = []
    for i in range(photos):
        png = i % 8 == 5  # a PNG of a phone photo is large: at most 5 MP, under the portal's 10 MB
        first = i >= photos - photo_unexpected
        plan.append({
            "kind": "photo", "page": "first" if first else "last", "signed": bool(signed[i]) and not first,
            "seed": int(rng.integers(2**31)), "fmt": "PNG" if png else "JPEG", "rotation": round(float(rotations[i]) % 360, 1),
            "tilt": round(float(tilts[i]), 1), "megapixels": round(min(float(megapixels[i]), 5.0) if png else float(megapixels[i]), 1),
            "blur": round(float(blurs[i]), 2), "noise": round(float(noises[i]), 1), "uneven_light": round(float(lights[i]), 2),
            "jpeg_quality": int(qualities[i]),
        })
    skews = _spread(rng, scans, 0, 3)
    signed = rng.permutation(np.arange(scans) % 2 == 0)
    for i in range(scans):
        first = i >= scans - scan_unexpected
        plan.append({
            "kind": "scan", "page": "first" if first else ("both" if i % 2 == 0 else "last"), "signed": bool(signed[i]) and not first,
            "seed": int(rng.integers(2**31)), "skew": round(float(skews[i]), 2), "grayscale": i % 3 != 1,
            "jpeg_quality": int(rng.integers(60, 91)), "dpi": int(rng.choice([150, 200, 300])),
        })
    return plan


def photo_set(pdf_bytes, count=50, *, seed=0, version=None, unexpected=2):
    """`count` files made from the confirmation `pdf_bytes` (made at `version`), see `photo_plan`:
    a list of Upload(name, content_type, content, expected_version, signed), where expected_version
    is `version` for a file showing the last page (its QR code) and None for one showing only the first."""
    rendered = {}

    def page(index, dpi, signed, seed):
        key = (index, dpi)
        if key not in rendered:
            rendered[key] = rendered_page(pdf_bytes, index, dpi)
        image = rendered[key]
        if signed and index == -1:
            image = sign(image, signature_box(pdf_bytes, index, dpi), seed=seed)
        return image

    uploads = []
    for number, item in enumerate(photo_plan(count, seed=seed, unexpected=unexpected)):
        expected = None if item["page"] == "first" else version
        label = f"{number:02d}-{'page1' if item['page'] == 'first' else 'signee' if item['signed'] else 'vierge'}"
        if item["kind"] == "photo":
            image = page(0 if item["page"] == "first" else -1, 200, item["signed"], item["seed"])
            keywords = {k: item[k] for k in ("rotation", "tilt", "megapixels", "blur", "noise", "uneven_light", "jpeg_quality", "fmt")}
            content = photograph(image, seed=item["seed"], **keywords)
            extension, content_type = ("png", "image/png") if item["fmt"] == "PNG" else ("jpg", "image/jpeg")
            name = f"photo-{label}-{item['megapixels']:g}mp-r{item['rotation']:.0f}-t{item['tilt']:.0f}.{extension}"
        else:
            indexes = {"both": [0, -1], "last": [-1], "first": [0]}[item["page"]]
            pages = [page(index, item["dpi"], item["signed"], item["seed"]) for index in indexes]
            content = scan_to_pdf(pages, seed=item["seed"], dpi=item["dpi"], skew=item["skew"], grayscale=item["grayscale"],
                                  jpeg_quality=item["jpeg_quality"])
            content_type = "application/pdf"
            pages_label = {"both": "2pages", "last": "page2", "first": "page1"}[item["page"]]
            name = f"scan-{label}-{pages_label}-{item['dpi']}dpi-{'gris' if item['grayscale'] else 'couleur'}.pdf"
        uploads.append(Upload(name, content_type, content, expected, item["signed"]))
    return uploads
