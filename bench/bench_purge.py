"""The purge: 1,000,000 accounts of which 100,000 expired, each with its activation message.

Targets: under 60 s, under 200 MB of memory, and exactly the 100,000 expired accounts deleted.
The purge runs the management command in a fresh process, which reports its own peak resident
memory (VmHWM: unlike ru_maxrss, it does not inherit the benchmark process's size across exec).
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

from bench.common import Row, other_columns, sql_literal

TOTAL = 1_000_000
EXPIRED = 100_000
RECENT = 10_000  # not yet activated, less than 48 hours old: must stay
PROJECT = Path(__file__).resolve().parent.parent
PURGE_AND_REPORT_PEAK = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()
from django.core.management import call_command
call_command("purge_unactivated_accounts")
print(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")))
"""


def run():
    from candidates.models import Message, User

    before = User.objects.count()
    _insert_accounts()
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", PURGE_AND_REPORT_PEAK], cwd=PROJECT, env=os.environ.copy(),
                            capture_output=True, text=True)
    seconds = time.perf_counter() - start
    status = result.returncode
    assert status == 0, result.stderr
    peak_mb = int(re.search(r"VmHWM:\s+(\d+) kB", result.stdout).group(1)) / 1024
    deleted = int(re.search(r"(\d+) compte", result.stdout).group(1))
    remaining = User.objects.count() - before
    exact = deleted == EXPIRED and remaining == TOTAL - EXPIRED and Message.objects.count() == RECENT
    return [
        Row(f"purge : {TOTAL:,} comptes dont {EXPIRED:,} expirés".replace(",", " "), f"{seconds:.1f} s", "< 60 s", "", seconds < 60 and status == 0),
        Row("purge : mémoire maximale du processus", f"{peak_mb:.0f} Mo", "< 200 Mo", "", peak_mb < 200),
        Row("purge : comptes supprimés", f"{deleted:,}".replace(",", " "), f"exactement {EXPIRED:,}".replace(",", " "), "", exact),
    ]


def _insert_accounts():
    """Rows made by the database itself: a million ORM saves would take longer than the purge."""
    from candidates.models import User

    active = TOTAL - EXPIRED - RECENT
    groups = [  # (count, is_active, activated, age)
        (active, True, True, "30 days"),
        (EXPIRED, False, False, "49 hours"),
        (RECENT, False, False, "47 hours"),
    ]
    with connection.cursor() as cursor:
        offset = 0
        for count, is_active, activated, age in groups:
            if connection.vendor == "postgresql":
                prefix, series = "", f"generate_series({offset + 1}, {offset + count}) AS n"
                joined = f"now() - interval '{age}'"
            else:
                prefix, series = f"WITH RECURSIVE seq(n) AS (SELECT {offset + 1} UNION ALL SELECT n + 1 FROM seq WHERE n < {offset + count}) ", "seq"
                hours = {"30 days": 720, "49 hours": 49, "47 hours": 47}[age]
                joined = f"datetime('now', '-{hours} hours')"
            columns, values = other_columns(User, {
                "password": "'!'", "email": "'purge' || n || '@exemple.fr'", "last_name": "'Nom'", "first_name": "'Prénom'",
                "is_active": sql_literal(is_active), "date_joined": joined, "activated_at": joined if activated else "NULL"})
            cursor.execute(f"{prefix}INSERT INTO candidates_user ({columns}) SELECT {values} FROM {series}")
            offset += count
        # Each never-activated account has its activation message, which goes with it.
        cursor.execute("""
            INSERT INTO candidates_message (recipient_id, to_email, event_key, subject, body_text, body_html,
                created_at, status, attempts, last_error, link_purpose, link_valid_until, link_data)
            SELECT id, email, 'activation:' || id, 'Activez votre compte', 'Bonjour', '', date_joined, 'sent', 1, '',
                'activation', date_joined, '{}'
            FROM candidates_user WHERE activated_at IS NULL AND email LIKE 'purge%'""")
        cursor.execute("ANALYZE")  # fresh statistics after a bulk load, as autovacuum gives a live database
