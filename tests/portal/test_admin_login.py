"""The admin's one-page login (password and 6-digit code) and django-otp's device pages."""

import html

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.portal.helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db

PASSWORD = "un mot de passe solide"  # the factories' password


def code(device, *, wrong=False):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    value = (totp.token() + (500_000 if wrong else 0)) % 10**device.digits
    return f"{value:0{device.digits}d}"


@pytest.fixture
def device(staff):
    return TOTPDevice.objects.create(user=staff, name="téléphone", confirmed=True)


def log_in(client, staff, otp_token):
    return client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD, "otp_token": otp_token})


def test_after_a_wrong_code_the_admin_login_does_not_send_the_password_back(client, staff, device):
    response = log_in(client, staff, code(device, wrong=True))
    page = response.content.decode()
    assert response.status_code == 200 and 'name="otp_token"' in page  # the same page, with its error
    assert PASSWORD not in page
    password_input = page.split('name="password"')[0].rsplit("<input", 1)[1] + page.split('name="password"')[1].split(">")[0]
    assert "value=" not in password_input
    assert "_auth_user_id" not in client.session


def test_the_right_code_logs_staff_in(client, staff, device):
    response = log_in(client, staff, code(device))
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == staff.pk


@pytest.mark.parametrize("view", ["config", "qrcode"])
def test_a_device_page_for_a_device_that_does_not_exist_is_a_404(client, staff, view):
    log_in_with_second_factor(client, staff)
    for pk in (999_999, 2**63):
        assert client.get(f"/admin/otp_totp/totpdevice/{pk}/{view}/").status_code == 404


def test_a_staff_members_own_device_qr_code_is_drawn_with_segno(client, staff, settings):
    """django-otp draws the QR code with segno, the portal's one QR library."""
    settings.OTP_ADMIN_HIDE_SENSITIVE_DATA = False  # shown to its owner when set up; hidden otherwise
    own = log_in_with_second_factor(client, staff)
    response = client.get(f"/admin/otp_totp/totpdevice/{own.pk}/qrcode/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in response.content


def test_another_staff_members_totp_secret_is_not_shown(client, staff):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import StaffFactory

    other = TOTPDevice.objects.create(user=StaffFactory(email="autre.agent@ac-normandie.fr"), name="téléphone", confirmed=True)
    log_in_with_second_factor(client, staff)
    page = client.get(f"/admin/otp_totp/totpdevice/{other.pk}/change/").content.decode()
    assert other.key not in page


# The page in the words staff know: the code their application shows, no device list for one device.

def test_the_login_page_asks_for_the_6_digit_code_of_the_application(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert "Code à 6 chiffres de votre application" in page
    assert "OTP" not in page and "Jeton" not in page and "jeton" not in page
    assert 'autocomplete="one-time-code"' in page


def test_after_a_wrong_code_a_single_device_is_not_offered_as_a_list(client, staff, device):
    page = log_in(client, staff, code(device, wrong=True)).content.decode()
    assert 'name="otp_device"' not in page
    assert 'name="otp_challenge"' not in page


def test_a_wrong_code_is_explained_without_jargon_and_the_field_is_emptied(client, staff, device):
    wrong = code(device, wrong=True)
    page = log_in(client, staff, wrong).content.decode()
    assert "Ce code ne correspond pas" in page and "change toutes les 30 secondes" in page
    assert "jeton" not in page.lower() and "OTP" not in page
    assert wrong not in page


def test_a_missing_code_asks_for_the_code_of_the_application(client, staff, device):
    page = log_in(client, staff, "").content.decode()
    assert "Saisissez le code à 6 chiffres que montre votre application d&#x27;authentification." in page


def test_a_code_typed_in_two_groups_is_accepted(client, staff, device):
    value = code(device)
    response = log_in(client, staff, f"{value[:3]} {value[3:]}")
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == staff.pk


def test_a_staff_member_with_two_devices_chooses_which_one_gives_the_code(client, staff, device):
    TOTPDevice.objects.create(user=staff, name="tablette", confirmed=True)
    page = log_in(client, staff, code(device, wrong=True)).content.decode()
    assert 'name="otp_device"' in page and "tablette" in page
    assert "Application qui donne le code" in page


@pytest.mark.parametrize(("failures", "seconds"), [(1, "1 seconde,"), (3, "4 secondes,")])
def test_a_code_typed_too_soon_after_wrong_ones_says_how_many_seconds_to_wait(client, staff, device, failures, seconds):
    import time_machine
    from django.utils import timezone

    # The clock stands still: the wait is counted from the last failure, and a slow login (the
    # password's hash) must not take a second off it.
    with time_machine.travel(timezone.now(), tick=False):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=failures, throttling_failure_timestamp=timezone.now())
        page = html.unescape(log_in(client, staff, code(device)).content.decode())
    assert f"après un code erroné, le suivant n'est vérifié qu'après un court délai\xa0: attendez {seconds}" in page
    assert "attendez une minute" not in page
    assert "_auth_user_id" not in client.session

