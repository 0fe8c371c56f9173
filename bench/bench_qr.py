"""The reading of a signed confirmation's QR code, on 50 phone photos and scans (tests/photographs.py).

Made once from a confirmation of version 7: about 35 photos (JPEG and a few PNG; any rotation, tilt
up to 30°, 2 to 12 MP, blur, noise, uneven light) and 15 image-only PDF scans, half of them signed,
two showing only the first page (no QR code: nothing is to be read there). Making them takes about
a minute; each is then read once, timed.
"""

import io
import statistics
import time

from bench.common import COMPLETE_ANSWERS, Row, median_ms, p95_ms

COUNT = 50
SEED = 0
VERSION = 7
TARGET_MS = 300
TARGET_CORRECT = 0.98


def run():
    from candidates.models import User
    from documents import pdf
    from documents.qr_reading import read_confirmation
    from documents.requirements import required_pieces
    from exams.models import ExamSession, Registration, Specialty
    from tests.photographs import photo_plan, photo_set

    user = User.objects.create_user("bench-qr@exemple.fr", "x" * 16, is_active=True, last_name="Lefèvre",
                                    first_name="Éloïse", address_line="12 rue de la Paix", postal_code="14000", city="Caen")
    registration = Registration.objects.create(candidate=user, session=ExamSession.objects.get(year=2024), number="2024-999998",
                                               version=VERSION, specialty=Specialty.objects.get(code="CG"), **COMPLETE_ANSWERS)
    confirmation = pdf.confirmation_pdf(registration, required_pieces(registration))
    uploads = photo_set(confirmation, COUNT, seed=SEED, version=VERSION)
    plan = photo_plan(COUNT, seed=SEED)

    read_confirmation(io.BytesIO(uploads[0].content), uploads[0].content_type)  # imports and first calls out of the timing
    samples, correct, wrong, missed, errors = [], 0, [], [], []
    ink_right, ink_judged, ink_wrong = 0, 0, []
    for upload in uploads:
        start = time.perf_counter()
        try:
            reading = read_confirmation(io.BytesIO(upload.content), upload.content_type)
        except Exception as error:  # counted as a miss, named below the table
            samples.append(time.perf_counter() - start)
            errors.append(f"{upload.name}: {error!r}")
            continue
        samples.append(time.perf_counter() - start)
        marks = set(reading.marks)
        if any((mark.number, mark.version) != (registration.number, upload.expected_version) for mark in marks):
            wrong.append(upload.name)
        if upload.expected_version is None:
            right = reading.mark is None
        else:
            right = reading.mark is not None and (reading.mark.number, reading.mark.version) == (registration.number, upload.expected_version)
        correct += right
        if not right:
            missed.append(upload.name)
        if reading.signature_ink is not None:  # the hint, on the copies whose box was located
            ink_judged += 1
            ink_right += reading.signature_ink == upload.signed
            if reading.signature_ink != upload.signed:
                ink_wrong.append(upload.name)
    big = [sample for sample, item, upload in zip(samples, plan, uploads, strict=True)
           if item["kind"] == "photo" and item["megapixels"] >= 12 and upload.expected_version is not None]

    for label, names in (("manquées", missed), ("fausses", wrong), ("erreurs", errors), ("signature mal jugée", ink_wrong)):
        if names:
            print(f"confirmation_qr : {label} : " + ", ".join(names))
    rate = correct / len(uploads)
    rate_ok = rate >= TARGET_CORRECT and not wrong and not errors
    return [
        Row("confirmation_qr_read", f"médiane {median_ms(samples):.0f} ms, p95 {p95_ms(samples):.0f} ms ({len(samples)} fichiers)",
            f"médiane < {TARGET_MS} ms", f"max {max(samples) * 1000:.0f} ms", median_ms(samples) < TARGET_MS),
        Row("confirmation_qr_read (photo 12 Mpx)", f"médiane {median_ms(big):.0f} ms ({len(big)} photos)", f"< {TARGET_MS} ms",
            f"max {max(big) * 1000:.0f} ms", statistics.median(big) * 1000 < TARGET_MS),
        Row("confirmation_qr_correct", f"{correct}/{len(uploads)} ({rate:.0%}), {len(wrong)} fausse(s), {len(errors)} erreur(s)",
            f"≥ {TARGET_CORRECT:.0%}, 0 fausse", f"{len(missed)} manquée(s)", rate_ok),
        Row("confirmation_signature_hint", f"{ink_right}/{ink_judged} cadres jugés comme ils sont (signé ou vide)",
            "indice seulement", f"{len(ink_wrong)} erreur(s)"),
    ]
