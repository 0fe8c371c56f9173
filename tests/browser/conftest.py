import os
from pathlib import Path

import pytest

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


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """The rows the data migrations load (site texts, the 2024 session, the specialties).

    Transactional tests empty the database when they end, so each browser test loads them again
    with the migrations' own idempotent functions rather than rely on what an earlier test left.
    """
    from importlib import import_module

    from django.apps import apps

    for module in ["portal.migrations.0002_site_config", "exams.migrations.0002_session_2024_and_specialties",
                   "documents.migrations.0002_pieces_and_requirements_2024",
                   "documents.migrations.0006_reasons_and_staff_group"]:
        import_module(module).load(apps, None)
