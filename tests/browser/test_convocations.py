"""On a phone, « Mes convocations » after a time slot moved: the new version says so, and the PDF
and the calendar the candidate downloads are the new ones."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exams import convocations
from exams.models import Convocation, ExamSlot, Specialty
from tests.browser.helpers import PASSWORD, PHONE, log_in
from tests.exams.helpers import schedule
from tests.factories import RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_candidate_sees_the_new_version_after_a_slot_moved_and_downloads_it(live_server, page, settings, tmp_path):
    from importlib import import_module

    from django.apps import apps

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    import_module("exams.migrations.0008_epreuves_seed").load(apps, None)
    bat = Specialty.objects.get(code="BAT")
    registration = RegistrationFactory(candidate=UserFactory(email="camille@exemple.fr", password=PASSWORD), specialty=bat,
                                       status="locked")
    schedule(registration.session, bat, timezone.now() + timedelta(days=20))
    convocations.convocations_publish(session=registration.session, specialty=bat)
    convocation = Convocation.objects.get()
    convocations.convocation_deliver(convocation)
    slot = ExamSlot.objects.get(session=registration.session, epreuve__code="E1")
    before = ExamSlot.objects.get(pk=slot.pk)
    slot.starts_at += timedelta(hours=2)
    slot.save()
    convocations.slot_changed_after_publication(slot=slot, before=before)
    convocations.convocation_deliver(Convocation.objects.select_related("registration").get())

    page.set_viewport_size(PHONE)
    log_in(page, live_server, "camille@exemple.fr", PASSWORD)
    page.goto(live_server.url + "/inscription/convocations/")
    expect(page.get_by_text("Version 2 : un horaire ou un lieu a changé depuis")).to_be_visible()
    page.screenshot(path="/tmp/shots/convocations-version-2.png", full_page=True)
    for label in ["Télécharger ma convocation (PDF)", "Ajouter mes épreuves à mon agenda (.ics)"]:
        assert page.get_by_role("link", name=label).bounding_box()["width"] > 200  # its words drawn, not a bare icon
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger ma convocation (PDF)").click()
    assert download.value.suggested_filename.endswith("v2.pdf")
    with page.expect_download() as calendar:
        page.get_by_role("link", name="Ajouter mes épreuves à mon agenda (.ics)").click()
    assert b"SEQUENCE:1" in open(calendar.value.path(), "rb").read()
