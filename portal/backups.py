"""Backups that restore: the database and every file of the default storage, with a manifest.

A backup is a folder:

    manifest.json        when, the portal's version, the last migration of each app, and for the
                         database dump and every file its path, size and SHA-256
    database.pgdump      pg_dump's custom format (PostgreSQL), or database.sqlite3 (SQLite's
                         online backup API, for `make run`)
    media/<path>         every file of STORAGES["default"] (a folder or S3), read through the
                         storage API, under the name the database knows it by

The database is dumped and restored by PostgreSQL's own pg_dump and pg_restore, the tools
operators already run; django-dbbackup was not taken: its media backup is one tarball with no
per-file hash to check before writing back, and its restore runs `pg_restore --clean` over
whatever the target holds, where a restore here refuses a database that is not empty.

The manifest is written last, so a backup cut short has none and cannot be restored. A restore
checks every SHA-256 before it writes anything, writes the files and checks each one read back,
then restores the database in one transaction; if any of it fails, the files it wrote are
removed again.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connections
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MANIFEST = "manifest.json"
MEDIA = "media"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot go on; its message, in French, says why."""


@dataclass(frozen=True)
class Entry:
    path: str
    size: int
    sha256: str

    def as_dict(self):
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


def sha256_of(stream, copy=None):
    """The size and SHA-256 of what a binary stream holds, read by chunks (and written to `copy`)."""
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
        if copy is not None:
            copy.write(chunk)
    return size, digest.hexdigest()


def entry_of_file(folder, path):
    with open(Path(folder) / path, "rb") as stream:
        return Entry(path, *sha256_of(stream))


# The database ------------------------------------------------------------------------------------

def database_is_postgresql(alias="default"):
    return connections[alias].vendor == "postgresql"


def postgresql_environment(alias="default"):
    """libpq's variables for pg_dump and pg_restore: the connection Django itself uses (host, port,
    user, database, password, sslmode, service…), so they reach the same server the same way."""
    db = connections[alias].settings_dict
    _, env = DatabaseClient.settings_to_cmd_args_env(db, [])
    variables = {"PGHOST": db.get("HOST"), "PGPORT": str(db.get("PORT") or ""), "PGUSER": db.get("USER"),
                 "PGDATABASE": db.get("NAME")}
    return {**{name: value for name, value in variables.items() if value}, **(env or {})}


def run_tool(command, alias="default"):
    """Run pg_dump or pg_restore; a failure is a BackupError with what the tool printed."""
    try:
        finished = subprocess.run(command, env={**os.environ, **postgresql_environment(alias)},
                                  capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} est introuvable : installez le client PostgreSQL (postgresql-client), "
                          "de la même version majeure que le serveur.") from None
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} a échoué (code {finished.returncode}) : {finished.stderr.strip()}")


def database_dump(folder, alias="default"):
    """Dump the database into the backup folder; returns its manifest entry."""
    if database_is_postgresql(alias):
        name = "database.pgdump"
        run_tool(["pg_dump", "--format=custom", "--no-password", f"--file={Path(folder) / name}"], alias)
    else:
        name = "database.sqlite3"
        source = sqlite3.connect(connections[alias].settings_dict["NAME"])
        target = sqlite3.connect(Path(folder) / name)
        try:
            with target:
                source.backup(target)  # a consistent copy even while the portal writes
        finally:
            target.close()
            source.close()
    return entry_of_file(folder, name)


def database_is_empty(alias="default"):
    """No table at all: a database just made with createdb (or a SQLite file not yet migrated)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def database_restore(folder, entry, *, replace, alias="default"):
    """Restore the dump in one transaction. `replace` drops what the dump holds before (--force)."""
    dump = Path(folder) / entry["path"]
    if entry["path"].endswith(".pgdump"):
        if not database_is_postgresql(alias):
            raise BackupError("Cette sauvegarde vient de PostgreSQL : restaurez-la dans une base PostgreSQL (DATABASE_URL).")
        connections[alias].close()
        run_tool(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                  "--no-password", *(["--clean", "--if-exists"] if replace else []),
                  f"--dbname={connections[alias].settings_dict['NAME']}", str(dump)], alias)
    else:
        if database_is_postgresql(alias):
            raise BackupError("Cette sauvegarde vient de SQLite : restaurez-la avec DATABASE_URL=sqlite:///….")
        connections[alias].close()
        source = sqlite3.connect(dump)
        target = sqlite3.connect(connections[alias].settings_dict["NAME"])
        try:
            source.backup(target)  # replaces every page of the target, in one step
        finally:
            target.close()
            source.close()


def migration_state(alias="default"):
    """The last migration applied of each app, as `migrate` would name it to go back there."""
    last = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        last[app] = max(last.get(app, name), name)
    return dict(sorted(last.items()))


def portal_version():
    """The installed package's version and, when the code is a git checkout, its commit."""
    version = {"version": metadata.version("bts-portal")}
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True,
                                text=True, timeout=5, check=False)
        if commit.returncode == 0:
            version["commit"] = commit.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass  # no git in the image: the version alone
    return version


# The files ---------------------------------------------------------------------------------------

