"""Writes about accounts that span several models or send email."""

import logging
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from candidates.models import LinkPurpose, ProfileChange, activation_delay
from candidates.outbox import email_send, email_send_account_link
from candidates.signals import identity_certified, situation_changed
from candidates.tokens import EMAIL_CHANGE_MAX_AGE, absolute_url, password_reset_valid_until

logger = logging.getLogger(__name__)
User = get_user_model()

SITUATION_FIELDS = [
    "last_name", "usage_name", "first_name", "birth_date", "address_line", "address_complement",
    "postal_code", "city", "country", "phone",
]


def account_sign_up(*, email, password, last_name, first_name, birth_date):
    """Create an inactive account and email its activation link.

    An address that already has an account gets an email instead (a reminder to log in, or the
    activation link again) and nothing is created: the page shown is the same either way.
    """
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
        _send_activation_link(user)
    return user


def account_remind_existing(*, user, asked="signup"):
    """An address that has an account asked for something it does not need: say what to do."""
    if user.can_be_activated():
        _send_activation_link(user)
        return
    email_send(
        user=user,
        template="signup_existing",
        context={"asked": asked, "login_url": absolute_url(reverse("candidates:login")),
                 "reset_url": absolute_url(reverse("candidates:password_reset"))},
        event_key=f"signup-existing:{user.pk}:{uuid.uuid4()}",
    )


def account_resend_activation(*, email):
    """Send the activation link again; the deadline stays the one set at sign-up.

    Any address gets one email through the queue (the link, a reminder that the account is
    already active, or a word that no account awaits activation there), so neither the page
    nor the time it takes tells whether an account exists.
    """
    user = User.objects.with_email(email).first()
    if user is not None and (user.is_active or user.can_be_activated()):
        account_remind_existing(user=user, asked="activation")
    else:
        _send_no_account(email, asked="activation")


def account_request_password_reset(*, email):
    """Email a link to choose a new password (valid one hour), or, to an address without an
    active account, a word saying so: the same work either way, through the queue."""
    user = User.objects.with_email(email).filter(is_active=True).first()
    if user is not None and user.has_usable_password():
        asked_at = timezone.now()
        email_send_account_link(user=user, purpose=LinkPurpose.PASSWORD_RESET, at=asked_at,
                                valid_until=password_reset_valid_until(asked_at),
                                event_key=f"password-reset:{user.pk}:{uuid.uuid4()}")
    else:
        _send_no_account(email, asked="password")


def _send_activation_link(user):
    email_send_account_link(user=user, purpose=LinkPurpose.ACTIVATION, valid_until=user.activation_deadline,
                            event_key=f"activation:{user.pk}:{uuid.uuid4()}")


def _send_no_account(email, *, asked):
    email_send(
        user=None, to_email=email, template="no_account",
        context={"asked": asked, "signup_url": absolute_url(reverse("candidates:signup"))},
        event_key=f"no-account:{uuid.uuid4()}",
    )


def account_update_situation(*, user, changed_by, certified=False, **values):
    """Save the candidate's civil identity, address and phone, one ProfileChange per field.

    `certified`: the values are FranceConnect's identity pivot, saved as the provider wrote them
    (its names are not held to the portal's own spelling rules)."""
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
    with transaction.atomic():
        if not certified:
            user.full_clean(exclude=["password"])
        user.save(update_fields=[change.field for change in changes])
        ProfileChange.objects.bulk_create(changes)
        situation_changed.send(sender=User, user=user, changes=changes)
    return changes


def account_request_email_change(*, user, new_email):
    """Email a confirmation link to the new address; nothing changes until it is followed.

    An address that is already another account's gets an email instead, telling its owner that
    nothing changed: the page says the same either way, so it tells nobody who is registered.
    """
    owner = User.objects.with_email(new_email).exclude(pk=user.pk).first()
    # The requester's « Mes messages » gains the same entry either way; for a taken address it
    # is never sent (withheld), and the owner gets their own email.
    email_send_account_link(
        user=user, purpose=LinkPurpose.EMAIL_CHANGE, to_email=new_email, withheld=owner is not None,
        valid_until=timezone.now() + timedelta(seconds=EMAIL_CHANGE_MAX_AGE), data={"from": user.email},
        event_key=f"email-change:{user.pk}:{uuid.uuid4()}",
    )
    if owner is not None:
        email_send(user=owner, template="email_change_taken", context={},
                   event_key=f"email-change-taken:{owner.pk}:{uuid.uuid4()}")


