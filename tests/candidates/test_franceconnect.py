"""Signing in with FranceConnect, against a real OpenID Connect provider (tests/franceconnect/):
the flow as FranceConnect v2 asks it, each forged or failed answer refused in French with nobody
logged in, the accounts it opens, makes or links, and the logout through the provider."""

import html
import re
import socket
import threading
from datetime import date, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from candidates import franceconnect as portal_franceconnect
from candidates.models import Message, ProfileChange, User
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

def page_text(response):
    """The page's words as read: tags dropped, entities and French no-break spaces made plain."""
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", content))
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


ANGELA = {"email": "angela.dubois@example.test", "sub": "fc-sub-angela"}


def start(client, next_url=None):
    """Press « S'identifier avec FranceConnect »: the URL of the provider's authorisation endpoint."""
    response = client.post(reverse("candidates:franceconnect_start"), {"next": next_url} if next_url else {})
    assert response.status_code == 302, page_text(response)
    return response["Location"]


def local(url):
    """The portal's callback URL as the test client asks it (path and query)."""
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def sign_in(client, provider, login="angela"):
    """The whole flow: the button, the provider's sign-in as `login`, and the callback."""
    return client.get(local(provider.sign_in(start(client), login=login)))


def logged_in_user(client):
    return User.objects.filter(pk=client.session.get("_auth_user_id")).first()


def with_query(url, **changes):
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


class TestTheButton:
    def test_it_does_not_show_while_the_portal_is_not_registered_with_franceconnect(self, client, settings):
        settings.FRANCECONNECT_ISSUER = ""
        for name in ("candidates:login", "candidates:signup"):
            assert "FranceConnect" not in page_text(client.get(reverse(name)))
        assert client.post(reverse("candidates:franceconnect_start")).status_code == 404

    @pytest.mark.parametrize("name", ["candidates:login", "candidates:signup"])
    def test_it_shows_beside_the_email_and_password_with_what_franceconnect_is(self, client, franceconnect_portal, name):
        response = client.get(reverse(name))
        text = page_text(response)
        assert "S’identifier avec FranceConnect" in text
        assert "Qu’est-ce que FranceConnect ?" in text
        assert 'href="https://franceconnect.gouv.fr/"' in response.content.decode()
        assert "Mot de passe" in text  # the email and password stay

    def test_the_policy_lets_its_form_go_to_the_provider(self, client, franceconnect_portal):
        policy = client.get(reverse("candidates:login"))["Content-Security-Policy"]
        assert f"form-action 'self' {franceconnect_portal.issuer}" in policy


class TestTheAuthorisationRequest:
    def test_it_asks_the_identity_pivot_at_the_eidas_level_with_a_state_and_a_nonce(self, client, franceconnect_portal, settings):
        settings.FRANCECONNECT_EIDAS_LEVEL = "eidas2"
        url = start(client)
        assert url.startswith(franceconnect_portal.metadata()["authorization_endpoint"])
        query = parse_qs(urlsplit(url).query)
        assert query["response_type"] == ["code"]
        assert query["client_id"] == [franceconnect_portal.client_id]
        assert query["acr_values"] == ["eidas2"]
        assert set(query["scope"][0].split()) >= {"openid", "given_name", "family_name", "birthdate", "gender", "birthplace",
                                                   "birthcountry", "email", "preferred_username"}
        assert query["redirect_uri"] == ["http://127.0.0.1:8000/compte/franceconnect/retour/"]
        assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 32
        second = parse_qs(urlsplit(start(client)).query)
        assert second["state"] != query["state"] and second["nonce"] != query["nonce"]


