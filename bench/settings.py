"""Production settings for the gunicorn that the load test starts: the portal's, plus the floor page.

Read from the environment like production (bench/run.py sets DEBUG=false and the bench database).
"""

from portal.settings import *  # noqa: F403

# The portal's URLs plus the bench's floor pages (bench/urls.py).
ROOT_URLCONF = "bench.urls"
# As in bench/run.py: plain static URLs, so no collectstatic is needed before the run; the
# manifest lookup production does instead is a dictionary read, not what is measured.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# The bench speaks plain HTTP to gunicorn on the loopback (production has TLS in front, at the
# proxy), and a load generator rightly keeps Secure cookies for HTTPS: without this, no login.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