def account_confirm_email_change(*, user, payload):
    """Apply a confirmed change of address. Returns False when it no longer applies."""
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


def staff_refused_message():
    return gettext("Les comptes du rectorat ne se connectent pas avec FranceConnect : utilisez votre adresse électronique, "
                   "votre mot de passe et votre second facteur.")


class FranceConnectLinkRefused(Exception):
    """The FranceConnect identity cannot be linked to this account; `message` says why, in French."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def account_for_franceconnect(*, identity, at=None):
    """The account a FranceConnect sign-in opens: (account, None), or (None, existing) when an
    account already has the identity's email and is not linked to it yet.

    The identity's `sub` finds the account it is linked to. Without one, an email that has no
    account gets a new, active account: FranceConnect vouches for the person, so there is no
    48-hour activation. An email that has one is never taken over: its owner proves it once with
    the password (`account_link_franceconnect`). Two first sign-ins at once make one account.
    """
    at = at or timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                linked = User.objects.select_for_update().filter(franceconnect_sub=identity.sub).first()
                if linked is not None:
                    if linked.is_staff:
                        raise FranceConnectLinkRefused(staff_refused_message())
                    if not linked.is_active:
                        raise FranceConnectLinkRefused(gettext("Le compte lié à cette identité FranceConnect est désactivé : "
                                                               "écrivez à la division des examens et concours du rectorat."))
                    account_certify_identity(user=linked, identity=identity, at=at)
                    return linked, None
                existing = User.objects.with_email(identity.email).first()
                if existing is not None and User.objects.never_activated_before(at - activation_delay()).filter(pk=existing.pk).delete()[0]:
                    existing = None  # expired and not yet purged, as at a sign-up
                if existing is not None:
                    return None, existing
                user = User.objects.create_user(identity.email, None, is_active=True, activated_at=at, date_joined=at)
                account_certify_identity(user=user, identity=identity, at=at)
                return user, None
        except IntegrityError:
            continue  # the same person's other request made the account meanwhile: it is found by its sub
    raise FranceConnectLinkRefused(gettext("Votre compte est en cours de création par une autre connexion : réessayez dans un instant."))


def account_link_franceconnect(*, user, identity, at=None):
    """Link the account whose password was just given to the FranceConnect identity, then certify it.

    One person, one `sub`, one account: an account already linked to another identity, or an
    identity already linked to another account, is refused.
    """
    at = at or timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_staff:
            raise FranceConnectLinkRefused(staff_refused_message())
        if user.franceconnect_sub and user.franceconnect_sub != identity.sub:
            raise FranceConnectLinkRefused(gettext("Ce compte est déjà lié à une autre identité FranceConnect."))
        if User.objects.filter(franceconnect_sub=identity.sub).exclude(pk=user.pk).exists():
            raise FranceConnectLinkRefused(already_linked_message())
        try:
            with transaction.atomic():
                account_certify_identity(user=user, identity=identity, at=at)
        except IntegrityError as error:  # the same identity linked to another account at this very moment
            raise FranceConnectLinkRefused(already_linked_message()) from error
    return user


def already_linked_message():
    return gettext("Cette identité FranceConnect est déjà liée à un autre compte du portail.")


def account_certify_identity(*, user, identity, at):
    """The identity pivot fills the civil identity (a change of it is recorded like any other,
    and after the lock the rectorate is told); the account keeps the `sub` and the level."""
    values = {"last_name": identity.birth_name, "first_name": identity.given_names, "birth_date": identity.birth_date}
    if identity.usage_name and not user.usage_name:
        values["usage_name"] = identity.usage_name
    account_update_situation(user=user, changed_by=user, certified=True, **{name: value for name, value in values.items() if value})
    user.franceconnect_sub, user.identity_certified_at, user.identity_eidas_level = identity.sub, at, identity.eidas_level
    user.gender, user.birthplace_code, user.birth_country_code = identity.gender, identity.birthplace_code, identity.birth_country_code
    user.save(update_fields=["franceconnect_sub", "identity_certified_at", "identity_eidas_level", "gender", "birthplace_code",
                             "birth_country_code"])
    identity_certified.send(sender=User, user=user)