def storage_names(storage, directory=""):
    """Every file name of a storage, walking its folders (S3 prefixes) through the storage API."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:  # a local storage whose folder was never made holds no file
        return []
    names = [f"{directory}/{name}" if directory else name for name in files]
    for sub in directories:
        names += storage_names(storage, f"{directory}/{sub}" if directory else sub)
    return sorted(names)


def files_backup(storage, folder):
    """Copy every file of the storage into folder/media/, hashing it on the way; their entries."""
    entries = []
    for name in storage_names(storage):
        target = Path(folder) / MEDIA / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, open(target, "wb") as copy:
            entries.append(Entry(name, *sha256_of(source, copy)))
    return entries


def safe_name(name):
    """A manifest's file name, refused if it would leave the backup folder or the storage."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts:
        raise BackupError(f"Nom de fichier refusé dans le manifeste : {name!r}.")
    return name


def files_check(folder, entries):
    """Every file of the manifest is in the backup with its size and SHA-256, or a BackupError naming it."""
    for entry in entries:
        path = Path(folder) / MEDIA / safe_name(entry["path"])
        if not path.is_file():
            raise BackupError(f"Sauvegarde incomplète : le fichier {entry['path']} manque.")
        found = entry_of_file(Path(folder) / MEDIA, entry["path"])
        if (found.size, found.sha256) != (entry["size"], entry["sha256"]):
            raise BackupError(f"Sauvegarde corrompue : le fichier {entry['path']} ne correspond pas au manifeste "
                              f"(SHA-256 attendu {entry['sha256']}, trouvé {found.sha256}).")


def files_restore(storage, folder, entries, *, replace):
    """Write each file back through the storage API and check it read back; returns the names written.
    On any failure the files written so far are removed, and a BackupError says which file failed."""
    written = []
    try:
        for entry in entries:
            name = entry["path"]
            if storage.exists(name):
                if not replace:
                    raise BackupError(f"Le stockage cible contient déjà {name} : restaurez dans un stockage vide, "
                                      "ou ajoutez --force pour le remplacer.")
                storage.delete(name)
            with open(Path(folder) / MEDIA / name, "rb") as source:
                saved = storage.save(name, File(source, name=name))
            written.append(saved)
            if saved != name:
                raise BackupError(f"Le stockage a enregistré {name} sous le nom {saved}.")
            with storage.open(name, "rb") as back:
                size, sha256 = sha256_of(back)
            if (size, sha256) != (entry["size"], entry["sha256"]):
                raise BackupError(f"Le fichier {name} relu après écriture ne correspond pas au manifeste.")
    except BaseException:
        files_remove(storage, written)
        raise
    return written


def files_remove(storage, names):
    for name in names:
        storage.delete(name)


# The two commands' work --------------------------------------------------------------------------

def backup_write(folder, *, at=None, storage=None, alias="default"):
    """Back up the database and the files into an empty (or new) folder; returns the manifest."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"Le dossier {folder} n'est pas vide : choisissez un dossier neuf pour chaque sauvegarde.")
    folder.mkdir(parents=True, exist_ok=True)
    storage = storage or storages["default"]
    # The dump first, then the files: a piece uploaded in between is a file no row names, harmless,
    # rather than a row whose file was not copied.
    database = database_dump(folder, alias)
    files = files_backup(storage, folder)
    manifest = {
        "format": 1,
        "created_at": (at or timezone.now()).isoformat(),
        "portal": portal_version(),
        "migrations": migration_state(alias),
        "database": database.as_dict(),
        "files": [entry.as_dict() for entry in files],
    }
    # Last: a backup interrupted before this line has no manifest, and restore refuses it.
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def manifest_read(folder):
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} est introuvable : ce dossier n'est pas une sauvegarde complète du portail.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["database"]["path"], manifest["files"]  # noqa: B018 - the keys a restore needs
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{path} est illisible : ce n'est pas un manifeste de sauvegarde du portail.") from None
    return manifest


def backup_check(folder):
    """The manifest, once the dump and every file match it; a BackupError names the first that does not."""
    manifest = manifest_read(folder)
    database = manifest["database"]
    dump = Path(folder) / safe_name(database["path"])
    if not dump.is_file():
        raise BackupError(f"Sauvegarde incomplète : {database['path']} manque.")
    found = entry_of_file(folder, database["path"])
    if (found.size, found.sha256) != (database["size"], database["sha256"]):
        raise BackupError(f"Sauvegarde corrompue : {database['path']} ne correspond pas au manifeste "
                          f"(SHA-256 attendu {database['sha256']}, trouvé {found.sha256}).")
    files_check(folder, manifest["files"])
    return manifest


def backup_restore(folder, *, replace=False, storage=None, alias="default"):
    """Restore a checked backup into an empty database and storage (or over them with `replace`)."""
    manifest = backup_check(folder)
    if not replace and not database_is_empty(alias):
        raise BackupError("La base de données cible n'est pas vide : restaurez dans une base neuve (createdb), "
                          "ou ajoutez --force pour remplacer ce qu'elle contient.")
    storage = storage or storages["default"]
    if not replace and storage_names(storage):
        raise BackupError("Le stockage des fichiers cible n'est pas vide : restaurez dans un dossier ou un bucket vide, "
                          "ou ajoutez --force pour remplacer les fichiers de même nom.")
    written = files_restore(storage, folder, manifest["files"], replace=replace)
    try:
        database_restore(folder, manifest["database"], replace=replace, alias=alias)
    except BaseException:
        files_remove(storage, written)
        raise
    return manifest



def remove_partial_backup(folder):
    """A backup that failed leaves no folder that looks like one (it has no manifest anyway)."""
    shutil.rmtree(folder, ignore_errors=True)
