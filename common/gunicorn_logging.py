"""Logs that hold no usable account link: gunicorn's, and any record that passes this filter.

An activation, new-password or change-of-address link logs in or changes an account. Mail
scanners open such links as they arrive, so without this the token would land in the access log
(the request line, the path, a Referer, a Location) before the candidate ever clicks, and whoever
reads the logs could use it. The token segment is masked wherever it appears in a log line,
percent-encoded or not; the uid before it is kept (it is no secret and says which account).

`ACCOUNT_LINK` is the one pattern of those paths (candidates/urls.py, under /compte/):
  /compte/activer/<uidb64>/<token>/
  /compte/mot-de-passe/nouveau/<uidb64>/<token>/
  /compte/adresse-electronique/confirmer/<token>/

Use: `gunicorn --logger-class common.gunicorn_logging.Logger` (the Dockerfile's command), and
`mask_account_links(text)` for any other text that could echo a URL (an SMTP error). Imports no
app, and not Django: gunicorn's master loads it before any app.
"""

import logging
import re

from gunicorn import glogging

_SLASH = r"(?:/|%2f)"  # a link inside a query string (?next=%2Fcompte%2F...) is masked too
_UID = r"[\w-]+"  # urlsafe base64 of the account's id
ACCOUNT_LINK = re.compile(
    rf"(?P<path>compte{_SLASH}(?:activer{_SLASH}{_UID}|mot-de-passe{_SLASH}nouveau{_SLASH}{_UID}"
    rf"|adresse-electronique{_SLASH}confirmer){_SLASH})(?P<token>[^/\s?#&\"']+)",
    re.IGNORECASE,
)
MASK = "[masked]"


def mask_account_links(text):
    """`text` with the token of every account link in it replaced by [masked]."""
    return ACCOUNT_LINK.sub(lambda found: found.group("path") + MASK, text)


class MaskAccountLinks(logging.Filter):
    """Masks account links in a record's message and traceback. For a handler or a logger
    (LOGGING's "filters": {"...": {"()": "common.gunicorn_logging.MaskAccountLinks"}})."""

    def filter(self, record):
        if isinstance(record.msg, dict):  # structlog's event, masked by common.log_format's processor
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format: the handler reports it, as without this filter
            return True
        record.msg, record.args = mask_account_links(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_account_links(record.exc_text)
        return True


_mask_account_links = MaskAccountLinks()


class Logger(glogging.Logger):
    """gunicorn's logger, whose access and error lines hold no usable account link: every atom
    of access_log_format (%(r)s, %(U)s, %(f)s, %({raw_uri}e)s, %({referer}i)s…) and every message."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(_mask_account_links)  # one instance: added once, even on a reload
