"""`make bench`: every benchmark of the project, one table.

Runs with production settings (DEBUG off) on a fresh database: DATABASE_URL when it is set
(it is emptied: point it at a scratch database), else a new `portal_bench` database on the local
PostgreSQL (127.0.0.1:5432, user postgres) when one answers, else SQLite in a temporary folder.
Each bench/bench_*.py module has a run() returning rows.
"""

import importlib
import os
import secrets
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def configure():
    workdir = Path(tempfile.mkdtemp(prefix="bts-bench-"))
    os.environ.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        ENV_FILE="",
        LOG_LEVEL="WARNING",
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
    )
    os.environ.setdefault("DATABASE_URL", local_postgresql() or f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.conf import settings

    django.setup()
    # Static URLs without collectstatic: the manifest lookup is not what is measured here.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.core.management import call_command
    from django.db import connection

    # Emptied whole, then migrated: the data migrations load the reference data again (a flush
    # would keep the applied migrations and lose their rows, so a second run would find none).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    print(f"Base de données : {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} "
          f"({settings.DATABASES['default']['NAME']})\n")


def local_postgresql():
    """A fresh `portal_bench` database on the local PostgreSQL, or None when none answers."""
    try:
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=2)
    except Exception:
        return None
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS portal_bench")
        cursor.execute("CREATE DATABASE portal_bench")
    connection.close()
    return "postgres://postgres@127.0.0.1:5432/portal_bench"


def print_table(rows):
    header = ("benchmark", "mesure", "cible", "rapport", "")
    lines = [header] + [(r.name, r.figure, r.target, r.ratio, {True: "OK", False: "ÉCHEC", None: ""}[r.ok]) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for index, line in enumerate(lines):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


def main():
    configure()
    names = sys.argv[1:] or sorted(p.stem for p in (PROJECT / "bench").glob("bench_*.py"))
    rows = []
    for name in names:
        rows.extend(importlib.import_module(f"bench.{name}").run())
    print_table(rows)
    return 1 if any(row.ok is False for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
