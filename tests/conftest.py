import pytest

from tests.factories import StaffFactory, UserFactory


@pytest.fixture(autouse=True)
def _celery_runs_tasks_inline(settings):
    """Unit tests run tasks in-process; tests/portal/test_celery_worker.py starts a real worker."""
    from portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


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


def log_in_with_second_factor(client, user):
    """Log a staff member in as admin requires: password and a confirmed TOTP device."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def staff_client(client, staff):
    log_in_with_second_factor(client, staff)
    return client
