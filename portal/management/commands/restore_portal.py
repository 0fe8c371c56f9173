"""`python manage.py restore_portal <folder> [--force]`: a backup of backup_portal back into the
database and the default storage, once every SHA-256 of its manifest is checked (portal/backups.py)."""

from django.core.management.base import BaseCommand, CommandError

from portal.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Restaure une sauvegarde de backup_portal dans une base de données et un stockage vides, "
            "après avoir vérifié le SHA-256 de chaque fichier.")

    def add_arguments(self, parser):
        parser.add_argument("folder", help="dossier écrit par backup_portal")
        parser.add_argument("--force", action="store_true",
                            help="restaurer même si la base ou le stockage ne sont pas vides : les tables de la "
                                 "sauvegarde et les fichiers de même nom sont remplacés")

    def handle(self, *args, folder, force, **options):
        try:
            manifest = backup_restore(folder, replace=force)
        except BackupError as error:
            raise CommandError(f"Restauration refusée, rien n'a été restauré : {error}") from None
        migrations = ", ".join(f"{app} {name}" for app, name in manifest["migrations"].items())
        self.stdout.write(self.style.SUCCESS(
            f"Sauvegarde du {manifest['created_at']} restaurée : base de données et {len(manifest['files'])} fichiers, "
            "chacun vérifié (SHA-256)."))
        self.stdout.write(f"Migrations de la sauvegarde : {migrations}.")
        self.stdout.write("Si le code est plus récent que la sauvegarde, lancez ensuite « python manage.py migrate ».")
