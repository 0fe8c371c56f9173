"""No one but the addressee can use a link that logs in or changes an account.

The activation, new-password and change-of-address emails are kept (« Mes messages », admin,
« Mes données »), but what is kept holds no usable token: the link is made when the email
leaves, and only the email itself carries it.
"""

import io
import json
import re
import zipfile
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import reverse

from candidates.models import LinkPurpose, Message, MessageStatus, User
from candidates.tasks import deliver_message
from tests.candidates.helpers import link_in_last_email, path_of
from tests.factories import MessageFactory, UserFactory, paris
from tests.portal.helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db

PASSWORD = "un mot de passe solide"
NEW_PASSWORD = "une toute nouvelle phrase"
URL_LIKE = re.compile(r"(?:https?://[^\s\"'<>]+|/compte/[^\s\"'<>]+)")
ACCOUNT_LINK_PATHS = ("/compte/activer/", "/compte/mot-de-passe/nouveau/", "/compte/adresse-electronique/confirmer/")


def sign_up(client, email):
    return client.post(reverse("candidates:signup"), {
        "email": email, "password1": "une phrase de passe solide", "password2": "une phrase de passe solide",
        "last_name": "Petit", "first_name": "Lou", "birth_date": "2001-02-03"})


def urls_in(text):
    return {match.rstrip(".,;)»]") for match in URL_LIKE.findall(text.replace("&amp;", "&"))}


