import hashlib
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from candidates.models import Message, ProfileChange, User
from documents.models import Condition, GeneratedDocument, GeneratedDocumentKind, Piece, PieceFile, PieceKind, PieceStatus, Requirement, ScanStatus
from exams.models import (
    Convocation,
    Domain,
    Epreuve,
    EpreuveForm,
    ExamSession,
    ExamSlot,
    Mark,
    RattrapageChoice,
    RegistrationStatus,
    Specialty,
    SpecialtyLanguage,
    SpecialtyOption,
)
from tests.documents.files import pdf_bytes

PARIS = ZoneInfo("Europe/Paris")


def paris(year, month, day, hour=0, minute=0, second=0):
    """An aware datetime on the Paris wall clock, as the notice states every date."""
    return datetime(year, month, day, hour, minute, second, tzinfo=PARIS)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"candidat{n}@exemple.fr")
    last_name = "Martin"
    first_name = "Camille"
    is_active = True
    activated_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password("un mot de passe solide")


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"agent{n}@ac-normandie.fr")
    is_staff = True


class ExamSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamSession

    name = factory.LazyAttribute(lambda o: f"Session {o.year}")
    year = factory.Sequence(lambda n: 2100 + n)
    academy = "Normandie"
    departements = "14, 27, 50, 61, 76"
    registration_opens_at = factory.LazyAttribute(lambda o: paris(o.year - 1, 10, 18, 12))
    registration_closes_at = factory.LazyAttribute(lambda o: paris(o.year - 1, 11, 15, 17))


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty

    code = factory.Sequence(lambda n: f"TST{n}")
    name = factory.Sequence(lambda n: f"Spécialité d'essai {n}")

    @factory.post_generation
    def languages(specialty, create, extracted, **kwargs):
        """The languages it allows: English and Spanish unless given (`languages=[]`: none yet)."""
        if create:
            for language in ["anglais", "espagnol"] if extracted is None else extracted:
                SpecialtyLanguage.objects.create(specialty=specialty, language=language)


class SpecialtyOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecialtyOption

    specialty = factory.SubFactory(SpecialtyFactory)
    code = "A"
    name = "Option d'essai"


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A complete registration: voie scolaire, BTS Comptabilité et gestion, no options."""

    class Meta:
        model = "exams.Registration"

    candidate = factory.SubFactory(UserFactory)
    session = factory.LazyFunction(lambda: ExamSession.objects.get(year=2024, academy="Normandie"))
    number = factory.Sequence(lambda n: f"2024-{n + 1:06d}")
    version = 1
    category = "earlier_session"
    pathway = "scolaire"
    diploma = "bac_pro"
    two_years_of_training = True
    specialty = factory.LazyFunction(lambda: Specialty.objects.get(name="Comptabilité et gestion"))
    language = "anglais"
    claims_dispenses = False
    keeps_grade_benefits = False
    has_positioning_decision = False
    has_internship_derogation = False
    handicap = False
    completed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def candidate_address(registration, create, extracted, **kwargs):
        """A registration is complete only with its candidate's postal address (the confirmation
        shows it): a candidate without one gets « 12 rue des Lilas, 14000 Caen ». Pass
        `candidate_address=False` to leave it empty."""
        candidate = registration.candidate
        if extracted is False or not create or not candidate.postal_address_missing():
            return
        candidate.address_line, candidate.postal_code, candidate.city = "12 rue des Lilas", "14000", "Caen"
        candidate.country = candidate.country or "France"
        candidate.save(update_fields=["address_line", "postal_code", "city", "country"])


class MessageFactory(factory.django.DjangoModelFactory):
    """An email recorded in the outbox for a candidate, not sent yet. For the examination office,
    pass `recipient=None` and its `to_email`."""

    class Meta:
        model = Message

    recipient = factory.SubFactory(UserFactory)
    to_email = factory.LazyAttribute(lambda o: o.recipient.email)
    event_key = factory.Sequence(lambda n: f"essai:{n}")
    subject = "Votre inscription"
    body_text = "Bonjour,\nVotre inscription est enregistrée."


class ProfileChangeFactory(factory.django.DjangoModelFactory):
    """A candidate moving from Caen to Rouen, made by themselves, before any lock."""

    class Meta:
        model = ProfileChange

    user = factory.SubFactory(UserFactory)
    changed_by = factory.SelfAttribute("user")
    field = "city"
    old_value = "Caen"
    new_value = "Rouen"


class PieceKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PieceKind
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"piece-essai-{n}")
    name = factory.Sequence(lambda n: f"Pièce d'essai {n}")


class RequirementFactory(factory.django.DjangoModelFactory):
    """A piece required of every pathway and specialty of the 2024 session, whatever the answers."""

    class Meta:
        model = Requirement
        skip_postgeneration_save = True

    session = factory.LazyFunction(lambda: ExamSession.objects.get(year=2024, academy="Normandie"))
    piece_kind = factory.SubFactory(PieceKindFactory)
    condition = Condition.ALWAYS

    @factory.post_generation
    def specialties(self, create, specialties):
        if create and specialties:
            self.specialties.set(specialties)


class PieceFactory(factory.django.DjangoModelFactory):
    """A piece given and waiting for review, with no file (add PieceFileFactory for one)."""

    class Meta:
        model = Piece

    registration = factory.SubFactory(RegistrationFactory)
    piece_kind = factory.SubFactory(PieceKindFactory)
    status = PieceStatus.RECEIVED


class PieceFileFactory(factory.django.DjangoModelFactory):
    """A one-page PDF really stored, with its size and hash, stored while scanning was off (so it
    is served). Pass `content=` for other bytes."""

    class Meta:
        model = PieceFile

    class Params:
        content = factory.LazyFunction(pdf_bytes)

    piece = factory.SubFactory(PieceFactory)
    original_name = "piece.pdf"
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name=o.original_name))
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    sent_sha256 = factory.SelfAttribute("sha256")
    scan_status = ScanStatus.UNSCANNED


class GeneratedDocumentFactory(factory.django.DjangoModelFactory):
    """The confirmation PDF of the registration's current version."""

    class Meta:
        model = GeneratedDocument

    registration = factory.SubFactory(RegistrationFactory)
    kind = GeneratedDocumentKind.CONFIRMATION
    version = factory.SelfAttribute("registration.version")
    file = factory.LazyAttribute(lambda o: ContentFile(pdf_bytes(), name=f"{o.registration.number}-v{o.version}.pdf"))


