"""Every email the portal sends goes through here: rendered, recorded, then queued after commit.

An email is a folder of three templates under templates/emails/<name>/: subject.txt,
body.txt and body.html. The recorded Message is what "Mes messages" shows; its `event_key`
makes a second call for the same event return the first message instead of sending again.
"""

from django.db import transaction
from django.template.loader import render_to_string

from candidates.models import Message


def email_send(*, user, template, context, event_key, to_email=None):
    """Record the email for `user` and queue its delivery once the transaction commits."""
    from candidates.tasks import deliver_message

    context = {**context, "user": user}
    message, created = Message.objects.get_or_create(
        event_key=event_key,
        defaults={
            "recipient": user,
            "to_email": to_email or user.email,
            "subject": render_to_string(f"emails/{template}/subject.txt", context).strip(),
            "body_text": render_to_string(f"emails/{template}/body.txt", context),
            "body_html": render_to_string(f"emails/{template}/body.html", context),
        },
    )
    if created:
        transaction.on_commit(lambda: deliver_message.delay(message.pk))
    return message