class TestAFirstSignIn:
    def test_an_email_without_an_account_gets_an_active_account_with_the_certified_identity(self, client, franceconnect_portal):
        response = sign_in(client, franceconnect_portal)

        assert response.status_code == 302 and response["Location"] == reverse("exams:register")
        user = User.objects.get(email=ANGELA["email"])
        assert logged_in_user(client) == user
        assert user.is_active and user.activated_at is not None  # no 48-hour activation
        assert not user.has_usable_password()
        assert (user.last_name, user.first_name, user.birth_date) == ("DUBOIS", "Angela Claire Louise", date(1962, 8, 24))
        assert (user.gender, user.birthplace_code, user.birth_country_code) == ("female", "75107", "99100")
        assert user.franceconnect_sub == ANGELA["sub"] and user.identity_eidas_level == "eidas1"  # the level asked
        assert user.identity_certified_at is not None
        assert user.identity_status() == "Identité certifiée par FranceConnect (eIDAS 1)"
        assert not Message.objects.filter(to_email=user.email).exists()  # no activation link to follow

    def test_the_next_sign_in_opens_the_same_account_even_with_another_email(self, client, franceconnect_portal):
        sign_in(client, franceconnect_portal)
        client.logout()
        franceconnect_portal.add_identity("angela", ANGELA["sub"], {
            "given_name": "Angela Claire Louise", "family_name": "DUBOIS", "birthdate": "1962-08-24", "gender": "female",
            "birthplace": "75107", "birthcountry": "99100", "email": "angela.new@example.test"}, max_level="eidas3")
        sign_in(client, franceconnect_portal)
        assert User.objects.filter(franceconnect_sub=ANGELA["sub"]).count() == 1
        assert logged_in_user(client).email == ANGELA["email"]

    def test_a_usage_name_from_franceconnect_is_kept_and_a_person_born_abroad_has_no_birthplace(self, client, franceconnect_portal):
        sign_in(client, franceconnect_portal, login="pierre")
        user = logged_in_user(client)
        assert (user.last_name, user.usage_name, user.birthplace_code, user.birth_country_code) == ("MARTIN", "DURAND", "", "99109")
        assert user.identity_status() == "Identité certifiée par FranceConnect (eIDAS 1)"

    def test_a_safe_next_page_is_where_the_sign_in_lands(self, client, franceconnect_portal):
        response = client.get(local(franceconnect_portal.sign_in(start(client, next_url="/compte/messages/"))))
        assert response["Location"] == "/compte/messages/"

    def test_a_next_page_on_another_site_is_not_followed(self, client, franceconnect_portal):
        response = client.get(local(franceconnect_portal.sign_in(start(client, next_url="https://evil.example/"))))
        assert response["Location"] == reverse("exams:register")


class TestAnAccountThatAlreadyHasTheEmail:
    def test_it_is_not_taken_over_the_password_is_asked_first(self, client, franceconnect_portal):
        owner = UserFactory(email=ANGELA["email"], password="le-bon-mot-de-passe-42", last_name="Dubois", first_name="Angela")
        response = sign_in(client, franceconnect_portal)

        assert response["Location"] == reverse("candidates:franceconnect_link")
        assert logged_in_user(client) is None
        owner.refresh_from_db()
        assert owner.franceconnect_sub is None and not owner.identity_is_certified
        page = page_text(client.get(reverse("candidates:franceconnect_link")))
        assert ANGELA["email"] in page and "Mot de passe de ce compte" in page

    def test_a_wrong_password_links_nothing(self, client, franceconnect_portal):
        owner = UserFactory(email=ANGELA["email"], password="le-bon-mot-de-passe-42")
        sign_in(client, franceconnect_portal)
        response = client.post(reverse("candidates:franceconnect_link"), {"password": "pas-le-bon"})
        assert response.status_code == 200
        assert "Mot de passe incorrect." in page_text(response)
        owner.refresh_from_db()
        assert owner.franceconnect_sub is None and logged_in_user(client) is None

    def test_the_right_password_links_them_once_and_logs_in(self, client, franceconnect_portal):
        owner = UserFactory(email=ANGELA["email"], password="le-bon-mot-de-passe-42", last_name="Dubois", first_name="Angela")
        sign_in(client, franceconnect_portal)
        # Whatever address is posted, the password is checked against the account of FranceConnect's email.
        other = UserFactory(email="autre@example.test", password="le-bon-mot-de-passe-42")
        response = client.post(reverse("candidates:franceconnect_link"), {"password": "le-bon-mot-de-passe-42", "username": other.email})

        assert response.status_code == 302
        owner.refresh_from_db()
        assert owner.franceconnect_sub == ANGELA["sub"] and owner.identity_is_certified
        assert (owner.last_name, owner.first_name) == ("DUBOIS", "Angela Claire Louise")
        assert owner.check_password("le-bon-mot-de-passe-42")  # the password still logs in too
        assert logged_in_user(client) == owner
        assert set(ProfileChange.objects.filter(user=owner).values_list("field", flat=True)) >= {"last_name", "first_name"}
        client.logout()
        sign_in(client, franceconnect_portal)  # from now on, straight in
        assert logged_in_user(client) == owner
        assert User.objects.filter(email__lower=ANGELA["email"]).count() == 1

    def test_an_account_already_linked_to_another_identity_is_refused(self, client, franceconnect_portal):
        UserFactory(email=ANGELA["email"], password="le-bon-mot-de-passe-42", franceconnect_sub="fc-sub-someone-else",
                    identity_certified_at=timezone.now())
        sign_in(client, franceconnect_portal)
        response = client.post(reverse("candidates:franceconnect_link"), {"password": "le-bon-mot-de-passe-42"})
        assert response.status_code == 409
        assert "Ce compte est déjà lié à une autre identité FranceConnect." in page_text(response)
        assert logged_in_user(client) is None

    def test_an_account_not_yet_activated_is_neither_linked_nor_opened(self, client, franceconnect_portal):
        UserFactory(email=ANGELA["email"], is_active=False, activated_at=None)
        response = sign_in(client, franceconnect_portal)
        assert response.status_code == 409
        assert "il n'a pas encore été activé" in page_text(response)
        assert logged_in_user(client) is None and not User.objects.filter(franceconnect_sub=ANGELA["sub"]).exists()

    def test_a_staff_account_never_signs_in_with_franceconnect(self, client, franceconnect_portal):
        StaffFactory(email=ANGELA["email"])
        response = sign_in(client, franceconnect_portal)
        assert response.status_code == 403
        assert "Les comptes du rectorat ne se connectent pas avec FranceConnect" in page_text(response)
        assert logged_in_user(client) is None

    def test_the_link_page_without_a_pending_identity_sends_to_the_login(self, client):
        assert client.get(reverse("candidates:franceconnect_link"))["Location"] == reverse("candidates:login")


