"""The catalogue's generation: one number that changes whenever staff change what every
registration is read against (specialties, their options, the kinds of pieces, the matrix).

A page fragment drawn from a registration and the catalogue is cached under a key made of the
registration's values and this number: any change to either draws it again, with nothing to
find and clear. The signals of exams/signals.py and documents/signals.py call `changed()`.
"""

import uuid

from django.core.cache import cache

from common.caching import forget

KEY = "exams:catalogue-generation"


def generation():
    """The current generation, from the shared cache; after a change, a new one drawn at random
    (a counter would start again at 1 if the cache lost it, and meet fragments of an old state)."""
    return cache.get_or_set(KEY, lambda: uuid.uuid4().hex, None)


def changed():
    forget([KEY])
