"""No identity document when FranceConnect certified the identity (issue 18): the matrix's condition,
the reason shown where the piece would be, the session's setting that turns it off, and a piece
given before the certification kept but no longer required."""

import html
import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from candidates import services
from candidates.franceconnect import CertifiedIdentity
from candidates.models import ProfileChange
from documents.completeness import missing_pieces, registration_refresh_missing, validation_blockers
from documents.models import Condition, PieceKind, Requirement
from documents.requirements import required_pieces, spared_pieces
from exams.models import Registration
from tests.documents.helpers import OPEN, give_every_piece
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

SPARED = "Votre identité a été certifiée par FranceConnect : cette pièce ne vous est pas demandée."


def identity(sub="fc-sub-camille", **changes):
    values = dict(sub=sub, eidas_level="eidas1", id_token="header.payload.signature", email="camille@example.test",
                  birth_name="MARTIN", given_names="Camille", usage_name="", birth_date=date(2001, 5, 4), gender="female",
                  birthplace_code="14118", birth_country_code="99100")
    return CertifiedIdentity(**{**values, **changes})


def certify(user, at=None):
    services.account_link_franceconnect(user=user, identity=identity(), at=at)
    user.refresh_from_db()


@pytest.fixture
def portal_registered(settings):
    settings.FRANCECONNECT_ISSUER, settings.FRANCECONNECT_CLIENT_ID, settings.FRANCECONNECT_CLIENT_SECRET = (
        "https://franceconnect.example", "client", "secret")


def codes(pieces):
    return {piece.kind.code for piece in pieces}


def text(response):
    words = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"\s+", " ", words.replace("\u00a0", " ").replace("\u202f", " "))


def test_the_seeded_matrix_asks_the_identity_piece_unless_the_identity_is_certified():
    assert Requirement.objects.filter(piece_kind__code="identity").values_list("condition", flat=True).distinct().get() == \
        Condition.IDENTITY_NOT_CERTIFIED


def test_a_declared_identity_still_gives_the_identity_piece(portal_registered):
    registration = RegistrationFactory()
    pieces = {piece.kind.code: piece.reason for piece in required_pieces(registration)}
    assert pieces["identity"] == "pièce demandée à tous les candidats dont l'identité n'est pas certifiée par FranceConnect"
    assert spared_pieces(registration) == []


def test_without_franceconnect_on_the_portal_the_reason_says_it_is_asked_of_all(settings):
    settings.FRANCECONNECT_ISSUER = ""
    pieces = {piece.kind.code: piece.reason for piece in required_pieces(RegistrationFactory())}
    assert pieces["identity"] == "pièce demandée à tous les candidats"


def test_a_certified_identity_is_not_asked_the_identity_piece_and_is_told_why(portal_registered):
    registration = RegistrationFactory()
    certify(registration.candidate)
    registration = Registration.objects.get(pk=registration.pk)
    assert "identity" not in codes(required_pieces(registration))
    assert "confirmation" in codes(required_pieces(registration))  # the rest is asked as before
    (spared,) = spared_pieces(registration)
    assert (spared.kind.code, spared.reason) == ("identity", SPARED)


def test_the_session_setting_asks_it_of_everyone_again(portal_registered):
    registration = RegistrationFactory()
    certify(registration.candidate)
    registration.session.certified_identity_spares_identity_piece = False
    registration.session.save()
    registration = Registration.objects.get(pk=registration.pk)
    assert "identity" in codes(required_pieces(registration))
    assert spared_pieces(registration) == []


def test_the_other_rows_of_the_matrix_are_untouched_by_a_certification(portal_registered):
    registration = RegistrationFactory(claims_dispenses=True)
    before = codes(required_pieces(registration)) - {"identity"}
    certify(registration.candidate)
    assert codes(required_pieces(Registration.objects.get(pk=registration.pk))) == before


def test_a_certified_candidate_with_every_other_piece_can_validate(portal_registered):
    registration = RegistrationFactory()
    kind = PieceKind.objects.get(code="identity")
    certify(registration.candidate)
    registration = Registration.objects.get(pk=registration.pk)
    with time_machine.travel(OPEN, tick=False):
        give_every_piece(registration, OPEN)
    registration = Registration.objects.get(pk=registration.pk)
    assert not registration.pieces.filter(piece_kind=kind).exists()
    assert missing_pieces(registration) == []
    assert not [b for b in validation_blockers(registration) if "identité" in str(b).lower()]


def test_a_piece_given_before_the_certification_is_kept_and_no_longer_required(portal_registered):
    registration = RegistrationFactory()
    with time_machine.travel(OPEN, tick=False):
        give_every_piece(registration, OPEN)
    identity_piece = registration.pieces.get(piece_kind__code="identity")
    identity_piece.files.all().delete()  # the identity piece's file is there, then not: one piece missing
    registration_refresh_missing(registration)
    assert Registration.objects.get(pk=registration.pk).pieces_missing == 1

    certify(registration.candidate)

    registration = Registration.objects.get(pk=registration.pk)
    assert registration.pieces.filter(pk=identity_piece.pk).exists()  # kept
    assert registration.pieces_missing == 0  # counted again at the certification, for staff's filter
    assert missing_pieces(registration) == []