class EpreuveFactory(factory.django.DjangoModelFactory):
    """A written general épreuve of coefficient 2."""

    class Meta:
        model = Epreuve

    specialty = factory.SubFactory(SpecialtyFactory)
    code = factory.Sequence(lambda n: f"X{n + 1}")  # never a real épreuve's code (E1, E31…)
    title = factory.Sequence(lambda n: f"Épreuve d'essai {n + 1}")
    domain = Domain.GENERAL
    coefficient = Decimal("2")
    form = EpreuveForm.WRITTEN
    is_language = False


class ExamSlotFactory(factory.django.DjangoModelFactory):
    """Four hours in Caen, on 15 May 2024 at 8:00, in the académie de Normandie."""

    class Meta:
        model = ExamSlot

    session = factory.LazyFunction(lambda: ExamSession.objects.get(year=2024, academy="Normandie"))
    epreuve = factory.SubFactory(EpreuveFactory)
    starts_at = paris(2024, 5, 15, 8)
    duration_minutes = 240
    place = "Lycée Malherbe, Caen"
    academy = "Normandie"


class ConvocationFactory(factory.django.DjangoModelFactory):
    """A convocation published on 1 April 2024, for a locked registration, never opened."""

    class Meta:
        model = Convocation

    registration = factory.SubFactory(RegistrationFactory, status=RegistrationStatus.LOCKED)
    published_at = paris(2024, 4, 1)


class MarkFactory(factory.django.DjangoModelFactory):
    """A first-group mark of 10 on an épreuve of the registration's specialty; `absent=True` has no value."""

    class Meta:
        model = Mark

    registration = factory.SubFactory(RegistrationFactory, status=RegistrationStatus.LOCKED)
    epreuve = factory.SubFactory(EpreuveFactory, specialty=factory.SelfAttribute("..registration.specialty"))
    group = Mark.FIRST
    absent = False
    value = factory.LazyAttribute(lambda o: None if o.absent else Decimal("10"))


class RattrapageChoiceFactory(factory.django.DjangoModelFactory):
    """The two épreuves (`epreuves=[…]`) a candidate chose for the second group, on 5 July 2024."""

    class Meta:
        model = RattrapageChoice
        skip_postgeneration_save = True

    registration = factory.SubFactory(RegistrationFactory, status=RegistrationStatus.LOCKED)
    chosen_at = paris(2024, 7, 5, 10)

    @factory.post_generation
    def epreuves(self, create, epreuves):
        if create and epreuves:
            self.epreuves.set(epreuves)
