"""A test OpenID Connect provider that mimics FranceConnect v2's integration platform.

It runs tests/franceconnect/provider.mjs (Node, panva's oidc-provider) on 127.0.0.1 and
drives its sign-in and sign-out pages without a browser. Needs `node` and
`npm ci --prefix tests/franceconnect`.

    from tests.fc_provider import franceconnect, franceconnect_provider  # fixtures

    def test_something(franceconnect):
        franceconnect.issuer, franceconnect.client_id, franceconnect.client_secret
        callback_url = franceconnect.sign_in(authorize_url, login="pierre")
        franceconnect.misbehave(id_token="rogue_key")
        post_logout_url = franceconnect.sign_out(end_session_url)

Test identities: "angela" (max level eidas3) and "pierre" (max level eidas1); the acr
returned is the first requested acr_values if the identity reaches it, else its max level.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
PROVIDER_DIR = os.path.join(HERE, "franceconnect")
PROVIDER_SCRIPT = os.path.join(PROVIDER_DIR, "provider.mjs")

ID_TOKEN_MISBEHAVIOURS = (None, "rogue_key", "expired", "no_nonce", "wrong_audience")
USERINFO_MISBEHAVIOURS = (None, "rogue_key", "plain_json")

_REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_MAX_HOPS = 20


class _PageParser(HTMLParser):
    """Collects the visible text and the forms (action, method, id, inputs) of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text_parts: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                          "id": attrs.get("id"), "inputs": {}}
            self.forms.append(self._form)
        elif tag == "input" and attrs.get("name"):
            form = self._form
            if form is None and attrs.get("form"):
                form = next((f for f in self.forms if f["id"] == attrs["form"]), None)
            if form is not None and (attrs.get("type") or "text").lower() not in ("submit", "button", "image"):
                form["inputs"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text_parts.append(data.strip())

    @property
    def text(self) -> str:
        return "\n".join(self.text_parts)


def _parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestProvider:
    """One running instance of the test FranceConnect provider."""

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, client_id: str = "franceconnect-test-client", client_secret: str | None = None):
        self.client_id = client_id
        self.client_secret = client_secret or ("secret-" + os.urandom(16).hex())
        self.port: int | None = None
        self.issuer: str | None = None
        self.process: subprocess.Popen | None = None
        self.log_path: str | None = None
        self._log_file = None
        self._http = requests.Session()  # control API calls
        self.browser: requests.Session | None = None  # the "browser" of the last sign_in

    # ----- lifecycle -------------------------------------------------------------------

    def start(self, timeout: float = 20.0) -> TestProvider:
        if self.process is not None:
            return self
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("The test FranceConnect provider needs Node.js (`node` on PATH).")
        if not os.path.isdir(os.path.join(PROVIDER_DIR, "node_modules", "oidc-provider")):
            raise RuntimeError(
                "The test FranceConnect provider's packages are missing: run "
                "`npm ci --prefix tests/franceconnect` from the repository root first.")
        last_error = None
        for _attempt in range(3):
            try:
                self._spawn(node, timeout)
                return self
            except RuntimeError as exc:  # e.g. the port was taken in between: try another one
                last_error = exc
                self.stop()
        raise last_error

    def _spawn(self, node: str, timeout: float) -> None:
        self.port = _free_port()
        fd, self.log_path = tempfile.mkstemp(prefix="fc-test-provider-", suffix=".log")
        self._log_file = os.fdopen(fd, "w+b", buffering=0)
        self.process = subprocess.Popen(
            [node, PROVIDER_SCRIPT, "--port", str(self.port),
             "--client-id", self.client_id, "--client-secret", self.client_secret],
            cwd=PROVIDER_DIR, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log_file)
        ready = threading.Event()
        found: list[str] = []

        def read_stdout(stream):
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", "replace").strip()
                if line.startswith("READY ") and not ready.is_set():
                    found.append(line[len("READY "):])
                    ready.set()
            ready.set()  # EOF: the process ended

        threading.Thread(target=read_stdout, args=(self.process.stdout,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while not ready.wait(0.1):
            if time.monotonic() > deadline:
                raise RuntimeError(f"The test FranceConnect provider did not print READY within {timeout:g} s.\n"
                                   f"{self.log_tail()}")
        if not found:
            self.process.wait(5)
            raise RuntimeError(f"The test FranceConnect provider exited (code {self.process.returncode}) "
                               f"before it was ready.\n{self.log_tail()}")
        self.issuer = found[0]

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if process is not None and process.stdout is not None:
            process.stdout.close()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the provider's stderr (its error log), for failure messages."""
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "rb") as fh:
            data = fh.read()
        text = data[-chars:].decode("utf-8", "replace")
        return f"--- provider log ({self.log_path}) ---\n{text}" if text.strip() else ""

    # ----- endpoints -------------------------------------------------------------------

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def metadata(self) -> dict:
        response = self._http.get(self.discovery_url, timeout=5)
        response.raise_for_status()
        return response.json()

    # ----- test control API ------------------------------------------------------------

    def _control(self, path: str, payload: dict | None = None) -> None:
        response = self._http.post(f"{self.issuer}/__test__/{path}", json=payload or {}, timeout=5)
        if response.status_code != 200 or response.json().get("ok") is not True:
            raise RuntimeError(f"test provider /__test__/{path} answered {response.status_code}: {response.text}")

    def reset(self) -> None:
        """Default identities, no misbehaviour, and every provider session, code and token forgotten."""
        self._control("reset")
        self.browser = None

    def add_identity(self, login: str, sub: str, claims: dict, max_level: str = "eidas1") -> None:
        self._control("identities", {"login": login, "sub": sub, "claims": claims, "max_level": max_level})

    def misbehave(self, id_token: str | None = None, userinfo: str | None = None) -> None:
        """Make the next token / userinfo responses wrong, until reset() (or misbehave() again)."""
        if id_token not in ID_TOKEN_MISBEHAVIOURS:
            raise ValueError(f"id_token misbehaviour must be one of {ID_TOKEN_MISBEHAVIOURS}")
        if userinfo not in USERINFO_MISBEHAVIOURS:
            raise ValueError(f"userinfo misbehaviour must be one of {USERINFO_MISBEHAVIOURS}")
        self._control("misbehave", {"id_token": id_token, "userinfo": userinfo})

    # ----- browser-less flows ----------------------------------------------------------

    def _on_provider(self, url: str) -> bool:
        target, own = urlsplit(url), urlsplit(self.issuer)
        return (target.scheme, target.netloc) == (own.scheme, own.netloc)

    def _fail(self, what: str, response: requests.Response | None) -> AssertionError:
        details = ""
        if response is not None:
            details = f"\nlast page: {response.status_code} {response.url}\n{_parse(response.text).text}"
        log = self.log_tail()
        return AssertionError(f"{what}{details}" + (f"\n{log}" if log else ""))

    def _walk(self, session: requests.Session, method: str, url: str, data: dict | None = None):
        """Request `url`, following the provider's own redirects. Returns ("left", url) at the
        first redirect off the provider, or ("page", response) when a page is served."""
        response = session.request(method, url, data=data, allow_redirects=False, timeout=10)
        for _hop in range(_MAX_HOPS):
            if response.status_code not in _REDIRECT_STATUSES:
                return "page", response
            target = urljoin(response.url, response.headers["Location"])
            if not self._on_provider(target):
                return "left", target
            response = session.get(target, allow_redirects=False, timeout=10)
        raise self._fail("too many redirects on the test provider", response)

    def sign_in(self, authorize_url: str, login: str = "angela", password: str = "motdepasse",
                session: requests.Session | None = None) -> str:
        """Go through the provider's sign-in as `login`, like a fresh browser; return the URL the
        provider redirects back to (the portal's callback, with code and state, or an error)."""
        session = session or requests.Session()
        self.browser = session
        outcome, result = self._walk(session, "GET", authorize_url)
        if outcome == "left":
            return result
        page = _parse(result.text)
        form = next((f for f in page.forms if f["method"] == "post" and "login" in f["inputs"]), None)
        if form is None:
            raise self._fail("the test provider did not show its sign-in form", result)
        fields = {**form["inputs"], "login": login, "password": password}
        outcome, result = self._walk(session, "POST", urljoin(result.url, form["action"]), data=fields)
        if outcome == "left":
            return result
        raise self._fail(f"signing in as {login!r} on the test provider did not lead back to the client", result)

    def sign_out(self, end_session_url: str, session: requests.Session | None = None) -> str:
        """Open the provider's end-session URL (with the last sign_in's cookies), confirm the
        sign-out form, and return where the provider sends the browser (not followed): the
        post_logout_redirect_uri with state, or the provider's own success page."""
        session = session or self.browser or requests.Session()
        outcome, result = self._walk(session, "GET", end_session_url)
        if outcome == "left":
            return result
        page = _parse(result.text)
        form = next((f for f in page.forms if f["method"] == "post"), None)
        if form is None:
            raise self._fail("the test provider did not show its sign-out form", result)
        response = session.post(urljoin(result.url, form["action"]), data=form["inputs"],
                                allow_redirects=False, timeout=10)
        if response.status_code in _REDIRECT_STATUSES:
            return urljoin(response.url, response.headers["Location"])
        raise self._fail("signing out of the test provider did not redirect", response)


@pytest.fixture(scope="session")
def franceconnect_provider():
    """The test FranceConnect provider, started once for the whole test session."""
    missing = shutil.which("node") is None or not os.path.isdir(os.path.join(PROVIDER_DIR, "node_modules", "oidc-provider"))
    if missing and not os.environ.get("CI"):
        pytest.skip(reason="the test FranceConnect needs node and `npm ci --prefix tests/franceconnect` (.ci/run does it)")
    provider = TestProvider()
    provider.start()  # in CI, a missing package fails here rather than skip
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def franceconnect(franceconnect_provider):
    """The test FranceConnect provider, reset (identities, misbehaviour, sessions) for this test."""
    franceconnect_provider.reset()
    yield franceconnect_provider