def test_the_pieces_page_shows_the_spared_piece_with_its_reason_and_keeps_its_files(client, portal_registered):
    registration = RegistrationFactory()
    with time_machine.travel(OPEN, tick=False):
        give_every_piece(registration, OPEN)
    certify(registration.candidate)
    client.force_login(registration.candidate)
    page = text(client.get(reverse("documents:pieces", args=[registration.pk])))
    assert "Pièce d'identité Non demandée" in page
    assert SPARED in page
    assert "Le fichier que vous aviez déposé reste dans votre dossier." in page
    documents = text(client.get(reverse("documents:mine", args=[registration.pk])))
    assert f"Pièce d'identité — {SPARED}" in documents


def test_a_spared_piece_takes_no_new_upload(client, portal_registered):
    from django.core.files.uploadedfile import SimpleUploadedFile

    registration = RegistrationFactory()
    certify(registration.candidate)
    client.force_login(registration.candidate)
    upload = SimpleUploadedFile("id.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(reverse("documents:upload", args=[registration.pk, "identity"]), {"files": upload})
    assert response.status_code == 404


def test_the_dashboard_drawn_before_the_certification_is_drawn_again_after_it(client, portal_registered):
    registration = RegistrationFactory()
    client.force_login(registration.candidate)
    url = reverse("documents:overview", args=[registration.pk])
    assert "Pièce d'identité" in text(client.get(url))
    certify(registration.candidate)
    client.force_login(registration.candidate)
    assert "Pièce d'identité" not in text(client.get(url))


class TestTheCivilIdentity:
    def test_the_certification_fills_it_and_records_each_change(self):
        registration = RegistrationFactory()
        user = registration.candidate
        certify(user)
        assert (user.last_name, user.first_name, user.birth_date) == ("MARTIN", "Camille", date(2001, 5, 4))
        assert (user.gender, user.birthplace_code, user.birth_country_code) == ("female", "14118", "99100")
        assert ProfileChange.objects.filter(user=user, field="birth_date").exists()

    def test_a_certification_after_the_lock_changes_nothing_of_what_the_locked_registration_asked(self, portal_registered):
        registration = RegistrationFactory(status="locked", locked_at=timezone.now())
        certify(registration.candidate)
        registration = Registration.objects.get(pk=registration.pk)
        assert "identity" in codes(required_pieces(registration)) and spared_pieces(registration) == []

    def test_a_change_after_the_lock_is_flagged_for_the_rectorate(self):
        registration = RegistrationFactory(status="locked", locked_at=timezone.now())
        certify(registration.candidate)
        assert ProfileChange.objects.filter(user=registration.candidate, after_lock=True).exists()

    def test_the_account_page_shows_it_read_only_and_keeps_the_usage_name_editable(self, client):
        registration = RegistrationFactory()
        user = registration.candidate
        certify(user)
        client.force_login(user)
        page = text(client.get(reverse("candidates:account")))
        assert "Identité certifiée par FranceConnect le" in page
        assert "Nom d'usage" in page
        assert 'name="last_name"' not in client.get(reverse("candidates:account")).content.decode()
        posted = {"last_name": "AUTRE", "first_name": "Autre", "birth_date": "1990-01-01", "usage_name": "LEGRAND",
                  "address_line": user.address_line, "postal_code": user.postal_code, "city": user.city, "country": user.country,
                  "phone": ""}
        client.post(reverse("candidates:account"), posted)
        user.refresh_from_db()
        assert (user.last_name, user.first_name, user.birth_date, user.usage_name) == ("MARTIN", "Camille", date(2001, 5, 4), "LEGRAND")

    def test_a_declared_identity_is_still_typed_by_the_candidate(self, client):
        user = RegistrationFactory().candidate
        client.force_login(user)
        assert 'name="last_name"' in client.get(reverse("candidates:account")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_first_sign_ins_at_once_make_one_account(reference_data):
    """The same person's two tabs come back from FranceConnect together: one account, found by its sub."""
    import threading

    from django.db import connection

    from candidates.models import User

    results, barrier = [], threading.Barrier(2)

    def sign_in():
        try:
            barrier.wait()
            results.append(services.account_for_franceconnect(identity=identity(email="deux@example.test")))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_in) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert User.objects.filter(franceconnect_sub="fc-sub-camille").count() == 1
    assert User.objects.filter(email="deux@example.test").count() == 1
    assert len(results) == 2 and results[0][0] == results[1][0]


class TestStaffSeeHowTheIdentityWasGiven:
    def test_the_registration_says_certified_at_which_level_or_declared(self, staff_client):
        certified, declared = RegistrationFactory(), RegistrationFactory()
        certify(certified.candidate)
        page = text(staff_client.get(reverse("admin:exams_registration_change", args=[certified.pk])))
        assert "Identité certifiée par FranceConnect (eIDAS 1) le" in page
        assert "Identité déclarée" in text(staff_client.get(reverse("admin:exams_registration_change", args=[declared.pk])))

    def test_the_list_filters_by_it(self, staff_client):
        certified, declared = RegistrationFactory(), RegistrationFactory()
        certify(certified.candidate)
        url = reverse("admin:exams_registration_changelist")
        page = text(staff_client.get(url))
        assert "Identité certifiée par FranceConnect (eIDAS 1)" in page and "Identité déclarée" in page
        shown = text(staff_client.get(url, {"identite": "eidas1"}))
        assert certified.number in shown and declared.number not in shown
        shown = text(staff_client.get(url, {"identite": "declaree"}))
        assert declared.number in shown and certified.number not in shown
        assert certified.number not in text(staff_client.get(url, {"identite": "eidas2"}))
