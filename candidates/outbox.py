"""Every email the portal sends goes through here: rendered, recorded, then delivered after commit.

An email is a folder of three templates under templates/emails/<name>/: subject.txt,
body.txt and body.html. The recorded Message is what "Mes messages" shows; its `event_key`
makes a second call for the same event return the first message instead of sending again.

An email whose link logs in or changes an account (activation, new password, change of
address) is recorded without its link: the templates draw, in its place, a sentence saying the
link was sent by email and until when it is valid. The link is made from the account's current
state when the email leaves (`message_for_delivery`) and exists nowhere else, so no one who
can read messages (staff in admin, whoever holds a session, the « Mes données » ZIP) can use it.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from candidates.models import LinkPurpose, Message, MessageStatus
from candidates.tasks import deliver_message as deliver_message_task
from candidates.tokens import activation_link, email_change_link, password_reset_link
from common.gunicorn_logging import mask_account_links
from common.typography import french_html, french_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_email(template, context):
    """The three parts of an email, with French typography (common/typography.py)."""
    return Rendered(
        subject=french_text(render_to_string(f"emails/{template}/subject.txt", context).strip()),
        text=french_text(render_to_string(f"emails/{template}/body.txt", context)),
        html=french_html(render_to_string(f"emails/{template}/body.html", context)),
    )


def email_send(*, user, template, context, event_key, to_email=None):
    """Record the email for `user` (None: an address without an account) and queue its delivery
    once the transaction commits."""
    if to_email is None:
        to_email = user.email
    rendered = render_email(template, {**context, "user": user})
    return _record(Message(recipient=user, to_email=to_email, event_key=event_key, subject=rendered.subject,
                           body_text=rendered.text, body_html=rendered.html))


def email_send_account_link(*, user, purpose, valid_until, event_key, to_email=None, data=None, at=None, withheld=False):
    """Record an email whose link logs in or changes `user`'s account, without the link.

    `withheld`: recorded exactly the same, but never sent (MessageStatus.WITHHELD).
    """
    message = Message(recipient=user, to_email=to_email or user.email, event_key=event_key, link_purpose=purpose,
                      link_valid_until=valid_until, link_data=data or {}, created_at=at or timezone.now())
    rendered = render_email(LINK_TEMPLATES[purpose], _link_context(message, link=None))
    message.subject, message.body_text, message.body_html = rendered.subject, rendered.text, rendered.html
    if withheld:
        message.status = MessageStatus.WITHHELD
    return _record(message)


def message_for_delivery(message):
    """What leaves by email: the recorded message, or for an account link, the same email drawn
    again with the link made now."""
    if not message.link_purpose:
        return Rendered(subject=message.subject, text=message.body_text, html=message.body_html)
    return render_email(LINK_TEMPLATES[message.link_purpose], _link_context(message, link=_make_link(message)))


LINK_TEMPLATES = {
    LinkPurpose.ACTIVATION: "activation",
    LinkPurpose.PASSWORD_RESET: "password_reset",
    LinkPurpose.EMAIL_CHANGE: "email_change",
}


def _make_link(message):
    user = message.recipient
    if message.link_purpose == LinkPurpose.ACTIVATION:
        return activation_link(user)
    if message.link_purpose == LinkPurpose.PASSWORD_RESET:
        return password_reset_link(user, asked_at=message.created_at)
    return email_change_link(user, from_email=message.link_data.get("from", user.email), to_email=message.to_email,
                             until=message.link_valid_until)


def _link_context(message, *, link):
    """The context of an account-link email; `link` None draws the sentence that replaces it."""
    return {"user": message.recipient, "link": link, "link_valid_until": message.link_valid_until,
            "link_sent_to": message.to_email, "deadline": message.link_valid_until, "new_email": message.to_email}


def _record(message):
    fields = {f.attname: getattr(message, f.attname) for f in Message._meta.concrete_fields if f.name not in ("id", "event_key")}
    recorded, created = Message.objects.get_or_create(event_key=message.event_key, defaults=fields)
    if created and recorded.status == MessageStatus.PENDING:
        transaction.on_commit(lambda: _deliver_later(recorded.pk))
    return recorded


def _deliver_later(message_id):
    deliver_message_task.delay(message_id)


class DeliveryRetry(Exception):
    """The SMTP server refused or failed: try this message again in `countdown` seconds."""

    def __init__(self, countdown):
        super().__init__(countdown)
        self.countdown = countdown


def message_deliver(message):
    """Send one message claimed for delivery (`Message.objects.claim_for_delivery`), then record
    the outcome: sent; or back to pending, raising DeliveryRetry (after 1, 2, 4… minutes); or,
    after MAX_ATTEMPTS, failed, for staff to see in admin. Returns whether it was sent.

    A worker that dies between the claim and the record leaves it « envoi en cours »: never sent
    twice, shown to staff.
    """
    try:
        rendered = message_for_delivery(message)  # an account link is made now, never stored
        email = EmailMultiAlternatives(subject=rendered.subject, body=rendered.text,
                                       from_email=settings.DEFAULT_FROM_EMAIL, to=[message.to_email])
        if rendered.html:
            email.attach_alternative(rendered.html, "text/html")
        email.send()
    except Exception as error:
        final = message.attempts >= Message.MAX_ATTEMPTS
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED if final else MessageStatus.PENDING, last_error=mask_account_links(repr(error))[:2000]
        )
        logger.warning("email %s not sent (attempt %s): %r", message.pk, message.attempts, error)
        if not final:
            raise DeliveryRetry(countdown=60 * 2 ** (message.attempts - 1)) from error
        return False
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT, sent_at=timezone.now(), last_error="")
    return True


def messages_requeue_pending(*, at=None):
    """Queue again the emails whose delivery was never queued or was lost (pending for 5 minutes,
    never tried). Safe to run any time: delivery claims each message before sending it."""
    stale = (at or timezone.now()) - timedelta(minutes=5)
    ids = list(
        Message.objects.filter(status=MessageStatus.PENDING, created_at__lt=stale, attempts=0).values_list("pk", flat=True)[:1000]
    )
    for message_id in ids:
        deliver_message_task.delay(message_id)
    return len(ids)
