"""What the accounts app does when its own rows change: a message saved or deleted forgets its
recipient's unread count (candidates/inbox.py)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from candidates.inbox import forget_unread_count
from candidates.models import Message


@receiver([post_save, post_delete], sender=Message)
def message_changed(sender, instance, **kwargs):
    forget_unread_count(instance.recipient_id)