def admin_pages(client, start="/admin/", limit=400):
    """Every admin page reachable from the index by plain links (GET only, nothing deleted)."""
    seen, queue, pages = set(), [start], {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        text = response.content.decode()
        pages[path] = text
        for href in re.findall(r'href="(/admin/[^"#]*)"', text):
            href = href.replace("&amp;", "&")
            if not any(word in href for word in ("logout", "/delete/", "export", "/password/")):
                queue.append(href)
    return pages


def test_every_link_staff_or_a_session_holder_can_read_is_unusable(client, candidate, dec_staff, run_on_commit):
    """A DEC staff member reads every admin page and the candidate's space after an activation
    resend, a reset and a change of address: no URL found there logs in or changes anything."""
    newcomer_client = Client()
    with run_on_commit():
        sign_up(newcomer_client, "nouveau@exemple.fr")
        newcomer_client.post(reverse("candidates:resend_activation"), {"email": "nouveau@exemple.fr"})
        client.post(reverse("candidates:password_reset"), {"email": candidate.email})
        client.force_login(candidate)
        client.post(reverse("candidates:email_change"), {"new_email": "pirate@exemple.fr", "password": PASSWORD})
    emailed = [link for sent in mail.outbox for link in urls_in(sent.body) if any(p in link for p in ACCOUNT_LINK_PATHS)]
    assert len(emailed) == 4  # two activation links, one reset, one change of address: sent, and only sent

    staff_client = Client()
    log_in_with_second_factor(staff_client, dec_staff)
    texts = list(admin_pages(staff_client).values())
    assert len(texts) > 10 and any("nouveau@exemple.fr" in text for text in texts)  # the crawl reached the messages
    inbox = client.get(reverse("candidates:inbox")).content.decode()
    texts.append(inbox)
    for message in candidate.messages.all():
        texts.append(client.get(reverse("candidates:message_detail", args=[message.pk])).content.decode())
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(reverse("my-data") + "?telecharger=zip").streaming_content)))
    texts.append(archive.read("donnees.json").decode())
    texts.extend(message.body_text + message.body_html + message.event_key for message in Message.objects.all())
    found = set().union(*(urls_in(text) for text in texts))
    assert any("/compte/" in url for url in found)

    newcomer = User.objects.get(email="nouveau@exemple.fr")
    for url in found:
        for visitor in (Client(), staff_client, client):
            response = visitor.get(path_of(url), follow=True)
            if "mot-de-passe/nouveau" in url and response.context and response.context.get("validlink"):
                visitor.post(response.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    newcomer.refresh_from_db()
    candidate.refresh_from_db()
    assert not newcomer.is_active
    assert candidate.email == "camille.martin@exemple.fr"
    assert candidate.check_password(PASSWORD) and not candidate.check_password(NEW_PASSWORD)

    # The links that did leave by email work: only their addressee holds them.
    activation = next(link for link in emailed if "/activer/" in link)
    Client().get(path_of(activation), follow=True)
    newcomer.refresh_from_db()
    assert newcomer.is_active


def test_what_is_stored_says_the_link_was_emailed_and_until_when(client, candidate, run_on_commit):
    with time_machine.travel(paris(2023, 11, 10, 9), tick=False), run_on_commit():
        client.post(reverse("candidates:password_reset"), {"email": candidate.email})
    message = Message.objects.get(recipient=candidate)
    assert message.link_purpose == LinkPurpose.PASSWORD_RESET
    for stored in (message.body_text, message.body_html):
        assert "envoyé par courriel à camille.martin@exemple.fr" in stored.replace("&#x27;", "'")
        assert "10 novembre 2023 à 10h00" in stored
        assert "/mot-de-passe/nouveau/" not in stored
    assert "/mot-de-passe/nouveau/" in mail.outbox[0].body


def test_the_reset_event_key_holds_no_token(client, candidate, run_on_commit):
    with run_on_commit():
        client.post(reverse("candidates:password_reset"), {"email": candidate.email})
    token = link_in_last_email().rstrip("/").split("/")[-1]
    assert token not in Message.objects.get(recipient=candidate).event_key


def test_a_reset_link_delivered_late_still_ends_one_hour_after_the_request(client, candidate, settings):
    """A retried delivery makes the link when it leaves, but dated from the request."""
    with time_machine.travel(paris(2023, 11, 10, 9), tick=False):
        client.post(reverse("candidates:password_reset"), {"email": candidate.email})  # no commit: not delivered
    message = Message.objects.get(recipient=candidate)
    with time_machine.travel(paris(2023, 11, 10, 9, 50), tick=False):
        deliver_message(message.pk)
    link = path_of(link_in_last_email())
    with time_machine.travel(paris(2023, 11, 10, 9, 59), tick=False):
        assert Client().get(link, follow=True).context["validlink"]
    with time_machine.travel(paris(2023, 11, 10, 10, 1), tick=False):
        assert not Client().get(link, follow=True).context["validlink"]


@pytest.mark.parametrize(("hours", "works"), [(47.98, True), (48.02, False)])
def test_a_change_of_address_link_works_for_48_hours(client, candidate, run_on_commit, hours, works):
    client.force_login(candidate)
    with time_machine.travel(paris(2023, 11, 10, 9), tick=False), run_on_commit():
        client.post(reverse("candidates:email_change"), {"new_email": "nouvelle@exemple.fr", "password": PASSWORD})
    with time_machine.travel(paris(2023, 11, 10, 9).timestamp() + hours * 3600, tick=False):
        client.get(path_of(link_in_last_email("nouvelle@exemple.fr")))
    candidate.refresh_from_db()
    assert (candidate.email == "nouvelle@exemple.fr") is works


def test_the_data_migration_redacts_links_stored_whole(candidate, run_on_commit):
    """Rows stored before the fix held the link and the reset token: they keep nothing usable,
    and one still waiting to leave gets a link made at delivery."""
    newcomer = UserFactory(email="nouveau@exemple.fr", is_active=False, activated_at=None)
    whole = "https://inscriptions.example/compte/activer/Mg/cb4-0123456789abcdef/"
    old_activation = MessageFactory(
        recipient=newcomer, event_key=f"activation:{newcomer.pk}:1", subject="Activez",
        body_text=f"Ouvrez ce lien :\n\n{whole}\n", body_html=f'<p><a href="{whole}">Activer</a></p><p>{whole}</p>')
    reset_token = "cb4-fedcba9876543210"
    old_reset = MessageFactory(
        recipient=candidate, event_key=f"password-reset:{candidate.pk}:{reset_token}",
        subject="Mot de passe", status=MessageStatus.SENT,
        body_text=f"https://inscriptions.example/compte/mot-de-passe/nouveau/Mg/{reset_token}/")

    import_module("candidates.migrations.0004_message_account_links").redact_account_links(apps, None)

    for message in (old_activation, old_reset):
        message.refresh_from_db()
        assert "/compte/" not in message.body_text + message.body_html
        assert "envoyé par courriel" in message.body_text
    assert reset_token not in old_reset.event_key
    assert old_activation.link_purpose == LinkPurpose.ACTIVATION
    assert old_activation.link_valid_until == newcomer.activation_deadline
    deliver_message(old_activation.pk)
    Client().get(path_of(link_in_last_email("nouveau@exemple.fr")), follow=True)
    newcomer.refresh_from_db()
    assert newcomer.is_active


def test_the_personal_data_zip_holds_the_messages_without_their_links(client, candidate, run_on_commit):
    with run_on_commit():
        client.post(reverse("candidates:password_reset"), {"email": candidate.email})
    client.force_login(candidate)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(reverse("my-data") + "?telecharger=zip").streaming_content)))
    [message] = json.loads(archive.read("donnees.json"))["messages"]
    assert "envoyé par courriel" in message["body_text"]
    assert "/mot-de-passe/nouveau/" not in message["body_text"]
