from datetime import datetime
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from candidates.models import User
from exams.models import ExamSession, Specialty, SpecialtyOption

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
    registration_opens_at = factory.LazyAttribute(lambda o: paris(o.year - 1, 10, 18, 12))
    registration_closes_at = factory.LazyAttribute(lambda o: paris(o.year - 1, 11, 15, 17))


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty

    code = factory.Sequence(lambda n: f"TST{n}")
    name = factory.Sequence(lambda n: f"Spécialité d'essai {n}")


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
    specialty = factory.LazyFunction(lambda: Specialty.objects.get(name="Comptabilité et gestion"))
    language = "anglais"
    handicap = False
    completed_at = factory.LazyFunction(timezone.now)
