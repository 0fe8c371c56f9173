"""Signed links that need no table: activation and change of email address."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


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


def make_email_change_token(user, new_email):
    """A link for the new address; bound to the current one, so it works once."""
    return signing.dumps({"user": user.pk, "from": user.email, "to": new_email}, salt=EMAIL_CHANGE_SALT)


def read_email_change_token(token):
    """The signed payload, or None when the token is altered or older than 48 hours."""
    try:
        return signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature:
        return None


