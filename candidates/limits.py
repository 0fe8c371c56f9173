"""How many emails the forms that email a typed-in address may send (django-ratelimit, on the
shared cache). A request over a limit is shown the same page as any other and sends nothing,
so the limits can neither be used to flood an inbox nor tell who has an account."""

from django.conf import settings
from django_ratelimit.core import is_ratelimited


def email_may_be_sent(request, *, to_email):
    """Whether one more email may go to `to_email` for this client; counts this one.

    At most EMAILS_PER_ADDRESS_PER_HOUR an hour to one address and EMAILS_PER_CLIENT_PER_HOUR
    from one client address (the one django-ratelimit's "ip" key reads), whichever form asks.
    """
    address = (to_email or "").strip().lower()
    to_address_limited = is_ratelimited(
        request, group="emails:to-address", key=lambda group, request: address,
        rate=f"{settings.EMAILS_PER_ADDRESS_PER_HOUR}/h", increment=True)
    from_client_limited = is_ratelimited(
        request, group="emails:from-client", key="ip",
        rate=f"{settings.EMAILS_PER_CLIENT_PER_HOUR}/h", increment=True)
    return not (to_address_limited or from_client_limited)
