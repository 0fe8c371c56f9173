"""The deadline evening as locust plays it; bench/bench_load.py starts it, with one user class.

- CandidateUser: the realistic mix. Each virtual candidate has their own account and, in a
  loop: login page, login, dashboard, « Mes justificatifs », upload of a 1–3 MB PDF, download
  of the confirmation PDF, the floor page, logout, with a think time between requests.
- DashboardUser, FloorUser: no think time and one page only, already logged in, to measure
  how many of each page per second the server holds (its capacity).

Reads the accounts and the PDFs to upload from BENCH_DATA (a folder bench_load.py fills).
This runs in locust's process (gevent): it must not import Django.
"""

import itertools
import json
import os
import re
import uuid
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, SequentialTaskSet, between, constant, task

DATA = Path(os.environ["BENCH_DATA"])
ACCOUNTS = json.loads((DATA / "accounts.json").read_text())
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_next_account = itertools.count()
_next_upload = itertools.count()

LOGIN_PAGE = "connexion : formulaire"
LOGIN = "connexion : envoi (Argon2)"
DASHBOARD = "tableau de bord (Mon inscription)"
PIECES = "Mes justificatifs"
UPLOAD = "dépôt d'un PDF de 1 à 3 Mo"
CONFIRMATION = "confirmation PDF (téléchargement)"
FLOOR = "plancher (1 requête, gabarit minuscule)"
LOGOUT = "déconnexion"


def _multipart(content):
    """The body the upload page's script sends: one file in the field « files »."""
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="justificatif.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


# Built once, before the load starts: making PDFs during the run would slow the generator.
UPLOADS = [_multipart(path.read_bytes()) for path in sorted(DATA.glob("upload-*.pdf"))]


def _check(response, expected_status, must_contain=None):
    """Fail the request unless it has the expected status (and text); 5xx are named as such."""
    if response.status_code != expected_status:
        response.failure(f"HTTP {response.status_code}")
    elif must_contain and must_contain not in response.text:
        response.failure(f"réponse inattendue (sans « {must_contain} »)")
    else:
        response.success()


class CandidateCycle(SequentialTaskSet):
    """One visit, in this order; then the candidate comes back and starts again."""

    csrf = ""

    def _keep_csrf(self, response):
        found = CSRF_FIELD.search(response.text or "")
        if found:
            self.csrf = found.group(1)

    @task
    def open_login_page(self):
        with self.client.get("/compte/connexion/", name=LOGIN_PAGE, catch_response=True) as response:
            _check(response, 200, "csrfmiddlewaretoken")
            self._keep_csrf(response)

    @task
    def log_in(self):
        account = self.user.account
        form = urlencode({"csrfmiddlewaretoken": self.csrf, "username": account["email"], "password": account["password"]})
        with self.client.post("/compte/connexion/", data=form, name=LOGIN, allow_redirects=False, catch_response=True,
                              headers={"Content-Type": "application/x-www-form-urlencoded"}) as response:
            _check(response, 302)

    @task
    def open_dashboard(self):
        with self.client.get(self.user.account["dashboard"], name=DASHBOARD, catch_response=True) as response:
            _check(response, 200, "Mon inscription")

    @task
    def open_pieces(self):
        with self.client.get(self.user.account["pieces"], name=PIECES, catch_response=True) as response:
            _check(response, 200, "Mes justificatifs")
            self._keep_csrf(response)

    @task
    def upload_pdf(self):
        body, content_type = UPLOADS[next(_next_upload) % len(UPLOADS)]
        headers = {"Content-Type": content_type, "X-CSRFToken": self.csrf, "X-Requested-With": "XMLHttpRequest"}
        with self.client.post(self.user.account["upload"], data=body, headers=headers, name=UPLOAD,
                              catch_response=True) as response:
            _check(response, 200, '"ok": true')

    @task
    def download_confirmation(self):
        with self.client.get(self.user.account["confirmation"], name=CONFIRMATION, catch_response=True) as response:
            _check(response, 200, None)
            if response.status_code == 200 and not response.content.startswith(b"%PDF-"):
                response.failure("pas un PDF")

    @task
    def open_floor(self):
        with self.client.get("/__bench__/plancher/", name=FLOOR, catch_response=True) as response:
            _check(response, 200, "sessions")

    @task
    def log_out(self):
        form = urlencode({"csrfmiddlewaretoken": self.csrf})
        with self.client.post("/compte/deconnexion/", data=form, name=LOGOUT, allow_redirects=False, catch_response=True,
                              headers={"Content-Type": "application/x-www-form-urlencoded"}) as response:
            _check(response, 302)



class CandidateUser(FastHttpUser):
    # 2 to 6 s between two requests: quicker than a person on a phone on the last evening, who
    # reads each page, types a password and picks a file (10 s or more). So each virtual
    # candidate weighs more than a real one, and 100 of them stand for a few hundred people.
    wait_time = between(2, 6)
    tasks = [CandidateCycle]

    def on_start(self):
        self.account = ACCOUNTS[next(_next_account) % len(ACCOUNTS)]


class _LoggedInUser(FastHttpUser):
    """No think time, and a session made beforehand: no Argon2 login competes with the page."""

    abstract = True
    wait_time = constant(0)

    def on_start(self):
        self.account = ACCOUNTS[next(_next_account) % len(ACCOUNTS)]
        self.cookie = {"Cookie": self.account["session_cookie"]}


class DashboardUser(_LoggedInUser):
    @task
    def open_dashboard(self):
        with self.client.get(self.account["dashboard"], name=DASHBOARD, headers=self.cookie, catch_response=True) as response:
            _check(response, 200, "Mon inscription")


class FloorUser(_LoggedInUser):
    @task
    def open_floor(self):
        with self.client.get("/__bench__/plancher/", name=FLOOR, headers=self.cookie, catch_response=True) as response:
            _check(response, 200, "sessions")
