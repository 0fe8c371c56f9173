from django.core.management.base import BaseCommand

from candidates.services import purge_unactivated_accounts


class Command(BaseCommand):
    help = "Supprime les comptes non activés dans les 48 heures (la même fonction que la tâche périodique)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        deleted = purge_unactivated_accounts(batch_size=batch_size)
        self.stdout.write(f"{deleted} compte(s) non activé(s) supprimé(s).")
