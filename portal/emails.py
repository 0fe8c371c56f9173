"""The portal's emails: see candidates/outbox.py, where every email is rendered, recorded and
queued (kept here so that callers outside the accounts app keep one name for it)."""

from candidates.outbox import email_send, email_send_account_link

__all__ = ["email_send", "email_send_account_link"]
