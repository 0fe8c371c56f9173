"""The deadline evening: 100 virtual candidates against gunicorn, PostgreSQL and Redis (locust).

Two phases on the same server:
1. The mix (bench/locustfile.py, CandidateUser): each candidate logs in, opens the dashboard
   and « Mes justificatifs », uploads a 1–3 MB PDF, downloads the confirmation PDF, opens the
   floor page and logs out, with 2–6 s of think time between requests, and starts again. Each
   page is asked once per visit, so their rates are equal by construction: this phase gives
   the response times, measured after all 100 have arrived.
2. Saturation (DashboardUser, then FloorUser, in alternating rounds): the same 100 users, no
   think time, one page only. This gives how many dashboards per second the server holds against
   the floor page (one query, a tiny template) — the capacity ratio. The speed of a shared
   virtual machine drifts by a quarter from one minute to the next: the two pages are measured in
   turns, each dashboard round next to its floor round, and the ratio is the median of the rounds.

gunicorn runs the Dockerfile's command (3 sync workers); locust runs in its own process (it
monkey-patches with gevent) on the same two cores, so the figures include the generator's cost.
"""

import csv
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from bench.common import COMPLETE_ANSWERS, Row, free_port, logged_in_session_key, open_session, pdf_of_size, wait_for_port

PROJECT = Path(__file__).resolve().parent.parent
LOCUSTFILE = PROJECT / "bench" / "locustfile.py"
USERS = 100
# Users started per second in the mix: candidates arrive over 50 s rather than all logging in
# within the same seconds; the ramp-up is left out of the figures (--reset-stats).
SPAWN_RATE = 2
MIXED_SECONDS = 90
SATURATION_SECONDS = 12
SATURATION_ROUNDS = 5
WORKERS = 3  # the production default (WEB_CONCURRENCY in portal/gunicorn_conf.py)
REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, emptied before and after
PASSWORD = "une phrase de passe solide"
PIECE = "identity"  # required from every candidate
P95_TARGET_MS = 500
CAPACITY_TARGET = 0.5
# Pages whose time is the file's size or WeasyPrint's, not the portal's: no p95 target.
NO_P95_TARGET = {"dépôt d'un PDF de 1 à 3 Mo", "confirmation PDF (téléchargement)"}
FLOOR = "plancher (1 requête, gabarit minuscule)"
DASHBOARD = "tableau de bord (Mon inscription)"


def run():
    data = Path(tempfile.mkdtemp(prefix="bts-load-"))
    session = open_session(year=2198, name="Bench charge")
    try:
        accounts = create_candidates(session, USERS)
        write_locust_data(data, accounts)
        redis_url = redis_or_none()
        port = free_port()
        server = start_gunicorn(port, data, redis_url)
        try:
            warm_up(port)
            mixed = run_locust(data, port, "CandidateUser", MIXED_SECONDS, SPAWN_RATE, master=server.pid)
            rounds = [(run_locust(data, port, "DashboardUser", SATURATION_SECONDS, USERS, master=server.pid),
                       run_locust(data, port, "FloorUser", SATURATION_SECONDS, USERS, master=server.pid))
                      for _ in range(SATURATION_ROUNDS)]
        finally:
            server.terminate()
            server.wait(timeout=30)
            if redis_url:
                _redis_client().flushdb()
        server_errors = _server_errors(data)
    finally:
        delete_candidates(session)
        shutil.rmtree(data, ignore_errors=True)
    return (mixed_rows(mixed) + saturation_rows(rounds)
            + error_rows([mixed, *(run for pair in rounds for run in pair)], server_errors) + [setup_row(redis_url)])


# --- Data -------------------------------------------------------------------------------------

