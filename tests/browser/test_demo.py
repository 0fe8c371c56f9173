"""`make run`'s demo, driven as the person trying it: the staff login it prints opens the admin
that DEC staff really see, with the code of the QR it prints; the candidate's login lands on
« M'inscrire »."""

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def demo(settings, capsys):
    """What `make run` prints: the logins, and the otpauth address the QR code holds."""
    settings.DEBUG = True
    call_command("seed_demo")
    output = capsys.readouterr().out
    logins = dict(re.findall(r"(\S+@demo\.invalid)\s+/\s+(\S+)", output))
    secret = parse_qs(urlparse(re.search(r"otpauth://\S+", output).group()).query)["secret"][0]
    return logins, secret


def code_from_the_app(secret):
    """What an authentication application shows after scanning the QR code."""
    from base64 import b32decode

    return f"{totp(b32decode(secret + '=' * (-len(secret) % 8))):06d}"


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"demo-{name}.png"))


def test_the_demo_staff_login_opens_the_admin_dec_staff_see(live_server, page, demo):
    logins, secret = demo
    page.set_viewport_size(LAPTOP)
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Adresse électronique").fill("gestionnaire.dec@demo.invalid")
    page.get_by_label("Mot de passe").fill(logins["gestionnaire.dec@demo.invalid"])
    page.get_by_label("Code à 6 chiffres de votre application").fill(code_from_the_app(secret))
    page.get_by_role("button", name="Se connecter").click()

    for section in ["Inscriptions", "Pièces déposées", "Comptes"]:
        expect(page.get_by_role("link", name=section, exact=True).first).to_be_visible()
    for superuser_only in ["Crontabs", "Événements solaires", "Tentatives d'accès", "Appareils TOTP", "Groupes"]:
        expect(page.get_by_role("link", name=re.compile(superuser_only, re.IGNORECASE))).to_have_count(0)
    shot(page, "staff-admin")


def test_the_demo_candidate_login_lands_on_registering(live_server, page, demo):
    logins, _ = demo
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill("camille.martin@demo.invalid")
    page.get_by_label("Mot de passe").fill(logins["camille.martin@demo.invalid"])
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1, name="M'inscrire")).to_be_visible()
    expect(page.get_by_role("button", name="Commencer mon inscription")).to_be_visible()
    shot(page, "candidate")