def refused(response, words):
    """A clear French page, the sign-in refused, nobody logged in."""
    text = page_text(response)
    assert response.status_code in (400, 503), text
    assert "Connexion avec FranceConnect impossible" in text
    assert words in text, text


class TestAForgedOrFailedAnswerIsRefused:
    def test_a_state_that_is_not_the_one_sent(self, client, franceconnect_portal):
        callback = franceconnect_portal.sign_in(start(client))
        response = client.get(with_query(callback, state="not-the-state-we-sent-000000"))
        refused(response, "ne vient pas de ce navigateur")
        assert logged_in_user(client) is None

    def test_a_callback_replayed(self, client, franceconnect_portal):
        callback = local(franceconnect_portal.sign_in(start(client)))
        assert client.get(callback).status_code == 302
        client.logout()
        refused(client.get(callback), "ne vient pas de ce navigateur, ou elle a déjà servi")
        assert logged_in_user(client) is None

    def test_a_callback_from_another_browser(self, client, franceconnect_portal):
        from django.test import Client

        callback = local(franceconnect_portal.sign_in(start(client)))
        refused(Client().get(callback), "ne vient pas de ce navigateur")

    def test_an_id_token_without_the_nonce(self, client, franceconnect_portal):
        franceconnect_portal.misbehave(id_token="no_nonce")
        refused(sign_in(client, franceconnect_portal), "n'a pas pu être vérifiée")
        assert logged_in_user(client) is None and not User.objects.filter(franceconnect_sub=ANGELA["sub"]).exists()

    def test_a_session_that_kept_no_nonce_checks_nothing_and_is_refused(self, client, franceconnect_portal):
        authorize = start(client)
        state = parse_qs(urlsplit(authorize).query)["state"][0]
        session = client.session
        key = f"_state_franceconnect_{state}"
        session[key]["data"].pop("nonce")
        session.save()
        refused(client.get(local(franceconnect_portal.sign_in(authorize))), "n'a pas pu être vérifiée")
        assert logged_in_user(client) is None

    def test_an_id_token_signed_by_another_key(self, client, franceconnect_portal):
        franceconnect_portal.misbehave(id_token="rogue_key")
        refused(sign_in(client, franceconnect_portal), "n'a pas pu être vérifiée")
        assert logged_in_user(client) is None

    def test_an_id_token_for_another_service(self, client, franceconnect_portal):
        franceconnect_portal.misbehave(id_token="wrong_audience")
        refused(sign_in(client, franceconnect_portal), "n'a pas pu être vérifiée")
        assert logged_in_user(client) is None

    def test_an_expired_id_token(self, client, franceconnect_portal):
        franceconnect_portal.misbehave(id_token="expired")
        refused(sign_in(client, franceconnect_portal), "La réponse de FranceConnect a expiré")
        assert logged_in_user(client) is None

    def test_an_answer_that_arrives_after_the_tokens_expired(self, client, franceconnect_portal):
        callback = local(franceconnect_portal.sign_in(start(client)))
        # The provider's ID token lives 60 s, and two minutes are allowed between clocks: 3 min 01 s later, it is refused.
        with time_machine.travel(timezone.now() + timedelta(minutes=3, seconds=1)):
            refused(client.get(callback), "La réponse de FranceConnect a expiré")
        assert logged_in_user(client) is None

    def test_a_lower_eidas_level_than_asked(self, client, franceconnect_portal, settings):
        settings.FRANCECONNECT_EIDAS_LEVEL = "eidas2"
        refused(sign_in(client, franceconnect_portal, login="pierre"), "au niveau demandé par le rectorat (eIDAS 2)")
        assert logged_in_user(client) is None and not User.objects.filter(franceconnect_sub="fc-sub-pierre").exists()

    def test_a_higher_level_than_asked_will_do(self, client, franceconnect_portal, settings):
        settings.FRANCECONNECT_EIDAS_LEVEL = "eidas2"
        assert sign_in(client, franceconnect_portal, login="angela").status_code == 302
        assert logged_in_user(client).identity_eidas_level == "eidas2"

    def test_a_userinfo_signed_by_another_key(self, client, franceconnect_portal):
        franceconnect_portal.misbehave(userinfo="rogue_key")
        refused(sign_in(client, franceconnect_portal), "n'a pas pu être vérifiée")
        assert logged_in_user(client) is None

    def test_a_userinfo_that_is_not_signed(self, client, franceconnect_portal):
        franceconnect_portal.misbehave(userinfo="plain_json")
        refused(sign_in(client, franceconnect_portal), "n'a pas pu être vérifiée")
        assert logged_in_user(client) is None

    def test_a_code_the_provider_no_longer_knows(self, client, franceconnect_portal):
        callback = franceconnect_portal.sign_in(start(client))
        refused(client.get(with_query(callback, code="forged-code")), "n'a pas pu être vérifiée")
        assert logged_in_user(client) is None

    def test_a_sign_in_cancelled_at_the_provider(self, client, franceconnect_portal):
        start(client)
        response = client.get(reverse("candidates:franceconnect_callback"), {"error": "access_denied", "state": "x"})
        assert response.status_code == 400 and "La connexion avec FranceConnect a été annulée" in page_text(response)


