"""Signed links that need no table: activation, password reset and change of email address.

Each link is made when its email leaves (`candidates/outbox.py`) and is never stored: what the
portal keeps, shows and exports of those emails holds no usable token.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """The activation link: signed, bound to the account, valid until its activation deadline.

    The hash covers what identifies this account (id, email, creation time), so a link for
    another account or for a deleted-and-recreated one fails. The deadline is counted from the
    account's creation, so asking for the link again never extends it. It works once because
    only an account that is not yet active can be activated (`User.can_be_activated`).
    """

    key_salt = "candidates.tokens.ActivationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}|{user.email}|{user.date_joined.timestamp()}|{timestamp}"

    def is_authentic(self, user, token):
        """Whether `token` was made by this portal for `user`, whatever its age."""
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except (ValueError, AttributeError):
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token):
                return True
        return False


activation_tokens = ActivationTokenGenerator()

EMAIL_CHANGE_SALT = "candidates.email-change"
EMAIL_CHANGE_MAX_AGE = 48 * 3600


def make_email_change_token(user, new_email, *, from_email=None, until):
    """A link for the new address; bound to the current one, so it works once; valid until `until`."""
    payload = {"user": user.pk, "from": from_email or user.email, "to": new_email, "until": until.isoformat()}
    return signing.dumps(payload, salt=EMAIL_CHANGE_SALT)


def read_email_change_token(token, at=None):
    """The signed payload, or None when the token is altered or past its validity."""
    try:
        payload = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature:
        return None
    try:
        until = datetime.fromisoformat(payload["until"])
    except (KeyError, TypeError, ValueError):
        return None
    return payload if (at or timezone.now()) <= until else None


def absolute_url(path):
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def activation_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return absolute_url(reverse("candidates:activate", args=[uid, activation_tokens.make_token(user)]))


class _ResetTokensMadeAt(PasswordResetTokenGenerator):
    """Django's reset token, dated when the candidate asked rather than when the email leaves,
    so a retried delivery never makes the link last longer than the hour the email states."""

    def __init__(self, made_at):
        super().__init__()
        self.made_at = made_at

    def _now(self):
        return timezone.localtime(self.made_at).replace(tzinfo=None)


def password_reset_valid_until(asked_at):
    return asked_at + timezone.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def password_reset_link(user, *, asked_at):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = _ResetTokensMadeAt(asked_at).make_token(user)
    return absolute_url(reverse("candidates:password_reset_confirm", args=[uid, token]))


def email_change_link(user, *, from_email, to_email, until):
    token = make_email_change_token(user, to_email, from_email=from_email, until=until)
    return absolute_url(reverse("candidates:email_change_confirm", args=[token]))


