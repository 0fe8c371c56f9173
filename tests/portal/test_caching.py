"""A cached copy is forgotten when its rows change, and again once the change is committed."""

import pytest
from django.core.cache import cache

from common.caching import forget

pytestmark = pytest.mark.django_db


def test_a_copy_is_forgotten_at_once(django_capture_on_commit_callbacks):
    cache.set("copy", "old")
    with django_capture_on_commit_callbacks(execute=False):
        forget(["copy"])
        assert cache.get("copy") is None


def test_a_copy_cached_again_before_the_commit_is_forgotten_after_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        forget(["copy"])
        cache.set("copy", "read by a request that did not see the change yet")
    assert cache.get("copy") is None