@pytest.fixture
def silent_server():
    """A server that accepts connections and never answers: a provider down or overloaded."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


class TestAProviderThatDoesNotAnswer:
    def test_at_the_button(self, client, franceconnect_portal, settings, silent_server):
        settings.FRANCECONNECT_ISSUER, settings.FRANCECONNECT_TIMEOUT = silent_server, 0.5
        response = client.post(reverse("candidates:franceconnect_start"))
        refused(response, "FranceConnect ne répond pas pour le moment")
        assert response.status_code == 503 and logged_in_user(client) is None

    def test_at_the_callback(self, client, franceconnect_portal, settings, silent_server):
        callback = local(franceconnect_portal.sign_in(start(client)))
        settings.FRANCECONNECT_ISSUER, settings.FRANCECONNECT_TIMEOUT = silent_server, 0.5
        response = client.get(callback)
        refused(response, "FranceConnect ne répond pas pour le moment")
        assert response.status_code == 503 and logged_in_user(client) is None


class TestLogout:
    def test_it_goes_through_the_provider_with_the_id_token_and_comes_back(self, client, franceconnect_portal):
        sign_in(client, franceconnect_portal)
        id_token = client.session["_franceconnect_id_token"]
        response = client.post(reverse("candidates:logout"))

        assert logged_in_user(client) is None  # out of the portal at once
        end_session = response["Location"]
        assert end_session.startswith(franceconnect_portal.metadata()["end_session_endpoint"])
        query = parse_qs(urlsplit(end_session).query)
        assert query["id_token_hint"] == [id_token]
        assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:8000/compte/deconnexion/franceconnect/"]
        back = franceconnect_portal.sign_out(end_session)
        assert parse_qs(urlsplit(back).query)["state"] == query["state"]
        landing = client.get(local(back), follow=True)
        assert "Vous êtes déconnecté(e) du portail et de FranceConnect." in page_text(landing)

    def test_the_provider_session_is_over_the_next_sign_in_asks_again(self, client, franceconnect_portal):
        sign_in(client, franceconnect_portal)
        franceconnect_portal.sign_out(client.post(reverse("candidates:logout"))["Location"])
        browser = franceconnect_portal.browser
        page = browser.get(start(client), timeout=10)
        assert "Identifiant" in page.text  # the provider shows its sign-in form again

    def test_a_return_with_another_state_says_nothing_of_franceconnect(self, client, franceconnect_portal):
        landing = client.get(reverse("candidates:franceconnect_logged_out"), {"state": "forged"}, follow=True)
        assert "déconnecté(e) du portail et de FranceConnect" not in page_text(landing)

    def test_an_account_logged_in_with_its_password_logs_out_as_before(self, client, franceconnect_portal):
        user = UserFactory(password="le-bon-mot-de-passe-42")
        client.force_login(user)
        response = client.post(reverse("candidates:logout"))
        assert response["Location"] == reverse("home")


def test_the_session_keeps_only_what_json_can_hold(client, franceconnect_portal):
    """The identity waiting for the password survives the session's serializer (JSON)."""
    UserFactory(email=ANGELA["email"], password="le-bon-mot-de-passe-42")
    sign_in(client, franceconnect_portal)
    pending = portal_franceconnect.CertifiedIdentity.from_session(client.session["_franceconnect_pending"]["identity"])
    assert pending.birth_date == date(1962, 8, 24) and pending.sub == ANGELA["sub"]



