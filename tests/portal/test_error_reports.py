"""Errors reach Sentry with what helps to fix them (the exception, its stack, the user's id), and
none of the candidate's personal data: no email, no name, no file name, no session or CSRF token.

Sentry is initialised as settings.py does with SENTRY_DSN set, but with a transport that keeps the
envelopes instead of sending them; it is shut down after each test.
"""

import json
import logging
import secrets

import pytest
import sentry_sdk
from django.urls import path
from sentry_sdk.transport import Transport

import portal.urls
from portal import error_reports
from portal.celery import app
from tests.factories import UserFactory

FILE_NAME = "releve-de-notes-dupont.pdf"
EMAIL = "zephyrine.quillard@exemple.fr"
FIRST_NAME, LAST_NAME = "Zéphyrine", "Quillard"


class KeptEnvelopes(Transport):
    def __init__(self):
        super().__init__()
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)

    def events(self):
        return [envelope.get_event() for envelope in self.envelopes if envelope.get_event()]


class CandidateDataError(Exception):
    pass


def failing_view(request):
    user = request.user
    piece_file_name = FILE_NAME  # a local variable: frames' locals are not sent
    logging.getLogger("documents.scanning").warning("lecture de %s pour %s", piece_file_name, user.email)
    raise CandidateDataError(f"{user.email} {user.first_name} {user.last_name} : {piece_file_name} illisible")


urlpatterns = [*portal.urls.urlpatterns, path("panne/", failing_view)]


@app.task(name="tests.portal.failing_task")
def failing_task():
    raise CandidateDataError(f"envoi à {EMAIL} de {FILE_NAME} refusé")


def clear_scopes():
    """The test client does not go through the WSGI handler, where the SDK gives each request a
    scope of its own: the user and breadcrumbs of one test must not reach the next."""
    for scope in (sentry_sdk.get_current_scope(), sentry_sdk.get_isolation_scope()):
        scope.clear()


@pytest.fixture
def sentry():
    transport = KeptEnvelopes()
    clear_scopes()
    error_reports.init(dsn="https://public@sentry.invalid/1", environment="test", transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)
    clear_scopes()
    error_reports.scrub_also()


@pytest.fixture
def candidate_with_a_name(db):
    return UserFactory(email=EMAIL, first_name=FIRST_NAME, last_name=LAST_NAME)


def assert_no_personal_data(event, *secrets):
    sent = json.dumps(event, ensure_ascii=False).lower()
    for secret in (EMAIL, FIRST_NAME, LAST_NAME, FILE_NAME, "dupont", *secrets):
        assert secret.lower() not in sent, secret


@pytest.mark.urls(__name__)
def test_a_views_error_reaches_sentry_with_its_stack_and_the_users_id_only(client, candidate_with_a_name, sentry):
    client.force_login(candidate_with_a_name)
    client.get("/compte/")  # sets the CSRF cookie
    client.raise_request_exception = False
    csrf_token, session_key = client.cookies["csrftoken"].value, client.cookies["sessionid"].value

    response = client.post(f"/panne/?fichier={FILE_NAME}&courriel={EMAIL}", {"csrfmiddlewaretoken": csrf_token, "note": EMAIL},
                           headers={"X-CSRFToken": csrf_token, "Authorization": "Bearer secret-du-jeton-1234"})

    assert response.status_code == 500
    (event,) = [event for event in sentry.events() if event.get("exception")]
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "CandidateDataError"
    assert any(frame["function"] == "failing_view" for frame in exception["stacktrace"]["frames"])
    assert all("vars" not in frame for frame in exception["stacktrace"]["frames"])
    assert event["user"] == {"id": candidate_with_a_name.pk}
    assert any("lecture de" in (crumb.get("message") or "") for crumb in event["breadcrumbs"]["values"])
    assert_no_personal_data(event, csrf_token, session_key, "secret-du-jeton-1234")
    for event in sentry.events():
        assert_no_personal_data(event, csrf_token, session_key)


def test_a_tasks_failure_reaches_sentry_scrubbed(sentry):
    failing_task.delay()

    (event,) = [event for event in sentry.events() if event.get("exception")]
    assert event["exception"]["values"][-1]["type"] == "CandidateDataError"
    assert "celery" in json.dumps(event).lower()
    assert_no_personal_data(event)


def test_an_account_links_token_is_masked_in_a_report(sentry):
    token = f"c4r7ab-{secrets.token_hex(16)}"  # not in the source lines the report quotes
    try:
        raise ValueError(f"lien https://x/compte/activer/MQ/{token}/ refusé")
    except ValueError:
        sentry_sdk.capture_exception()

    (event,) = sentry.events()
    assert token.split("-")[1] not in json.dumps(event)
    assert "/compte/activer/MQ/[masked]/" in event["exception"]["values"][0]["value"]


def test_the_text_of_a_report_has_no_email_file_name_or_known_name():
    error_reports.scrub_also("Quillard", "Zéphyrine", "Li")
    try:
        scrubbed = error_reports.scrub_text("ZÉPHYRINE quillard a.b+c@ac-normandie.fr Photo_Identité.HEIC scan.tiff views.py li limit")
    finally:
        error_reports.scrub_also()

    assert scrubbed == "[scrubbed] [scrubbed] [scrubbed] [scrubbed] [scrubbed] views.py [scrubbed] limit"


def test_without_a_dsn_nothing_is_set_up(settings):
    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


def test_a_reports_user_is_its_id_and_its_request_keeps_no_cookie_body_query_or_secret_header():
    """The SDK already leaves most of these out without send_default_pii; this holds whatever it adds."""
    event = {"user": {"id": 3, "email": EMAIL, "username": EMAIL, "ip_address": "192.0.2.7"},
             "request": {"url": "https://portail/panne/?courriel=x", "method": "POST", "cookies": {"sessionid": "s"},
                         "data": {"note": "n"}, "query_string": "courriel=x", "env": {"REMOTE_ADDR": "192.0.2.7"},
                         "headers": {"Cookie": "sessionid=s", "Authorization": "Bearer t", "X-CSRFToken": "c", "Accept": "text/html"}}}

    assert error_reports.scrub_event(event) == {
        "user": {"id": 3},
        "request": {"url": "https://portail/panne/", "method": "POST", "headers": {"Accept": "text/html"}},
    }
