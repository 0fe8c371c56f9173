"""`python manage.py backup_portal <folder>`: the database and every uploaded file, with a manifest
of their SHA-256 (portal/backups.py; README, « Sauvegardes et restauration »)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backups import BackupError, backup_write, remove_partial_backup


class Command(BaseCommand):
    help = "Sauvegarde la base de données et tous les fichiers déposés dans un dossier neuf, avec un manifeste SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="dossier de la sauvegarde (créé s'il n'existe pas ; il doit être vide)")

    def handle(self, *args, folder, **options):
        folder = Path(folder).resolve()
        was_new = not folder.exists() or not any(folder.iterdir())
        try:
            manifest = backup_write(folder)
        except BaseException as error:
            # A folder this command made or found empty leaves nothing behind that looks like a backup
            # (a half-written dump after pg_dump failed); one it refused as not empty is left alone.
            if was_new:
                remove_partial_backup(folder)
            if isinstance(error, BackupError):
                raise CommandError(f"Sauvegarde impossible : {error}") from None
            raise
        total = sum(entry["size"] for entry in manifest["files"])
        self.stdout.write(self.style.SUCCESS(
            f"Sauvegarde écrite dans {folder} : base de données ({manifest['database']['size']} octets) "
            f"et {len(manifest['files'])} fichiers ({total} octets), manifeste {folder / 'manifest.json'}."))
