import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from candidates.models import User
from exams.models import ExamSession

pytestmark = pytest.mark.django_db


def run_seed(capsys):
    call_command("seed_demo")
    return capsys.readouterr().out


def logins(output):
    """(email, password) pairs printed by the command."""
    return re.findall(r"(\S+@demo\.invalid)\s+/\s+(\S+)", output)


def test_it_prints_working_logins_for_a_staff_member_and_a_candidate(settings, capsys):
    settings.DEBUG = True
    output = run_seed(capsys)
    pairs = logins(output)
    assert len(pairs) == 2
    for email, password in pairs:
        assert authenticate(RequestFactory().post("/"), username=email, password=password) is not None
    assert User.objects.get(email="gestionnaire.dec@demo.invalid").is_staff
    assert not User.objects.get(email="camille.martin@demo.invalid").is_staff


def test_running_it_twice_is_harmless_and_the_new_logins_work(settings, capsys):
    settings.DEBUG = True
    run_seed(capsys)
    output = run_seed(capsys)
    assert User.objects.filter(email__endswith="@demo.invalid").count() == 2
    for email, password in logins(output):
        assert authenticate(RequestFactory().post("/"), username=email, password=password) is not None


def test_it_opens_a_demo_session_for_registrations(settings, capsys):
    settings.DEBUG = True
    run_seed(capsys)
    assert ExamSession.objects.current().is_registration_open()


def test_it_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.filter(email__endswith="@demo.invalid").exists()


def test_the_demo_staff_account_is_a_dec_staff_member_without_superuser_rights(settings, capsys):
    settings.DEBUG = True
    output = run_seed(capsys)
    staff = User.objects.get(email="gestionnaire.dec@demo.invalid")
    assert staff.is_staff and not staff.is_superuser
    assert list(staff.groups.values_list("name", flat=True)) == ["Gestionnaire DEC"]
    assert "Gestionnaire DEC" in output


def test_an_older_demo_superuser_loses_its_superuser_rights(settings, capsys):
    settings.DEBUG = True
    run_seed(capsys)
    User.objects.filter(email="gestionnaire.dec@demo.invalid").update(is_superuser=True)
    run_seed(capsys)
    assert not User.objects.get(email="gestionnaire.dec@demo.invalid").is_superuser


def qr_rows(output):
    """The lines of the printed QR code: those drawn with block characters."""
    lines = output.splitlines()
    first = next(i for i, line in enumerate(lines) if "█" in line)
    last = max(i for i, line in enumerate(lines) if "█" in line)
    return lines[first:last + 1]


def test_the_totp_qr_code_is_printed_without_a_blank_line_between_its_rows(settings, capsys):
    settings.DEBUG = True
    rows = qr_rows(run_seed(capsys))
    assert len(rows) > 10
    assert all(row.strip() for row in rows)
    assert len({len(row) for row in rows}) == 1  # a square drawn with half blocks: every row as wide
