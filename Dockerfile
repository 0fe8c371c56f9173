# The portal's production image: gunicorn for web, the same image for the Celery worker and beat.
# postgresql-client: pg_dump and pg_restore for backup_portal and restore_portal (bookworm's 15, as docker-compose's postgres:15).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core shared-mime-info postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 portal

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .
COPY . .
# The admin's corrected French phrases (locale/fr/LC_MESSAGES/django.po), compiled with gettext's msgfmt,
# which leaves the image once used.
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
 && msgfmt --check-format -o locale/fr/LC_MESSAGES/django.mo locale/fr/LC_MESSAGES/django.po \
 && apt-get purge -y --auto-remove gettext && rm -rf /var/lib/apt/lists/*
# Static files are collected at build time and served by WhiteNoise.
RUN DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=build ENV_FILE= \
    python manage.py collectstatic --noinput --verbosity 0 \
 && mkdir -p /data/media && chown -R portal:portal /data /app/var

USER portal
EXPOSE 8000
# gunicorn's settings (workers, the access log that masks account links…): portal/gunicorn_conf.py.
CMD ["gunicorn", "-c", "python:portal.gunicorn_conf", "portal.wsgi:application"]
