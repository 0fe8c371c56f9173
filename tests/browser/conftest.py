import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from documents.requirements import requirements_copy
from exams.models import ExamSession, Specialty
from tests.browser.helpers import PASSWORD
from tests.factories import ExamSessionFactory, RegistrationFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(reason="Debian's chromium is not installed (.ci/run installs it)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test
    # itself are still synchronous, so Django's async guard is lifted for browser tests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    """A page on a phone (390×844), in French, on Paris time: how candidates meet the portal."""
    from tests.browser.helpers import PHONE

    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _reference_data_in_each_browser_test(reference_data):
    """Browser tests run in transactions of their own (live server): see `reference_data`."""


@pytest.fixture
def a11y_page(browser):
    from tests.browser.helpers import AXE

    if not AXE.exists():
        pytest.skip(reason="axe-core is not installed: npm ci --prefix tests/a11y (.ci/run does it)")
    # axe is injected as a script: the page's own CSP would refuse it, so this context ignores it.
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def registration(settings, tmp_path):
    """Camille's registration in a session open now (with the 2024 matrix), its uploads in a folder of the test's own."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    now = timezone.now()
    session = ExamSessionFactory(year=2125, registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=9))
    requirements_copy(from_session=ExamSession.objects.get(year=2024), to_session=session)
    user = UserFactory(email="camille@exemple.fr", password=PASSWORD)
    return RegistrationFactory(candidate=user, session=session, number="2125-000001")


@pytest.fixture
def journey_registration():
    """Camille's registration for an open session, BTS Maintenance des systèmes option B (a
    specialty with options, its matrix copied from 2024): the pages walked by the journey checks."""
    now = timezone.now()
    session = ExamSessionFactory(year=2125, registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=9))
    requirements_copy(from_session=ExamSession.objects.get(year=2024), to_session=session)
    user = UserFactory(email="camille@exemple.fr", password=PASSWORD)
    ms = Specialty.objects.get(code="MS")
    return RegistrationFactory(candidate=user, session=session, number="2125-000001", specialty=ms, option=ms.options.get(code="B"))
