"""Writes to a registration. Each one checks the window and the lock here, whatever the view."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.outbox import email_send
from exams.models import Registration
from exams.rules import registration_errors
from exams.signals import registration_changed


class RegistrationClosed(PermissionDenied):
    """The session's window is shut: nothing can be created or changed."""


class RegistrationNotEditable(PermissionDenied):
    """The registration is locked or cancelled."""


def session_check_open(*, session, at):
    if not session.is_registration_open(at):
        raise RegistrationClosed(_(
            "Les inscriptions sont ouvertes du %(opens)s au %(closes)s (heure de Paris) : aucune inscription "
            "ni modification n'est possible en dehors de ces dates."
        ) % {"opens": _paris(session.registration_opens_at), "closes": _paris(session.registration_closes_at)})


def registration_check_writable(*, registration, at):
    session_check_open(session=registration.session, at=at)
    if not registration.is_editable:
        raise RegistrationNotEditable(_(
            "Votre inscription est validée définitivement ou annulée : elle ne peut plus être modifiée."
        ))


def registration_for_update(registration):
    """The registration's row, read again under its row lock, held until the transaction ends.

    Every write to a registration or to its pieces (step save, upload, file removal, the lock,
    the deadline, staff review, the antivirus verdict) starts with it, then checks its guard
    against this fresh row: two such writes run one after the other, and neither judges a state
    the other has just changed. Taking it first, before any piece or file row, keeps one lock
    order, so they never deadlock. Only this row is locked (`of`), not the session it joins:
    candidates of one session do not wait for each other.
    """
    return (Registration.objects.select_for_update(of=("self",))
            .select_related("session", "candidate", "specialty", "option").get(pk=registration.pk))


def registration_start(*, candidate, session, at=None):
    """The candidate's registration for the session, created if needed while the window is open."""
    at = at or timezone.now()
    existing = Registration.objects.filter(candidate=candidate, session=session).first()
    if existing:
        return existing
    session_check_open(session=session, at=at)
    with transaction.atomic():
        registration, created = Registration.objects.get_or_create(
            candidate=candidate, session=session, defaults={"created_at": at, "updated_at": at})
        if created:
            registration.number = f"{session.year}-{registration.pk:06d}"
            registration.save(update_fields=["number"])
    return registration


def registration_save(*, registration, values, at=None, by_staff=False):
    """Save answers; a real change makes a new version, a new PDF, and tells the candidate.

    Returns the names of the fields that changed. The row is locked while it is written, so two
    saves at once make two versions, one after the other, never a lost update. Staff (admin)
    may correct a registration outside the window or after the lock; candidates may not.
    """
    at = at or timezone.now()
    with transaction.atomic():
        current = registration_for_update(registration)
        if not by_staff:
            registration_check_writable(registration=current, at=at)
        changed = [field for field, value in values.items() if getattr(current, field) != value]
        if not changed:
            return []
        for field in changed:
            setattr(current, field, values[field])
        if CONFIRMED_FOR.intersection(changed) and "distance_language_confirmed" not in values:
            current.distance_language_confirmed = False  # confirmed for another organisation or language
        _save_new_version(current, at)
    registration.refresh_from_db()
    return changed


# A distance learner confirms that their organisation teaches their language for their BTS (the
# notice, F): a change of any of these asks them to confirm again.
CONFIRMED_FOR = {"category", "distance_learning_organisation", "specialty", "language"}


def registration_candidate_changed(*, registration, at=None):
    """The candidate changed their identity or postal address in « Mon compte » while the
    registration can still be changed: its confirmation shows them, so it gets a new version, as
    if an answer had changed (a new confirmation once complete; the address may be what completes
    it). After the lock, exams.situation_changes flags the change for the DEC instead."""
    at = at or timezone.now()
    with transaction.atomic():
        current = registration_for_update(registration)
        if not current.is_writable(at):
            return
        _save_new_version(current, at)


def residence_attest(*, registration, by, at=None):
    """The DEC attests that the candidate resides in the académie, for their current postal code
    (exams.rules skips the map of départements for it). The draft gets a new version, as when the
    address changes: the attestation may be what completes it. Returns whether it was attested."""
    at = at or timezone.now()
    with transaction.atomic():
        current = registration_for_update(registration)
        postal_code = (current.candidate.postal_code or "").strip()
        if not current.is_editable or not postal_code:
            return False
        current.residence_attested_postal_code, current.residence_attested_by, current.residence_attested_at = postal_code, by, at
        _save_new_version(current, at)
    return True


def _save_new_version(current, at):
    current.version += 1
    current.updated_at = at
    complete = not registration_errors(current)
    first_completion = complete and current.completed_at is None
    if first_completion:
        current.completed_at = at
    current.save()
    registration_changed.send(sender=Registration, registration=current, complete=complete)
    if complete:
        template = "registration_saved" if first_completion else "registration_changed"
        email_send(
            user=current.candidate, template=template, context={"registration": current},
            event_key=f"registration-version:{current.pk}:{current.version}",
        )


def _paris(moment):
    from django.utils.formats import date_format

    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
