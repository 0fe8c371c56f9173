"""How many emails the forms that email a typed-in address may send (django-ratelimit, on the
shared cache). A request over a limit is shown the same page as any other and sends nothing,
so the limits can neither be used to flood an inbox nor tell who has an account."""

from django.conf import settings
from django_ratelimit.core import is_ratelimited

from candidates.addresses import mailbox_key
from common.client_address import client_address


def email_may_be_sent(request, *, to_email):
    """Whether one more email may go to `to_email` for this client; counts this one.

    The client's own limit comes first (EMAILS_PER_CLIENT_PER_HOUR), so a client over it uses
    none of an address's budget. Then one client sends at most
    EMAILS_PER_ADDRESS_AND_CLIENT_PER_HOUR to one mailbox, and all clients together at most
    EMAILS_PER_ADDRESS_PER_HOUR: no single client can use up what the mailbox's owner needs.
    """
    if is_ratelimited(request, group="emails:from-client", key="ip",
                      rate=f"{settings.EMAILS_PER_CLIENT_PER_HOUR}/h", increment=True):
        return False
    mailbox = mailbox_key(to_email)
    if is_ratelimited(request, group="emails:to-address-from-client",
                      key=lambda group, request: f"{mailbox} {client_address(request)}",
                      rate=f"{settings.EMAILS_PER_ADDRESS_AND_CLIENT_PER_HOUR}/h", increment=True):
        return False
    return not is_ratelimited(request, group="emails:to-address", key=lambda group, request: mailbox,
                              rate=f"{settings.EMAILS_PER_ADDRESS_PER_HOUR}/h", increment=True)
