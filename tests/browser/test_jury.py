"""At 1366×768, a member of « Jury » confirms the decisions the marks give from the registrations
list, and sees who imported which marks file; the candidate then reads the jury's decision."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from candidates.management.commands.add_totp_device import totp_device_for
from exams.models import JuryDecision, Specialty
from tests.browser.test_staff_admin import LAPTOP, log_in_to_admin
from tests.exams.helpers import give_marks
from tests.factories import RegistrationFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSING = {"E1": "14", "E2": "14", "E31": "14", "E32": "14", "E4": "14", "E5": "14", "E6": "14"}
SHOTS = Path("/tmp/shots")


def test_a_jury_member_confirms_the_decisions_in_one_action(live_server, page):
    from importlib import import_module

    from django.apps import apps

    for module in ["exams.migrations.0008_epreuves_seed", "exams.migrations.0016_jury_group"]:
        import_module(module).load(apps, None)
    registration = RegistrationFactory(specialty=Specialty.objects.get(code="BAT"), status="locked")
    give_marks(registration, PASSING)
    waiting = RegistrationFactory(specialty=registration.specialty, status="locked")
    member = StaffFactory(email="presidente.jury@ac-normandie.fr", first_name="Hélène", last_name="Lemaire", is_superuser=False)
    member.groups.add(Group.objects.get(name="Jury"))

    page.set_viewport_size(LAPTOP)
    log_in_to_admin(page, live_server, member, totp_device_for(member))
    page.goto(live_server.url + "/admin/exams/registration/")
    page.locator("#action-toggle").check()
    page.get_by_role("combobox", name="Action").select_option(label="Confirmer la décision du jury calculée d'après les notes")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("1 décision du jury confirmée.")).to_be_visible()
    expect(page.get_by_text(f"{waiting.number}\u00a0: les notes ne permettent pas encore de décision")).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "jury-confirmed.png"), full_page=True)

    decision = JuryDecision.objects.get()
    assert (decision.registration, decision.verdict, decision.confirmed_by) == (registration, "admis", member)
    assert decision.confirmed_at <= timezone.now()
    page.goto(live_server.url + "/admin/exams/jurydecision/")
    expect(page.get_by_role("cell", name="LEMAIRE Hélène (presidente.jury@ac-normandie.fr)")).to_be_visible()  # who confirmed