def test_an_account_franceconnect_made_gets_no_password_by_email(client, franceconnect_portal):
    """Its address came from FranceConnect, unconfirmed here: a reset link to it would hand the
    account (linked to whoever signed in) to the mailbox's owner, or the reverse."""
    from candidates import services
    from candidates.models import LinkPurpose

    sign_in(client, franceconnect_portal)
    user = logged_in_user(client)
    assert "Vous vous connectez avec FranceConnect : ce compte n'a pas de mot de passe." in page_text(client.get(reverse("candidates:account")))
    services.account_request_password_reset(email=user.email)
    assert not Message.objects.filter(recipient=user, link_purpose=LinkPurpose.PASSWORD_RESET).exists()


class TestCertifyingALoggedInAccount:
    def test_it_asks_the_password_once_then_certifies(self, client, franceconnect_portal):
        user = UserFactory(password="le-bon-mot-de-passe-42", email="camille@exemple.fr")
        client.force_login(user)
        assert "Certifier mon identité" in page_text(client.get(reverse("candidates:account")))
        response = client.get(local(franceconnect_portal.sign_in(start(client))))
        assert response["Location"] == reverse("candidates:franceconnect_link")
        user.refresh_from_db()
        assert user.franceconnect_sub is None  # a moment at a logged-in browser links nothing
        page = page_text(client.get(reverse("candidates:franceconnect_link")))
        assert "Pour certifier l'identité de votre compte camille@exemple.fr" in page
        assert "Identité transmise par FranceConnect : Angela Claire Louise DUBOIS" in page and "né(e) le 24 août 1962." in page
        response = client.post(reverse("candidates:franceconnect_link"), {"password": "le-bon-mot-de-passe-42"})
        assert response["Location"] == reverse("candidates:account")
        user.refresh_from_db()
        assert user.franceconnect_sub == ANGELA["sub"] and user.email == "camille@exemple.fr"

    def test_a_staff_member_is_never_linked(self, client, franceconnect_portal):
        staff = StaffFactory()
        client.force_login(staff)
        response = client.get(local(franceconnect_portal.sign_in(start(client))))
        assert response.status_code == 403
        assert "Les comptes du rectorat ne se connectent pas avec FranceConnect" in page_text(response)
        staff.refresh_from_db()
        assert staff.franceconnect_sub is None and staff.last_name != "DUBOIS"

    def test_an_identity_already_linked_to_another_account_is_refused(self, client, franceconnect_portal):
        UserFactory(email="premier@exemple.fr", franceconnect_sub=ANGELA["sub"], identity_certified_at=timezone.now())
        user = UserFactory(email="second@exemple.fr", password="le-bon-mot-de-passe-42")
        client.force_login(user)
        client.get(local(franceconnect_portal.sign_in(start(client))))
        response = client.post(reverse("candidates:franceconnect_link"), {"password": "le-bon-mot-de-passe-42"})
        assert response.status_code == 409
        assert "Cette identité FranceConnect est déjà liée à un autre compte du portail." in page_text(response)
        user.refresh_from_db()
        assert user.franceconnect_sub is None


