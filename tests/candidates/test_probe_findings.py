"""Holes an attacker's probe of the account and email defences found (issue 13, items 1–3).

Each test is named after the rule the hole broke; they failed when written, and pass since each
hole was closed at its root: one spelling per mailbox, a client's limit before an address's, the
same trace for a taken address, the current password checked like a login, one IPv6 client per
/64, Latin names, and no token in the web server's logs.
"""

import pytest
from django.core import mail
from django.core.mail.message import sanitize_address
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "un mot de passe solide"


def from_address(ip):
    return Client(REMOTE_ADDR=ip)


def delivered_to(message):
    """The mailboxes an SMTP server is given for this email: Django's SMTP backend sends
    RCPT TO and To: through sanitize_address, which IDNA-encodes the domain."""
    return [sanitize_address(address, message.encoding or "utf-8").lower() for address in message.recipients()]


# Email limits ------------------------------------------------------------------------------

@pytest.mark.parametrize("same_mailbox", [
    "camille.martin@exemple.fr\u200b",   # ZERO WIDTH SPACE: IDNA maps it to nothing
    "camille.martin@exe\u00admple.fr",   # SOFT HYPHEN, inside the domain
    "camille.martin@exemple\u2060.fr",   # WORD JOINER
    '"camille.martin"@exemple.fr',       # a quoted local part that needs no quotes
])
def test_one_mailbox_gets_at_most_three_emails_an_hour_however_its_address_is_spelt(
        same_mailbox, candidate, settings, run_on_commit):
    """The per-address limit counts the typed string; delivery goes to the mailbox. Invisible
    characters that IDNA drops (there are dozens, at any position) give unlimited spellings."""
    for attempt in range(settings.EMAILS_PER_ADDRESS_PER_HOUR):
        with run_on_commit():
            from_address(f"198.51.100.{attempt}").post(reverse("candidates:password_reset"), {"email": candidate.email})
    with run_on_commit():
        from_address("198.51.100.50").post(reverse("candidates:password_reset"), {"email": same_mailbox})
    to_that_mailbox = [sent for sent in mail.outbox if delivered_to(sent) == [candidate.email]]
    assert len(to_that_mailbox) == settings.EMAILS_PER_ADDRESS_PER_HOUR


def test_requests_refused_for_their_client_use_none_of_the_addresses_budget(candidate, settings, run_on_commit):
    """A client over its own limit still counts against each address it names, so one client
    can keep every candidate from receiving a new password or activation link, sending nothing."""
    settings.EMAILS_PER_CLIENT_PER_HOUR = 1
    attacker = from_address("203.0.113.66")
    with run_on_commit():
        attacker.post(reverse("candidates:resend_activation"), {"email": "remplissage@exemple.fr"})  # its one email
        for _ in range(settings.EMAILS_PER_ADDRESS_PER_HOUR):
            attacker.post(reverse("candidates:resend_activation"), {"email": candidate.email})  # refused: client over
    assert [sent.to for sent in mail.outbox] == [["remplissage@exemple.fr"]]

    with run_on_commit():
        from_address("192.0.2.10").post(reverse("candidates:password_reset"), {"email": candidate.email})
    assert [sent.to for sent in mail.outbox][1:] == [[candidate.email]]


# Oracles -----------------------------------------------------------------------------------

def test_asking_for_a_taken_address_leaves_the_same_trace_in_mes_messages_as_a_free_one(
        client, candidate, other_candidate, run_on_commit):
    """The page is the same, but « Mes messages » gains a confirmation email only when the new
    address is free: the inbox says which addresses have an account."""
    client.force_login(candidate)

    def inbox_grows_by(new_email):
        before = candidate.messages.count()
        with run_on_commit():
            client.post(reverse("candidates:email_change"), {"new_email": new_email, "password": PASSWORD})
        return candidate.messages.count() - before

    assert inbox_grows_by(other_candidate.email) == inbox_grows_by("libre@exemple.fr")


# Password guessing -------------------------------------------------------------------------

@pytest.mark.parametrize("form, wrong, right", [
    ("email_change", {"new_email": "boite.du.voleur@exemple.fr", "password": "essai"},
     {"new_email": "boite.du.voleur@exemple.fr", "password": PASSWORD}),
    ("password_change", {"old_password": "essai", "new_password1": "une phrase toute neuve", "new_password2": "une phrase toute neuve"},
     {"old_password": PASSWORD, "new_password1": "une phrase toute neuve", "new_password2": "une phrase toute neuve"}),
])
def test_the_current_password_cannot_be_guessed_more_often_than_at_the_login(form, wrong, right, candidate, run_on_commit):
    """Whoever holds a session (a shared computer) may try the password without limit on the
    forms that ask for it, then change the address or the password: no lock as at the login."""
    client = from_address("203.0.113.7")
    client.force_login(candidate)
    for attempt in range(20):
        client.post(reverse(f"candidates:{form}"), {key: (f"{value}-{attempt}" if value == "essai" else value)
                                                    for key, value in wrong.items()})
    with run_on_commit():
        client.post(reverse(f"candidates:{form}"), right)
    candidate.refresh_from_db()
    assert candidate.check_password(PASSWORD)  # not changed by the guesser
    assert mail.outbox == []  # no confirmation link sent to the guesser's mailbox


