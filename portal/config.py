"""Start-up guard: a bad configuration stops the process with one line naming the variable."""

import sys

from django.core.exceptions import ImproperlyConfigured


class ConfigurationError(ImproperlyConfigured):
    """Raised by the settings module when an environment variable is missing or malformed."""


def load_settings_or_exit():
    """Import the settings now, so a configuration error is one line on stderr, not a traceback."""
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading a setting is what raises the configuration error
    except ConfigurationError as error:
        sys.stderr.write(f"Configuration invalide : {error}\n")
        sys.exit(1)
