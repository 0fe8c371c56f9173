"""Errors to Sentry (sentry-sdk), with no personal data in what leaves the portal.

Only when SENTRY_DSN is set (portal/settings.py). The SDK is told to send no personal data, no
frame's local variables (they hold candidates' answers), no request body; then every event,
transaction and breadcrumb is walked and scrubbed here:
- any email address, anywhere in any string, and the account links' tokens (common.gunicorn_logging);
- file names (a word ending in .pdf, .jpg, .png, .heic, .tif…: candidates name their files after themselves);
- the email and names of the request's user (portal/request_context.py tells them), wherever they appear;
- the user block reduced to its id; the request's cookies, query string, body and the headers
  that carry a secret dropped; keys named like a secret or a personal field filtered (EventScrubber).
"""

import contextvars
import re

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

from common.gunicorn_logging import mask_account_links
from common.log_format import EMAIL, masked

FILE_NAME = re.compile(r"[^\s/\\'\"<>|:,;()\[\]{}?=&]+\.(?:pdf|jpe?g|png|heic|heif|tiff?|gif|webp|bmp|docx?|odt|xlsx?|ods|zip)\b",
                       re.IGNORECASE)
SCRUBBED = "[scrubbed]"
# Keys whose value is filtered wherever they appear (the SDK's own list, plus the portal's fields).
PERSONAL_KEYS = ["email", "to_email", "first_name", "last_name", "usage_name", "birth_date", "phone", "address_line",
                 "address_complement", "postal_code", "city", "original_name", "filename", "file_name", "name",
                 "username", "token", "uidb64", "franceconnect_sub", "csrfmiddlewaretoken", "x_csrftoken"]
# The Referer holds the previous page's query string (an admin search for a name, an email).
DROPPED_HEADERS = {"authorization", "cookie", "x-csrftoken", "x-request-id", "referer"}

_personal_values = contextvars.ContextVar("personal_values", default=())


def scrub_also(*values):
    """The personal values of this request's user (its email, names), scrubbed from any report it makes."""
    _personal_values.set(tuple(value for value in values if value and len(value) > 1))


def scrub_text(text):
    """`text` with no email, account link's token, file name, nor the request user's personal values."""
    text = FILE_NAME.sub(SCRUBBED, EMAIL.sub(SCRUBBED, mask_account_links(text)))
    for value in _personal_values.get():  # as a whole word: a name "Li" leaves "limit" alone
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", SCRUBBED, text, flags=re.IGNORECASE)
    return text


def _scrubbed(value):
    """Every string in the event (keys are the SDK's schema, left alone), and any object as its scrubbed text."""
    return masked(value, scrub_text)


def scrub_event(event, hint=None):
    """before_send and before_send_transaction: the event as it may leave, with no personal data."""
    user = event.get("user") or {}
    event["user"] = {"id": user["id"]} if "id" in user else {}
    request = event.get("request")
    if request:
        for part in ("cookies", "data", "query_string", "env"):
            request.pop(part, None)
        request["headers"] = {name: value for name, value in (request.get("headers") or {}).items()
                              if name.lower() not in DROPPED_HEADERS}
        if "url" in request:
            request["url"] = request["url"].split("?")[0]
    return _scrubbed(event)


def scrub_breadcrumb(crumb, hint=None):
    """before_breadcrumb: a log line or an SQL query of the trail, scrubbed like the event."""
    return _scrubbed(crumb)


def init(*, dsn, environment="", release="", traces_sample_rate=0.0, transport=None):
    """Report errors of the web processes and the workers to Sentry (SENTRY_* settings)."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,  # frames' locals hold candidates' data
        max_request_body_size="never",
        event_scrubber=EventScrubber(denylist=DEFAULT_DENYLIST + PERSONAL_KEYS,
                                     pii_denylist=DEFAULT_PII_DENYLIST + PERSONAL_KEYS, recursive=True),
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        transport=transport,
    )
