"""Settings come from the environment; a bad configuration stops start-up with one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 10 + "production-secret-key-made-of-many-distinct-chars-0123456789",
    "ALLOWED_HOSTS": "inscriptions.example.fr",
    "CLAMD_URL": "tcp://clamav:3310",
    "REDIS_URL": "redis://redis:6379/0",  # the checks do not connect
}


def manage(*args, **env):
    """Run manage.py with only the given variables (no .env file, no inherited settings)."""
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "ENV_FILE": ""}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Configuration invalide : SECRET_KEY est obligatoire quand DEBUG est désactivé."
    ]


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", **{**PRODUCTION, "ALLOWED_HOSTS": ""})
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize("url", ["not-a-url", "postgres//nobody", "postgres://u@h:port/db", "mysql://u@h/db", "postgres://"])
def test_a_malformed_database_url_stops_start_up_with_one_line(url):
    result = manage("check", DEBUG="true", DATABASE_URL=url)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DATABASE_URL" in lines[0]


def test_production_settings_pass_the_deployment_checks_with_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    # The one silenced: django-ratelimit's W001 on django-prometheus' django-redis, which counts reads
    # and leaves the limits' calls to django-redis (tests/portal/test_metrics.py).
    assert "System check identified no issues (1 silenced)." in result.stdout
    assert show("settings.SILENCED_SYSTEM_CHECKS", **PRODUCTION) == "['django_ratelimit.W001']"


def test_production_without_an_antivirus_fails_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, "CLAMD_URL": ""})
    assert result.returncode == 1
    assert "documents.W001" in result.stderr and "CLAMD_URL" in result.stderr


def test_production_without_a_shared_cache_fails_the_checks_as_rate_limits_count_there():
    """The file cache increments by read-then-write: fine on a developer's machine, where the
    check is silenced, not for the login and email limits of production."""
    without_redis = {key: value for key, value in PRODUCTION.items() if key != "REDIS_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **without_redis)
    assert result.returncode == 1
    assert "django_ratelimit.E003" in result.stderr
    assert manage("check", DEBUG="true").returncode == 0


def test_a_machine_without_harfbuzz_subset_is_warned_of_slow_pdfs(monkeypatch):
    from weasyprint.text import ffi

    from documents.checks import pdf_fonts_are_subset_by_harfbuzz

    assert ffi.harfbuzz_subset is not None, "libharfbuzz-subset0 must be installed (.ci/run, Dockerfile)"
    assert pdf_fonts_are_subset_by_harfbuzz(None) == []
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    assert [warning.id for warning in pdf_fonts_are_subset_by_harfbuzz(None)] == ["documents.W002"]


def test_development_needs_no_configuration_at_all():
    result = manage("check", DEBUG="true")
    assert result.returncode == 0, result.stderr


def show(expression, **env):
    code = f"from django.conf import settings; print({expression})"
    result = manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_redis_celery_uses_an_embedded_broker():
    assert show("settings.CELERY_BROKER_URL", DEBUG="true") == "filesystem://"


def test_redis_url_switches_the_broker_and_the_cache_to_redis():
    env = {"DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/3"}
    assert show("settings.CELERY_BROKER_URL", **env) == "redis://127.0.0.1:6379/3"
    assert show("settings.CACHES['default']['BACKEND']", **env) == "django_prometheus.cache.backends.redis.RedisCache"
    assert show("settings.CACHES['local']['BACKEND']", **env) == "django_prometheus.cache.backends.locmem.LocMemCache"


def test_database_url_switches_to_postgresql():
    engine = show(
        "settings.DATABASES['default']['ENGINE']",
        DEBUG="true",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal",
    )
    assert engine == "django_prometheus.db.backends.postgresql"


def test_the_portal_speaks_french_on_the_paris_clock():
    assert show("(settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ)", DEBUG="true") == "('fr', 'Europe/Paris', True)"


@pytest.mark.django_db
def test_uploads_are_not_served_under_any_url(client):
    from django.conf import settings

    media_file = Path(settings.MEDIA_ROOT) / "secret.pdf"
    media_file.parent.mkdir(parents=True, exist_ok=True)
    media_file.write_bytes(b"%PDF-1.4 private")
    try:
        for url in ["/secret.pdf", "/media/secret.pdf", "/static/secret.pdf"]:
            assert client.get(url).status_code == 404
    finally:
        media_file.unlink()
