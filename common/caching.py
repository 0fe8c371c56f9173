"""Forgetting a cached copy when what it was read from changes."""

from django.core.cache import cache
from django.db import transaction


def forget(keys):
    """Delete the cached copies now, and once more when the change is committed.

    Signals fire inside the transaction that saves: a request served between the signal and the
    commit still reads the old rows and may cache them again. The second delete, after commit,
    clears that copy; the first one keeps the change visible at once to the saving process.
    """
    keys = list(keys)
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
