"""Demo data for `make run`: a staff account, an activated candidate, and an open session.

The staff account is what DEC staff really get: a member of « Gestionnaire DEC », not a
superuser, so the demo shows the admin they see (no axes, TOTP devices or Celery schedules).

Safe to run again: existing rows are kept, and the two passwords are reset to new random
ones, printed on the console, so the logins shown always work.
"""

import secrets
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from candidates.models import User
from documents.requirements import requirements_copy
from exams.models import ExamSession

STAFF_EMAIL = "gestionnaire.dec@demo.invalid"
STAFF_GROUP = "Gestionnaire DEC"  # made with its permissions by documents/migrations/0006
CANDIDATE_EMAIL = "camille.martin@demo.invalid"


class Command(BaseCommand):
    help = "Crée les comptes de démonstration et une session ouverte (développement seulement)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo ne s'exécute qu'en développement (DEBUG=true).")
        session = self.open_demo_session()
        staff_password = self.reset_account(
            STAFF_EMAIL, last_name="Dupont", first_name="Dominique", is_staff=True, is_superuser=False
        )
        staff = User.objects.with_email(STAFF_EMAIL).get()
        staff.groups.add(Group.objects.get(name=STAFF_GROUP))
        # The confirmation prints the candidate's postal address: the demo candidate has one.
        candidate_password = self.reset_account(CANDIDATE_EMAIL, last_name="Martin", first_name="Camille",
                                                address_line="12 rue Saint-Jean", postal_code="14000", city="Caen")
        self.stdout.write(self.style.SUCCESS("Comptes de démonstration :"))
        self.stdout.write(f"  personnel du rectorat  {STAFF_EMAIL}  /  {staff_password}  "
                          f"({STAFF_GROUP}, http://127.0.0.1:8000/admin/)")
        self.stdout.write(f"  candidat               {CANDIDATE_EMAIL}  /  {candidate_password}")
        self.stdout.write(f"  session ouverte        {session.name}")
        self.stdout.write("L'administration demande aussi un code à 6 chiffres (second facteur) : scannez ce QR code avec "
                          "une application d'authentification, ou donnez-lui l'adresse otpauth ci-dessous.")
        call_command("add_totp_device", STAFF_EMAIL, stdout=self.stdout)

    def open_demo_session(self):
        today = timezone.localdate()
        at_paris = lambda day, hour: timezone.make_aware(datetime.combine(day, time(hour)))  # noqa: E731
        session, created = ExamSession.objects.get_or_create(
            year=today.year + 1,
            academy="Normandie",
            defaults={
                "name": f"Session {today.year + 1} (démonstration)",
                "departements": "14, 27, 50, 61, 76",
                "registration_opens_at": at_paris(today - timedelta(days=7), 12),
                "registration_closes_at": at_paris(today + timedelta(days=21), 17),
            },
        )
        template = ExamSession.objects.exclude(pk=session.pk).filter(requirements__isnull=False).order_by("-year").first()
        if template is not None:
            requirements_copy(from_session=template, to_session=session)
        return session

    def reset_account(self, email, **fields):
        password = secrets.token_urlsafe(12)
        user = User.objects.with_email(email).first()
        if user is None:
            user = User.objects.create_user(email, password, is_active=True, activated_at=timezone.now(), **fields)
        else:
            # An older demo made the staff account a superuser: the fields are set again too.
            for name, value in fields.items():
                setattr(user, name, value)
            user.set_password(password)
            user.save(update_fields=["password", *fields])
        return password
