from django.core.management.base import BaseCommand

from documents.locking import close_registrations


class Command(BaseCommand):
    help = ("Après la date limite : valide les inscriptions complètes et annule les autres "
            "(la même fonction que la tâche périodique ; sans effet si elle a déjà tourné).")

    def handle(self, *args, **options):
        locked, cancelled = close_registrations()
        self.stdout.write(f"{locked} inscription(s) validée(s), {cancelled} candidature(s) annulée(s).")
