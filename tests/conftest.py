import os

import pytest

from tests.factories import StaffFactory, UserFactory
from tests.fc_provider import franceconnect, franceconnect_provider  # noqa: F401 - fixtures: the test FranceConnect
from tests.portal.helpers import log_in_with_second_factor


@pytest.fixture(autouse=True)
def _celery_runs_tasks_inline(settings):
    """Unit tests run tasks in-process; tests/portal/test_celery_worker.py starts a real worker."""
    from portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _a_cache_of_its_own(settings):
    """Each test starts with an empty in-memory cache: a cached requirement matrix or site
    configuration from another test (or another run, in Redis) must not leak in."""
    import uuid

    settings.CACHES = {alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
                       for alias in ("default", "local")}


@pytest.fixture(autouse=True)
def _media_of_its_own(settings, tmp_path_factory):
    """Files a test stores (factories, uploads, PDFs) go to a folder of the test run, never to the
    developer's var/media (tests/documents/conftest.py gives each test a folder of its own)."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path_factory.getbasetemp() / "media")}}}


@pytest.fixture(autouse=True)
def _antivirus_off_unless_asked(settings):
    """Uploads are stored "unscanned" unless a test asks for the antivirus (the `clamd` fixture,
    or CLAMD_URL set with a fake scanner): a developer's own CLAMD_URL does not leak in."""
    settings.CLAMD_URL = ""


@pytest.fixture
def clamd(settings):
    """A real clamd loaded with the EICAR test signature: .ci/run starts one and sets CLAMD_TEST_URL."""
    url = os.environ.get("CLAMD_TEST_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must start clamd and set CLAMD_TEST_URL (.ci/run does)")
        pytest.skip(reason="needs clamd with the EICAR test signature: set CLAMD_TEST_URL (.ci/run starts one)")
    settings.CLAMD_URL = url
    return url


@pytest.fixture
def candidate(db):
    return UserFactory(email="camille.martin@exemple.fr")


@pytest.fixture
def other_candidate(db):
    return UserFactory(email="alex.durand@exemple.fr", first_name="Alex", last_name="Durand")


@pytest.fixture
def staff(db):
    return StaffFactory(email="agent.dec@ac-normandie.fr", is_superuser=True)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """`with run_on_commit():` runs, at the end of the block, what the code queued with
    transaction.on_commit, as the commit of a real transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def logged_in(client, candidate):
    """The test client, logged in as the candidate."""
    client.force_login(candidate)
    return client


@pytest.fixture
def dec_staff(db):
    """A member of « Gestionnaire DEC » (not a superuser): what review staff may do, and no more."""
    from django.contrib.auth.models import Group

    member = StaffFactory(email="gestionnaire@ac-normandie.fr", is_superuser=False)
    member.groups.add(Group.objects.get(name="Gestionnaire DEC"))
    return member


@pytest.fixture
def staff_client(client, staff):
    log_in_with_second_factor(client, staff)
    return client


@pytest.fixture
def dec_staff_client(client, dec_staff):
    """The test client, logged in to admin as the « Gestionnaire DEC » member, second factor given."""
    log_in_with_second_factor(client, dec_staff)
    return client


@pytest.fixture
def reference_data(transactional_db):
    """The rows the data migrations load (site texts, the 2024 session, the specialties, the map of
    départements and the Normandie sessions' own, the languages of each specialty).

    Transactional tests empty the database when they end, so a transactional test (browser, real worker) loads them again
    with the migrations' own idempotent functions rather than rely on what an earlier test left.
    """
    from importlib import import_module

    from django.apps import apps

    for module in ["portal.migrations.0002_site_config", "exams.migrations.0002_session_2024_and_specialties",
                   "documents.migrations.0002_pieces_and_requirements_2024",
                   "documents.migrations.0006_reasons_and_staff_group", "exams.migrations.0022_residence",
                   "exams.migrations.0025_specialty_languages_seed", "exams.migrations.0027_dec_group_edits_languages"]:
        import_module(module).load(apps, None)


@pytest.fixture
def franceconnect_portal(franceconnect, settings):  # noqa: F811 - the fixture imported above
    """The portal registered with the test FranceConnect, as a rectorate registers it with the real one
    (README, « FranceConnect »): its issuer, client id and secret, and the eIDAS level asked."""
    import copy

    from candidates import franceconnect as portal_franceconnect

    settings.FRANCECONNECT_ISSUER = franceconnect.issuer
    settings.FRANCECONNECT_CLIENT_ID = franceconnect.client_id
    settings.FRANCECONNECT_CLIENT_SECRET = franceconnect.client_secret
    settings.FRANCECONNECT_EIDAS_LEVEL = "eidas1"
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = ["'self'", franceconnect.issuer]
    settings.CONTENT_SECURITY_POLICY = policy
    portal_franceconnect._client.cache_clear()
    yield franceconnect
    portal_franceconnect._client.cache_clear()
