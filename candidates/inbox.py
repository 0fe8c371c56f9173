"""How many messages a candidate has not read: shown in the header of every page.

Kept in Django's cache per candidate, so a page does not count them each time; every change of
a message (a new one, read, unread, deleted) forgets the count.
"""

from django.core.cache import cache

from common.caching import forget


def _key(user_id):
    return f"candidates:unread:{user_id}"


def unread_count(user):
    return cache.get_or_set(_key(user.pk), lambda: user.messages.filter(read_at__isnull=True).count(), 60 * 60)


def forget_unread_count(user_id):
    forget([_key(user_id)])
