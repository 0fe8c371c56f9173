"""An id the database cannot hold, anywhere in a URL, is a 404: never a 500, never a query."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.http import urlsafe_base64_encode

from tests.factories import MessageFactory, RegistrationFactory
from tests.portal.helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = ["9223372036854775808", "99999999999999999999", "0"]  # bigint's maximum + 1, 20 digits, no row has 0
PORTAL_APPS = ("portal", "candidates", "exams", "documents")
ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


def patterns(resolvers=None, prefix=""):
    """(route, pattern) for every URL of the site, admin included."""
    for pattern in get_resolver().url_patterns if resolvers is None else resolvers:
        if isinstance(pattern, URLResolver):
            yield from patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def own_patterns():
    """The portal's own URLs: its apps' URLconfs and the admin views it adds (not django-otp's
    device pages, whose views portal/admin.py only wraps so that a missing device is a 404)."""
    return [(route, p) for route, p in patterns()
            if getattr(p.callback, "__module__", "").startswith(PORTAL_APPS) and not route.startswith("admin/otp_totp/")]


def url(route, values):
    return "/" + ARGUMENT.sub(lambda m: str(values.get(m.group(2), "identity" if m.group(1) == "slug" else "x")), route)


def test_every_id_of_the_portals_own_urls_goes_through_the_range_checked_converter():
    routes = [route for route, _ in own_patterns()]
    assert len([r for r in routes if "<id:" in r]) >= 18
    assert [r for r in routes if "<int:" in r] == []


@pytest.mark.parametrize("number", ["1", "9223372036854775807"])
def test_an_id_within_the_range_resolves(number):
    assert resolve(f"/compte/messages/{number}/").kwargs == {"pk": int(number)}


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_an_out_of_range_id_does_not_resolve(number):
    with pytest.raises(Resolver404):
        resolve(f"/compte/messages/{number}/")


@pytest.fixture
def clients(candidate, staff):
    """Nobody, the candidate (who owns a registration, so the ids after theirs are reached) and staff."""
    as_candidate, as_staff = Client(raise_request_exception=False), Client(raise_request_exception=False)
    as_candidate.force_login(candidate)
    log_in_with_second_factor(as_staff, staff)
    return {"anonymous": Client(raise_request_exception=False), "candidate": as_candidate, "staff": as_staff}


def test_an_out_of_range_id_in_any_url_of_the_portal_is_a_404(clients, candidate):
    own = {"pk": RegistrationFactory(candidate=candidate).pk}
    checked = 0
    for route, _ in own_patterns():
        ids = [name for kind, name in ARGUMENT.findall(route) if kind == "id"]
        if not ids or route.startswith("admin/"):  # admin's catch-all sends a visitor to its login first: below
            continue
        for number in OUT_OF_RANGE:
            # Every id out of range, then each alone with the others valid (the candidate's own registration).
            for values in [{name: number for name in ids}, *({**own, name: number} for name in ids)]:
                for who, client in clients.items():
                    for method in ("get", "post"):
                        status = getattr(client, method)(url(route, values)).status_code
                        assert status == 404, f"{who} {method.upper()} {url(route, values)}: {status}"
                        checked += 1
    assert checked > 500


def test_an_out_of_range_id_in_the_admin_and_its_packages_is_never_a_500(clients):
    as_staff = clients["staff"]
    checked = []
    for route, _ in patterns():
        if not route.startswith("admin/") or not re.search(r"<(int|path|id):", route):
            continue
        for number in OUT_OF_RANGE:
            target = "/" + ARGUMENT.sub(lambda m, number=number: number if m.group(1) in ("int", "path", "id") else "x", route)
            for method in ("get", "post"):
                status = getattr(as_staff, method)(target).status_code
                # Django's admin answers a missing object (and a path none of its views takes, which
                # its catch-all gets) with a redirect to its index and a message.
                assert status in (302, 403, 404), f"{method.upper()} {target}: {status}"
            checked.append(route)
    assert len(checked) > 50


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_an_activation_link_naming_an_out_of_range_account_says_it_is_invalid(client, number):
    response = client.get(f"/compte/activer/{urlsafe_base64_encode(number.encode())}/abc-def/", follow=True)
    assert response.status_code == 400


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_a_password_link_naming_an_out_of_range_account_is_refused(client, number):
    response = client.get(f"/compte/mot-de-passe/nouveau/{urlsafe_base64_encode(number.encode())}/abc-def/", follow=True)
    assert response.status_code == 200 and not response.context["validlink"]


@pytest.mark.parametrize("query", [f"session={n}" for n in OUT_OF_RANGE] + ["session=-1", "session=abc"])
def test_the_dashboard_with_an_out_of_range_session_shows_the_current_one(clients, query):
    assert clients["staff"].get(f"/admin/tableau-de-bord/?{query}").status_code == 200


@pytest.mark.parametrize("query", [f"{field}={n}" for n in OUT_OF_RANGE for field in
                                   ("session__id__exact", "specialty__id__exact", "option__id__exact", "pk__in")])
def test_the_registrations_list_filtered_on_an_out_of_range_id_answers(clients, query):
    assert clients["staff"].get(f"/admin/exams/registration/?{query}").status_code in (200, 302)


def test_an_id_within_the_range_still_reaches_the_view(clients, candidate):
    message = MessageFactory(recipient=candidate, subject="Bonjour")
    assert clients["candidate"].get(f"/compte/messages/{message.pk}/").status_code == 200