def create_candidates(session, count):
    """`count` candidates with a complete registration and its confirmation PDF, in bulk."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.files.base import ContentFile
    from django.urls import reverse
    from django.utils import timezone

    from candidates.models import User
    from documents import pdf
    from documents.models import GeneratedDocument, GeneratedDocumentKind
    from documents.requirements import required_pieces
    from exams.models import Registration, Specialty
    from exams.rules import registration_errors

    now = timezone.now()
    encoded = make_password(PASSWORD)  # one Argon2 hash for all: hashing it 100 times is not the bench
    users = User.objects.bulk_create([
        User(email=f"charge{n:03d}@exemple.fr", password=encoded, is_active=True, activated_at=now,
             last_name=f"Charge {n}", first_name="Camille", address_line="1 rue de la Gare", postal_code="14000", city="Caen")
        for n in range(count)])
    specialty = Specialty.objects.get(code="CG")
    registrations = Registration.objects.bulk_create([
        Registration(candidate=user, session=session, number=f"{session.year}-{n + 1:06d}", version=1, specialty=specialty,
                     completed_at=now, **COMPLETE_ANSWERS)
        for n, user in enumerate(users)])
    first = Registration.objects.select_related("candidate", "session", "specialty", "option").get(pk=registrations[0].pk)
    assert not registration_errors(first), registration_errors(first)
    pieces = required_pieces(first)
    assert PIECE in {piece.kind.code for piece in pieces}
    # The Celery task renders each confirmation once per version; rendering it 100 times here
    # would only slow the setup, so every candidate gets a copy of one real confirmation.
    content = pdf.confirmation_pdf(first, pieces)
    documents = []
    for registration in registrations:
        document = GeneratedDocument(registration=registration, kind=GeneratedDocumentKind.CONFIRMATION, version=1)
        document.file.save(f"{registration.number}-confirmation-v1.pdf", ContentFile(content), save=False)
        documents.append(document)
    GeneratedDocument.objects.bulk_create(documents)
    return [{
        "email": user.email,
        "password": PASSWORD,
        "piece": PIECE,
        "dashboard": reverse("documents:overview", args=[registration.pk]),
        "pieces": reverse("documents:pieces", args=[registration.pk]),
        "upload": reverse("documents:upload", args=[registration.pk, PIECE]),
        "confirmation": reverse("documents:download", args=[registration.pk, GeneratedDocumentKind.CONFIRMATION]),
        "session_cookie": f"{settings.SESSION_COOKIE_NAME}={logged_in_session_key(user)}",
    } for user, registration in zip(users, registrations, strict=True)]


def write_locust_data(data, accounts):
    (data / "accounts.json").write_text(json.dumps(accounts))
    sizes = random.Random(2025).sample(range(1_000_000, 3_000_001), 5)  # the same files from run to run
    for index, size in enumerate(sizes):
        (data / f"upload-{index}.pdf").write_bytes(pdf_of_size(size))


def delete_candidates(session):
    from candidates.models import User
    from documents.models import GeneratedDocument, PieceFile

    for stored in [*PieceFile.objects.filter(piece__registration__session=session),
                   *GeneratedDocument.objects.filter(registration__session=session)]:
        stored.file.delete(save=False)
    User.objects.filter(registrations__session=session).delete()
    session.delete()


# --- Server -----------------------------------------------------------------------------------

def _redis_client():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)


def redis_or_none():
    """REDIS_URL when a Redis answers on this machine (its database emptied), else None."""
    import redis

    try:
        _redis_client().flushdb()
    except (redis.RedisError, OSError):
        return None
    return REDIS_URL


def start_gunicorn(port, data, redis_url):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "GUNICORN_BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": str(WORKERS)}
    if redis_url:
        env["REDIS_URL"] = redis_url
    # The Dockerfile's command (portal/gunicorn_conf.py); the access log goes to stdout there, to nowhere here.
    command = [sys.executable, "-m", "gunicorn", "-c", "python:portal.gunicorn_conf", "portal.wsgi:application"]
    with open(data / "gunicorn.log", "w") as log:
        server = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    wait_for_port(port, seconds=20)
    return server


def warm_up(port):
    """A few requests, so that every worker has imported the portal before anything is timed."""
    for _ in range(4 * WORKERS):
        for path in ("/compte/connexion/", "/__bench__/plancher/"):
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()


def _cpu_seconds(master):
    """CPU time used so far by gunicorn's master and its workers."""
    if master is None:
        return 0.0
    pids = [master, *map(int, Path(f"/proc/{master}/task/{master}/children").read_text().split())]
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _machine_ticks():
    """(busy, total) CPU ticks of the whole machine so far, all cores, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


def _server_errors(data):
    log = (data / "gunicorn.log").read_text(errors="replace")
    return len(re.findall(r"^Traceback|WORKER TIMEOUT", log, flags=re.MULTILINE))


# --- Locust -----------------------------------------------------------------------------------

def run_locust(data, port, user_class, seconds, spawn_rate, master=None):
    """One headless locust run; returns {request name: figures}, with the server's CPU time."""
    prefix = data / user_class
    ramp_up = USERS // spawn_rate
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(USERS), "-r", str(spawn_rate),
               "-t", f"{seconds + ramp_up}s", "--reset-stats", "--stop-timeout", "10", "--only-summary",
               "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), user_class]
    env = {**os.environ, "BENCH_DATA": str(data)}
    cpu, (busy, total) = _cpu_seconds(master), _machine_ticks()
    with open(f"{prefix}.log", "w") as log:
        subprocess.run(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=seconds + ramp_up + 120)
    cpu = _cpu_seconds(master) - cpu
    busy, total = (now - before for now, before in zip(_machine_ticks(), (busy, total), strict=True))
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.exists():
        raise RuntimeError(f"locust ({user_class}) n'a rien mesuré :\n{Path(f'{prefix}.log').read_text()[-3000:]}")
    with stats_file.open() as stats:
        pages = {row["Name"]: {
            "count": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "median": float(row["Median Response Time"]),
            "p95": float(row["95%"]),
            "rps": float(row["Requests/s"]),
        } for row in csv.DictReader(stats) if row["Type"]}
    with Path(f"{prefix}_failures.csv").open() as failures:
        rows = list(csv.DictReader(failures))
    return {
        "pages": pages,
        "5xx": sum(int(r["Occurrences"]) for r in rows if re.search(r"HTTP 5\d\d", r["Error"])),
        "failures": sum(int(r["Occurrences"]) for r in rows),
        "errors": sorted({r["Error"] for r in rows}),
        "cpu_ms_per_request": 1000 * cpu / max(sum(p["count"] for p in pages.values()), 1),
        "machine_busy": busy / max(total, 1),
    }


