"""What every benchmark shares: a row of the table and a timer."""

import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Row:
    name: str
    figure: str
    target: str = ""
    ratio: str = ""
    ok: bool | None = None


def time_calls(call, repeat, warmup=20):
    """Seconds per call, one sample per call, after a warm-up."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def median_ms(samples):
    return statistics.median(samples) * 1000


def p95_ms(samples):
    return statistics.quantiles(samples, n=20)[-1] * 1000


def pdf_of_size(size):
    """A valid one-page PDF of exactly `size` bytes, like a scan: one big binary stream."""
    import io
    import os

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, NumberObject, StreamObject

    def make(padding):
        writer = PdfWriter()
        page = writer.add_blank_page(width=595, height=842)
        scan = StreamObject()  # an image of the page (not an attachment: the portal would remove it)
        scan.set_data(os.urandom(padding))
        scan.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                     NameObject("/Width"): NumberObject(padding), NameObject("/Height"): NumberObject(1),
                     NameObject("/ColorSpace"): NameObject("/DeviceGray"), NameObject("/BitsPerComponent"): NumberObject(8)})
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject({
            NameObject("/Scan"): writer._add_object(scan)})})
        output = io.BytesIO()
        writer.write(output)
        return output.getvalue()

    padding = 1
    for _ in range(5):
        content = make(padding)
        if len(content) == size:
            break
        padding += size - len(content)
    return content


def open_session(*, year, name):
    """A session whose registration window is open now, with the 2024 matrix of pieces."""
    from datetime import timedelta

    from django.utils import timezone

    from documents.requirements import requirements_copy
    from exams.models import ExamSession

    now = timezone.now()
    session = ExamSession.objects.create(name=name, year=year, academy=name, registration_opens_at=now - timedelta(days=1),
                                         registration_closes_at=now + timedelta(days=1))
    requirements_copy(from_session=ExamSession.objects.get(year=2024), to_session=session)
    return session


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, seconds=10):
    import socket

    for _ in range(int(seconds * 10)):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def logged_in_session_key(user):
    """The key of a new server-side session logged in as `user`, without hashing a password."""
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store["_auth_user_id"], store["_auth_user_backend"] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return store.session_key


# A registration's answers that leave nothing unanswered: an employee of 24 months, voie scolaire,
# no dispense, benefit, positioning, derogation or accommodation. The benches start from it.
COMPLETE_ANSWERS = {"category": "employee", "employment_months": 24, "pathway": "scolaire", "diploma": "bac_pro",
                    "two_years_of_training": True,
                    "language": "anglais", "claims_dispenses": False, "keeps_grade_benefits": False,
                    "has_positioning_decision": False, "has_internship_derogation": False, "handicap": False}


def staff_client(email):
    """A test client logged in to the admin as a new superuser, past its second factor."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from candidates.models import User

    staff = User.objects.create_superuser(email, "x" * 16)
    device = TOTPDevice.objects.create(user=staff, name="bench", confirmed=True)
    client = Client()
    client.force_login(staff)
    client_session = client.session
    client_session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    client_session.save()
    return client


def upload_candidate(*, year, email):
    """A logged-in candidate with a registration to upload pieces to: (registration, cookies, csrf)."""
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string

    from candidates.models import User
    from exams.models import Registration, Specialty

    session = open_session(year=year, name=f"Bench {year}")
    user = User.objects.create_user(email, "x" * 16, is_active=True)
    registration = Registration.objects.create(candidate=user, session=session, number=f"{year}-000001",
                                               specialty=Specialty.objects.get(code="CG"), **COMPLETE_ANSWERS)
    csrf = _get_new_csrf_string()
    cookies = f"{settings.SESSION_COOKIE_NAME}={logged_in_session_key(user)}; {settings.CSRF_COOKIE_NAME}={csrf}"
    return registration, cookies, csrf


@contextmanager
def one_gunicorn_worker():
    """gunicorn on a free port with one sync worker, as production runs it: (port, worker pid)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "portal.wsgi:application", "-b", f"127.0.0.1:{port}",
                               "-w", "1", "--timeout", "120"], cwd=Path(__file__).resolve().parent.parent,
                              env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield port, _worker_pid(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)


def _worker_pid(master):
    from pathlib import Path

    for _ in range(50):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def process_status(pid, key):
    """A figure of /proc/<pid>/status, in kB (VmRSS, VmHWM…)."""
    from pathlib import Path

    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    raise KeyError(key)


def other_columns(model, given):
    """`given` (column -> SQL expression) completed with every other NOT NULL column of `model`,
    each set to its field's default as an SQL literal, as the ORM would: a raw bulk INSERT then
    keeps working when a migration adds a column (issue 18's four identity columns broke two).
    Returns (columns, expressions), two comma-separated strings. A NOT NULL column with no
    default and not given is an error, named here rather than by the database."""
    from django.db import connection
    from django.db.models import NOT_PROVIDED

    columns, expressions = list(given), list(given.values())
    for field in model._meta.concrete_fields:
        if field.column in given or field.null or field.primary_key:
            continue
        if field.default is NOT_PROVIDED:
            if not (field.blank and field.get_internal_type() in ("CharField", "TextField")):
                raise ValueError(f"{model.__name__}.{field.name}: NOT NULL, no default, not given")
            value = ""
        else:
            value = field.get_default()
        columns.append(connection.ops.quote_name(field.column))
        expressions.append(sql_literal(field.get_db_prep_value(value, connection)))
    return ", ".join(columns), ", ".join(expressions)


def sql_literal(value):
    from django.db import connection

    if isinstance(value, bool):
        return ("true" if value else "false") if connection.vendor == "postgresql" else str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if value is None:
        return "NULL"
    if hasattr(value, "adapted"):  # psycopg2's Json adapter of a JSONField's default
        value = value.dumps(value.adapted)
    return "'" + str(value).replace("'", "''") + "'"
