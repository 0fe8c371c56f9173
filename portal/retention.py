"""The retention policy (RGPD): what is deleted, and when. One function per rule, safe to re-run."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from candidates.models import Message, User
from candidates.outbox import email_send
from documents.models import PieceFile

logger = logging.getLogger(__name__)


def delete_expired_identity_documents(*, at=None):
    """Identity documents go IDENTITY_RETENTION_DAYS after their session's results."""
    at = at or timezone.now()
    expired = PieceFile.objects.filter(
        piece__piece_kind__code="identity",
        piece__registration__session__results_published_at__lt=at - timedelta(days=settings.IDENTITY_RETENTION_DAYS))
    deleted = 0
    for piece_file in expired.iterator(chunk_size=500):
        with transaction.atomic():
            piece_file.delete()
            transaction.on_commit(lambda f=piece_file: f.file.delete(save=False))
        deleted += 1
    logger.info("retention: %d identity document(s) deleted", deleted)
    return deleted


def _idle_since(at, days):
    cutoff = at - timedelta(days=days)
    return Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)


def notify_and_delete_inactive_accounts(*, at=None):
    """Accounts without a login for INACTIVE_ACCOUNT_DAYS are deleted, after a notice sent
    INACTIVITY_NOTICE_DAYS before (once). Staff accounts are never touched. Returns (notified, deleted)."""
    at = at or timezone.now()
    notice_days = settings.INACTIVITY_NOTICE_DAYS
    candidates = User.objects.filter(is_staff=False, is_superuser=False, is_active=True)
    notified = 0
    for user in candidates.filter(_idle_since(at, settings.INACTIVE_ACCOUNT_DAYS - notice_days)).iterator(chunk_size=500):
        key = f"inactivity-notice:{user.pk}:{(user.last_login or user.date_joined).date()}"
        if not Message.objects.filter(event_key=key).exists():
            with transaction.atomic():
                email_send(user=user, template="inactivity_notice",
                           context={"deletion_at": at + timedelta(days=notice_days)}, event_key=key)
            notified += 1
    deleted = 0
    for user in candidates.filter(_idle_since(at, settings.INACTIVE_ACCOUNT_DAYS)).iterator(chunk_size=500):
        key = f"inactivity-notice:{user.pk}:{(user.last_login or user.date_joined).date()}"
        noticed = Message.objects.filter(event_key=key, created_at__lte=at - timedelta(days=notice_days)).exists()
        if noticed:
            user.delete()
            deleted += 1
    logger.info("retention: %d notice(s), %d idle account(s) deleted", notified, deleted)
    return notified, deleted
