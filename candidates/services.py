"""Writes about accounts that span several models or send email."""

import logging
import uuid
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from candidates.models import ProfileChange, activation_delay
from candidates.tokens import activation_tokens, make_email_change_token

logger = logging.getLogger(__name__)
User = get_user_model()

SITUATION_FIELDS = [
    "last_name", "first_name", "birth_date", "address_line", "address_complement",
    "postal_code", "city", "country", "phone",
]


def absolute_url(path):
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def activation_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return absolute_url(reverse("candidates:activate", args=[uid, activation_tokens.make_token(user)]))


def account_sign_up(*, email, password, last_name, first_name, birth_date):
    """Create an inactive account and email its activation link.

    An address that already has an account gets an email instead (a reminder to log in, or the
    activation link again) and nothing is created: the page shown is the same either way.
    """
    from portal.emails import email_send

    with transaction.atomic():
        existing = User.objects.with_email(email).first()
        if existing is not None and User.objects.never_activated_before(timezone.now() - activation_delay()).filter(pk=existing.pk).delete()[0]:
            existing = None  # expired and not yet purged: the person starts again, as the notice says
        if existing is not None:
            make_password(password)  # same work as a real sign-up: the timing tells nothing
            account_remind_existing(user=existing)
            return None
        user = User.objects.create_user(
            email, password, last_name=last_name, first_name=first_name, birth_date=birth_date
        )
        email_send(
            user=user,
            template="activation",
            context={"link": activation_link(user), "deadline": user.activation_deadline},
            event_key=f"activation:{user.pk}:{uuid.uuid4()}",
        )
    return user


def account_remind_existing(*, user):
    from portal.emails import email_send

    if user.can_be_activated():
        account_resend_activation(user=user)
        return
    email_send(
        user=user,
        template="signup_existing",
        context={"login_url": absolute_url(reverse("candidates:login")),
                 "reset_url": absolute_url(reverse("candidates:password_reset"))},
        event_key=f"signup-existing:{user.pk}:{uuid.uuid4()}",
    )


def account_resend_activation(*, user):
    """Send the activation link again; the deadline stays the one set at sign-up."""
    from portal.emails import email_send

    if not user.can_be_activated():
        return
    email_send(
        user=user,
        template="activation",
        context={"link": activation_link(user), "deadline": user.activation_deadline},
        event_key=f"activation:{user.pk}:{uuid.uuid4()}",
    )


def account_update_situation(*, user, changed_by, **values):
    """Save the candidate's civil identity, address and phone, one ProfileChange per field."""
    changes = []
    for field in SITUATION_FIELDS:
        if field in values and values[field] != getattr(user, field):
            changes.append(ProfileChange(
                user=user, changed_by=changed_by, field=field,
                old_value=_as_text(getattr(user, field)), new_value=_as_text(values[field]),
            ))
            setattr(user, field, values[field])
    if not changes:
        return []
    locked = user_has_locked_registration(user)
    for change in changes:
        change.after_lock = locked
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        user.save(update_fields=[change.field for change in changes])
        ProfileChange.objects.bulk_create(changes)
        if locked:  # the file is closed: the rectorate must hear of the change (the notice, H)
            from candidates.tasks import notify_staff_of_situation_change

            transaction.on_commit(lambda: notify_staff_of_situation_change.delay(user.pk))
    return changes


def user_has_locked_registration(user):
    from exams.models import RegistrationStatus

    return user.registrations.filter(status=RegistrationStatus.LOCKED).exists()


def account_request_email_change(*, user, new_email):
    """Email a confirmation link to the new address; nothing changes until it is followed."""
    from portal.emails import email_send

    link = absolute_url(reverse("candidates:email_change_confirm", args=[make_email_change_token(user, new_email)]))
    email_send(
        user=user,
        to_email=new_email,
        template="email_change",
        context={"link": link, "new_email": new_email},
        event_key=f"email-change:{user.pk}:{uuid.uuid4()}",
    )


def account_confirm_email_change(*, user, payload):
    """Apply a confirmed change of address. Returns False when it no longer applies."""
    from portal.emails import email_send

    if payload["user"] != user.pk or payload["from"] != user.email:
        return False
    if User.objects.with_email(payload["to"]).exclude(pk=user.pk).exists():
        return False
    old_email = user.email
    with transaction.atomic():
        user.email = payload["to"]
        user.save(update_fields=["email"])
        ProfileChange.objects.create(user=user, changed_by=user, field="email", old_value=old_email, new_value=user.email)
        email_send(
            user=user,
            to_email=old_email,
            template="email_changed",
            context={"old_email": old_email, "new_email": user.email},
            event_key=f"email-changed:{user.pk}:{uuid.uuid4()}",
        )
    return True


def purge_unactivated_accounts(*, at=None, batch_size=1000):
    """Delete accounts never activated within ACCOUNT_ACTIVATION_HOURS, with all they own.

    Batches keep memory flat; each batch re-checks the condition while deleting, so two
    workers running at once, or a run repeated, delete each account once and nothing else.
    Activated, staff and superuser accounts are never touched.
    """
    at = at or timezone.now()
    cutoff = at - activation_delay()
    expired = User.objects.never_activated_before(cutoff)
    total = 0
    last_pk = 0
    while True:
        ids = list(expired.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        last_pk = ids[-1]
        with transaction.atomic():
            _, by_model = expired.filter(pk__in=ids).delete()
        total += by_model.get(User._meta.label, 0)
    logger.info("purge_unactivated_accounts: %d account(s) deleted", total)
    return total


def _as_text(value):
    return "" if value is None else str(value)
