"""Hardening that every page shares: headers, no inline script, staff idle timeout, ownership."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.portal.helpers import log_in_with_second_factor

PROJECT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_candidate_pages_carry_a_csp_without_inline_scripts_and_the_security_headers(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'self'" in script_src and "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_no_template_of_the_portal_holds_an_inline_script():
    inline = []
    for template in (PROJECT / "templates").rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text()):
            if "src=" not in tag and "application/json" not in tag:
                inline.append(f"{template.relative_to(PROJECT)}: {tag}")
        if re.search(r"\son[a-z]+=", template.read_text()):
            inline.append(f"{template.relative_to(PROJECT)}: inline event handler")
    assert inline == []


class TestStaffIdleTimeout:
    def test_staff_are_logged_out_after_30_minutes_idle(self, client, staff):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            log_in_with_second_factor(client, staff)
            assert client.get(reverse("admin:index")).status_code == 200
        with time_machine.travel(start + timedelta(minutes=29), tick=False):
            assert client.get(reverse("admin:index")).status_code == 200
        with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
            response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]

    def test_a_candidate_stays_logged_in_and_keeps_the_draft(self, client, candidate):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            client.force_login(candidate)
        with time_machine.travel(start + timedelta(hours=3), tick=False):
            assert client.get(reverse("candidates:account")).status_code == 200


def candidate_urls():
    """Every URL of the candidate space that names an object by its id."""
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in ("candidates", "exams", "documents"):
                    yield from walk(pattern.url_patterns, f"{pattern.namespace}:")
            elif isinstance(pattern, URLPattern) and prefix and "<id:" in str(pattern.pattern):
                yield f"{prefix}{pattern.name}", re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern))
    return list(walk(get_resolver().url_patterns))


def test_a_second_candidate_reaches_none_of_the_first_ones_objects(client, candidate, other_candidate, django_capture_on_commit_callbacks):
    from documents.pieces import piece_upload
    from tests.documents.files import pdf_bytes, upload
    from tests.factories import ConvocationFactory, MessageFactory, RegistrationFactory, paris

    registration = RegistrationFactory(candidate=candidate)
    piece_file = piece_upload(registration=registration, piece_kind=registration.session.requirements.get(
        piece_kind__code="identity").piece_kind, uploads=[upload("id.pdf", pdf_bytes())], at=paris(2023, 11, 1))[0]
    message = MessageFactory(recipient=candidate)
    convocation = ConvocationFactory(registration=registration)
    values = {"pk": registration.pk, "file_pk": piece_file.pk, "piece_pk": piece_file.piece_id, "kind": "identity", "step": "situation"}
    by_name = {"candidates:message_detail": {"pk": message.pk}, "candidates:message_mark_unread": {"pk": message.pk},
               "exams:convocation": {"pk": convocation.pk}, "exams:convocation_ics": {"pk": convocation.pk},
               "documents:file": {"file_pk": piece_file.pk}}
    client.force_login(other_candidate)
    checked = []
    for name, arguments in candidate_urls():
        kwargs = {argument: by_name.get(name, {}).get(argument, values[argument]) for argument in arguments}
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            with time_machine.travel(paris(2023, 11, 1, 10), tick=False):
                status = getattr(client, method)(url).status_code
            assert status in (403, 404, 405), f"{method.upper()} {url}: {status}"
        checked.append(name)
    assert len(checked) >= 14


def admins_with_history():
    from django.contrib import admin
    from simple_history.admin import SimpleHistoryAdmin

    return [(model, model_admin) for model, model_admin in admin.site._registry.items()
            if isinstance(model_admin, SimpleHistoryAdmin) or hasattr(model_admin, "history_form_view")]


def test_every_admin_that_shows_history_shows_it_read_only():
    from common.admin_history import ReadOnlyHistoryAdmin

    found = admins_with_history()
    assert len(found) >= 7  # registrations, pieces, marks, slots, convocations, the matrix, the jury's decisions
    assert [model._meta.label for model, model_admin in found if not isinstance(model_admin, ReadOnlyHistoryAdmin)] == []


def test_a_post_to_a_history_page_changes_nothing(client, staff):
    """django-simple-history hides the revert button, yet saved a POST to the page: a mark brought back."""
    from decimal import Decimal

    from tests.factories import MarkFactory

    log_in_with_second_factor(client, staff)
    mark = MarkFactory(value=Decimal("8"))
    mark.value = Decimal("11")
    mark.save()
    earliest = mark.history.earliest()
    response = client.post(reverse("admin:exams_mark_simple_history", args=[mark.pk, earliest.history_id]), {
        "registration": mark.registration_id, "epreuve": mark.epreuve_id, "group": "first", "value": "8"})
    assert response.status_code == 403
    mark.refresh_from_db()
    assert mark.value == Decimal("11.00")