class TestWhatASharedBrowserLeaves:
    def test_a_sign_in_started_logged_out_and_back_logged_in_links_nothing(self, client, franceconnect_portal):
        """Another tab logged in with a password meanwhile: the identity is not linked to that account."""
        authorize = start(client)
        user = UserFactory(password="le-bon-mot-de-passe-42")
        client.post(reverse("candidates:login"), {"username": user.email, "password": "le-bon-mot-de-passe-42"})
        response = client.get(local(franceconnect_portal.sign_in(authorize)))
        assert response.status_code == 409 and "rien n'a été lié" in page_text(response)
        user.refresh_from_db()
        assert user.franceconnect_sub is None

    def test_the_identity_waiting_for_a_password_expires_after_ten_minutes(self, client, franceconnect_portal):
        UserFactory(email=ANGELA["email"], password="le-bon-mot-de-passe-42")
        sign_in(client, franceconnect_portal)
        with time_machine.travel(timezone.now() + timedelta(minutes=9, seconds=59)):
            assert client.get(reverse("candidates:franceconnect_link")).status_code == 200
        with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
            response = client.post(reverse("candidates:franceconnect_link"), {"password": "le-bon-mot-de-passe-42"})
        assert response["Location"] == reverse("candidates:login")
        assert not User.objects.filter(franceconnect_sub=ANGELA["sub"]).exists()

    def test_a_password_login_clears_the_identity_left_waiting(self, client, franceconnect_portal):
        UserFactory(email=ANGELA["email"], password="le-bon-mot-de-passe-42")
        sign_in(client, franceconnect_portal)
        other = UserFactory(password="un-autre-mot-de-passe-42")
        client.post(reverse("candidates:login"), {"username": other.email, "password": "un-autre-mot-de-passe-42"})
        assert "_franceconnect_pending" not in client.session
        assert client.get(reverse("candidates:franceconnect_link"))["Location"] == reverse("candidates:account")


def test_a_linked_account_that_was_deactivated_is_not_opened(client, franceconnect_portal):
    sign_in(client, franceconnect_portal)
    user = logged_in_user(client)
    client.logout()
    User.objects.filter(pk=user.pk).update(is_active=False)
    last_login = User.objects.get(pk=user.pk).last_login
    response = sign_in(client, franceconnect_portal)
    assert response.status_code == 409 and "désactivé" in page_text(response)
    assert logged_in_user(client) is None and User.objects.get(pk=user.pk).last_login == last_login


PIVOT = {"given_name": "Marie", "family_name": "LEBLANC", "birthdate": "1999-02-03", "gender": "female",
         "birthplace": "14118", "birthcountry": "99100", "email": "marie@example.test"}


@pytest.mark.parametrize(("claims", "words"), [
    ({"birthdate": "1999-02-00"}, "n'a pas transmis votre identité complète"),
    ({"family_name": ""}, "n'a pas transmis votre identité complète"),
    ({"given_name": "A" * 151}, "n'a pas pu être vérifiée"),
    ({"birthplace": "1411800"}, "n'a pas pu être vérifiée"),
])
def test_an_incomplete_or_broken_identity_certifies_nothing(client, franceconnect_portal, claims, words):
    franceconnect_portal.add_identity("marie", "fc-sub-marie", {**PIVOT, **claims})
    response = sign_in(client, franceconnect_portal, login="marie")
    assert response.status_code == 400 and words in page_text(response)
    assert not User.objects.filter(franceconnect_sub="fc-sub-marie").exists() and logged_in_user(client) is None