def test_addresses_of_one_ipv6_64_share_one_lockout(client, settings):
    """django-ratelimit counts IPv6 by /64 but django-axes by the full address: one /64 (any
    host) tries 5 passwords per address on one account instead of 5 in all."""
    settings.TRUSTED_PROXY_COUNT = 0
    account = UserFactory(email="cible@exemple.fr", password=PASSWORD)
    for host in range(1, 6):
        client.post(reverse("candidates:login"), {"username": account.email, "password": f"essai-{host}"},
                    REMOTE_ADDR=f"2001:db8:1:2::{host:x}")
    response = client.post(reverse("candidates:login"), {"username": account.email, "password": PASSWORD},
                           REMOTE_ADDR="2001:db8:1:2::99")
    assert response.status_code == 429


# Names in emails ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["httpsːᐟᐟwwwꓸpiegeꓸfr", "Lou wwwꞏpiegeꞏfr"])
def test_names_put_in_emails_cannot_spell_a_web_address_with_letters_that_look_like_punctuation(client, name):
    """ː (U+02D0), ᐟ (U+141F), ꓸ (U+A4F8), ꞏ (U+A78F) are letters to str.isalpha(): a name
    made of them reads as an address in an activation email sent to anyone."""
    client.post(reverse("candidates:signup"), {
        "email": "nouveau@exemple.fr", "password1": "une phrase de passe solide", "password2": "une phrase de passe solide",
        "last_name": "Petit", "first_name": name, "birth_date": "2001-02-03"})
    from candidates.models import User

    assert not User.objects.filter(email="nouveau@exemple.fr").exists()


def test_one_mailbox_has_at_most_one_account(candidate, run_on_commit):
    """An invisible character in the domain makes a second account whose emails reach the same
    mailbox and whose address looks the same in admin: the unique index compares strings."""
    from candidates.models import User

    with run_on_commit():
        Client().post(reverse("candidates:signup"), {
            "email": candidate.email + "\u200b", "password1": "une phrase de passe solide",
            "password2": "une phrase de passe solide", "last_name": "Petit", "first_name": "Lou", "birth_date": "2001-02-03"})
    same_mailbox = [user for user in User.objects.all() if sanitize_address(user.email, "utf-8").lower() == candidate.email]
    assert len(same_mailbox) == 1


# Logs --------------------------------------------------------------------------------------

def dockerfile_gunicorn_arguments():
    """The production web command, from the Dockerfile's CMD (bind and workers replaced)."""
    import json
    import re

    from tests.celery_workers import PROJECT

    command = json.loads(re.search(r"^CMD (\[.*\])$", (PROJECT / "Dockerfile").read_text(), re.M).group(1))
    assert command[:2] == ["gunicorn", "portal.wsgi:application"]
    arguments, skip = [], False
    for argument in command[2:]:
        if skip:
            skip = False
        elif argument in ("--bind", "-b", "--workers", "-w"):
            skip = True
        else:
            arguments.append(argument)
    return arguments


@pytest.mark.django_db(transaction=True)
def test_no_log_of_the_production_web_server_holds_a_usable_account_link(tmp_path):
    """gunicorn runs with --access-logfile - in production: the request line of a new-password
    or activation link, token included, lands in the log, usable by whoever reads it (for an
    hour, or 48 hours for an activation a mail scanner opened without following the redirect)."""
    import http.client
    import os
    import subprocess
    import sys
    import time

    from django.utils import timezone

    from candidates.tokens import activation_link, password_reset_link
    from tests.candidates.helpers import path_of
    from tests.candidates.test_client_address import free_port
    from tests.celery_workers import PROJECT, database_url_of_the_test_database

    active = UserFactory(email="lecteur.de.journaux@exemple.fr")
    pending = UserFactory(email="en.attente@exemple.fr", is_active=False, activated_at=None)
    links = [path_of(password_reset_link(active, asked_at=timezone.now())), path_of(activation_link(pending))]

    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url_of_the_test_database(), "ENV_FILE": "", "DEBUG": "true",
           "PYTHONUNBUFFERED": "1"}
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "portal.wsgi:application", "-b", f"127.0.0.1:{port}",
                                   "-w", "1", "--no-control-socket", *dockerfile_gunicorn_arguments()],
                                  cwd=PROJECT, env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    connection.request("GET", "/sante/")
                    connection.getresponse().read()
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.2)
            for link in links:  # what a mail scanner does: one GET, no redirect followed
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", link)
                assert connection.getresponse().status == 302
        finally:
            server.terminate()
            server.wait(timeout=20)
    written = log_path.read_text()
    assert "GET /sante/" in written  # the access log is on, as in production
    for link in links:
        token = link.rstrip("/").rsplit("/", 1)[1]
        assert token not in written
