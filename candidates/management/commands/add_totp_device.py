"""Give a staff member a TOTP device for the admin's second factor, and show it to scan."""

import io

import segno
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from candidates.models import User


def totp_device_for(user, name="application d'authentification"):
    """The user's confirmed TOTP device, created if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name=name, confirmed=True)


class Command(BaseCommand):
    help = "Crée (ou montre) l'appareil TOTP d'un membre du personnel, à scanner dans une application d'authentification."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        user = User.objects.with_email(email).filter(is_staff=True).first()
        if user is None:
            raise CommandError(f"Aucun membre du personnel avec l'adresse {email}.")
        device = totp_device_for(user)
        self.stdout.write(f"Second facteur de {user.email} : scannez ce code, ou saisissez l'adresse ci-dessous.")
        # Drawn whole, then written once: Django's stdout ends every write() with a newline, and
        # segno writes a row and its line break separately, which put a blank line between rows.
        drawing = io.StringIO()
        segno.make(device.config_url, error="l").terminal(out=drawing, compact=True)
        self.stdout.write(drawing.getvalue(), ending="")
        self.stdout.write(device.config_url)