# --- Rows -------------------------------------------------------------------------------------

def mixed_rows(mixed):
    floor_rps = mixed["pages"][FLOOR]["rps"]
    rows = []
    for name, page in mixed["pages"].items():
        checked = name not in NO_P95_TARGET
        rows.append(Row(
            f"charge mixte, {USERS} candidats : {name}",
            f"méd. {page['median']:.0f} ms, p95 {page['p95']:.0f} ms, {page['rps']:.2f} req/s, {page['failures']} err.",
            f"p95 < {P95_TARGET_MS} ms" if checked else "",
            f"{page['rps'] / floor_rps:.2f} × le plancher",
            page["p95"] < P95_TARGET_MS if checked else None))
    rows.append(Row(f"charge mixte, {USERS} candidats : CPU de gunicorn par requête (moyenne du mélange)",
                    f"{mixed['cpu_ms_per_request']:.1f} ms"))
    return rows


def saturation_rows(rounds):
    """Each page's figures over all rounds; the ratio is the median of the rounds' own ratios."""
    ratios = [dashboard["pages"][DASHBOARD]["rps"] / floor["pages"][FLOOR]["rps"] for dashboard, floor in rounds]
    ratio = statistics.median(ratios)

    def figure(runs, name):
        rps = statistics.mean(run["pages"][name]["rps"] for run in runs)
        median = statistics.median(run["pages"][name]["median"] for run in runs)
        cpu = statistics.mean(run["cpu_ms_per_request"] for run in runs)
        busy = statistics.mean(run["machine_busy"] for run in runs)
        return (f"{rps:.0f} req/s (méd. {median:.0f} ms ; CPU serveur {cpu:.1f} ms/req. ; "
                f"machine occupée à {100 * busy:.0f} %)")

    dashboards, floors = [pair[0] for pair in rounds], [pair[1] for pair in rounds]
    return [
        Row(f"saturation, {USERS} candidats sans pause : tableau de bord ({len(rounds)} manches de {SATURATION_SECONDS} s)",
            figure(dashboards, DASHBOARD), f"≥ {CAPACITY_TARGET} × le plancher",
            f"{ratio:.2f} × le plancher (manches : {', '.join(f'{r:.2f}' for r in ratios)})", ratio >= CAPACITY_TARGET),
        Row(f"saturation, {USERS} candidats sans pause : plancher (en alternance)", figure(floors, FLOOR)),
    ]


def error_rows(runs, server_errors):
    five_xx = sum(run["5xx"] for run in runs)
    others = sum(run["failures"] for run in runs) - five_xx
    errors = "; ".join(error for run in runs for error in run["errors"])[:200]
    return [Row("charge, toutes phases : réponses 5xx / autres échecs",
                f"{five_xx} / {others}" + (f" ({errors})" if errors else ""), "0 / 0",
                f"{server_errors} trace(s) dans le journal de gunicorn" if server_errors else "",
                five_xx == 0 and others == 0 and server_errors == 0)]


def setup_row(redis_url):
    redis = "Redis (base 15)" if redis_url else "sans Redis (aucun ne répond sur 127.0.0.1:6379)"
    return Row("charge : montage", f"gunicorn {WORKERS} workers sync, PostgreSQL, {redis}, locust sur la même machine")
