"""Backups that restore (README, « Sauvegardes et restauration »): backup_portal writes the database
and every uploaded file with a manifest of their SHA-256; restore_portal, run as an operator runs
it on a new machine, brings back every row and every byte into an empty database and folder."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from io import StringIO

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from exams.models import RegistrationStatus
from portal.backups import migration_state, storage_names
from tests.celery_workers import PROJECT, database_url_of_the_test_database
from tests.documents.files import image_bytes, pdf_bytes
from tests.factories import GeneratedDocumentFactory, PieceFileFactory, RegistrationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump, another process, must see the rows

BINARY = bytes(range(256)) * 64 + b"\x00\xff" * 1000  # every byte value, NULs included


@pytest.fixture
def media(settings, tmp_path):
    """The portal's uploads in a folder of this test, empty at first."""
    location = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}}}
    return location


@pytest.fixture
def portal(reference_data, media):
    """A portal in use: candidates and staff, registrations in each status, pieces with files of
    different bytes (PDF, JPEG, binary, an empty one, a name with accents) and a generated PDF."""
    StaffFactory(email="agent.dec@ac-normandie.fr")
    draft = RegistrationFactory(candidate=UserFactory(email="camille.martin@exemple.fr"), completed_at=None)
    locked = RegistrationFactory(candidate=UserFactory(email="alex.durand@exemple.fr"), status=RegistrationStatus.LOCKED)
    cancelled = RegistrationFactory(candidate=UserFactory(email="sam.petit@exemple.fr"), status=RegistrationStatus.CANCELLED)
    UserFactory(email="en.attente@exemple.fr", is_active=False, activated_at=None)
    PieceFileFactory(piece__registration=draft, content=pdf_bytes(pages=3), original_name="relevé de notes.pdf")
    PieceFileFactory(piece__registration=locked, content=image_bytes("JPEG"), original_name="photo.jpg", content_type="image/jpeg")
    PieceFileFactory(piece__registration=locked, content=BINARY, original_name="scan.bin", content_type="application/octet-stream")
    PieceFileFactory(piece__registration=cancelled, content=b"", original_name="vide.pdf")
    GeneratedDocumentFactory(registration=locked)
    return media


def run_manage(*args, **env):
    """manage.py in its own process, as an operator runs it: ENV_FILE empty, so no .env leaks in."""
    return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "ENV_FILE": "", "DEBUG": "true", "S3_BUCKET": "", **env})


def backup(folder):
    out = StringIO()
    call_command("backup_portal", str(folder), stdout=out)
    return out.getvalue()


def manifest_of(folder):
    return json.loads((folder / "manifest.json").read_text())


@pytest.fixture
def empty_database(tmp_path):
    """A database just made, with no table, on the same server as the test database; dropped after."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda: sqlite_rows(path)
        return
    name = f"test_restored_{uuid.uuid4().hex[:12]}"
    params = {key: value for key, value in {"host": connection.settings_dict["HOST"], "port": connection.settings_dict["PORT"],
              "user": connection.settings_dict["USER"], "password": connection.settings_dict["PASSWORD"]}.items() if value}
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = database_url_of_the_test_database().rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url, lambda: postgresql_rows(dbname=name, **params)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def postgresql_rows(**params):
    """Every row of every table, and every sequence's position, of a PostgreSQL database."""
    with psycopg2.connect(**params) as db, db.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                       "AND table_type = 'BASE TABLE' ORDER BY table_name")
        tables = [name for (name,) in cursor.fetchall()]
        rows = {}
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            rows[table] = sorted(cursor.fetchall(), key=repr)
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")
        rows["(sequences)"] = cursor.fetchall()
    db.close()
    return rows


def sqlite_rows(path):
    db = sqlite3.connect(path)
    try:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: sorted(db.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables}
    finally:
        db.close()


def rows_of_the_test_database():
    if connection.vendor == "sqlite":
        return sqlite_rows(connection.settings_dict["NAME"])
    db = connection.settings_dict
    return postgresql_rows(**{key: value for key, value in {"dbname": db["NAME"], "host": db["HOST"], "port": db["PORT"],
                                                            "user": db["USER"], "password": db["PASSWORD"]}.items() if value})


def files_under(folder):
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_backup_restored_into_an_empty_database_and_folder_has_every_row_and_every_byte(portal, tmp_path, empty_database):
    url, restored_rows = empty_database
    original_rows, original_files = rows_of_the_test_database(), files_under(portal)
    assert len(original_files) == 5 and BINARY in original_files.values()  # what the fixture stored
    assert len(original_rows["candidates_user"]) == 5 and len(original_rows["documents_piecefile"]) == 4

    backup(tmp_path / "backup")
    restored_media = tmp_path / "restored-media"
    result = run_manage("restore_portal", str(tmp_path / "backup"), DATABASE_URL=url, MEDIA_ROOT=str(restored_media))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "restaurée" in result.stdout and "5 fichiers" in result.stdout
    assert restored_rows() == original_rows
    assert files_under(restored_media) == original_files


def test_the_manifest_lists_the_dump_and_every_file_with_its_size_and_sha256(portal, tmp_path):
    from documents.models import PieceFile

    said = backup(tmp_path / "backup")
    manifest = manifest_of(tmp_path / "backup")

    stored = files_under(portal)
    assert {entry["path"]: (entry["size"], entry["sha256"]) for entry in manifest["files"]} == {
        path: (len(content), hashlib.sha256(content).hexdigest()) for path, content in stored.items()}
    assert {entry["sha256"] for entry in manifest["files"]} >= set(PieceFile.objects.values_list("sha256", flat=True))
    dump = (tmp_path / "backup" / manifest["database"]["path"]).read_bytes()
    assert manifest["database"]["sha256"] == hashlib.sha256(dump).hexdigest() and manifest["database"]["size"] == len(dump)
    assert manifest["migrations"] == migration_state() and manifest["migrations"]["exams"].startswith("00")
    assert manifest["portal"]["version"] and manifest["created_at"]
    assert files_under(tmp_path / "backup" / "media") == stored
    assert "5 fichiers" in said


def test_a_corrupted_file_in_the_backup_is_refused_by_name_and_nothing_is_written(portal, tmp_path, settings, empty_database):
    url, restored_rows = empty_database
    backup(tmp_path / "backup")
    scan = next(path for path in (tmp_path / "backup" / "media").rglob("*") if path.is_file() and path.read_bytes() == BINARY)
    scan.write_bytes(BINARY[:-1] + b"\x01")  # one byte changed
    restored_media = tmp_path / "restored-media"

    result = run_manage("restore_portal", str(tmp_path / "backup"), DATABASE_URL=url, MEDIA_ROOT=str(restored_media))

    assert result.returncode != 0
    name = str(scan.relative_to(tmp_path / "backup" / "media"))
    assert f"Sauvegarde corrompue : le fichier {name} ne correspond pas au manifeste" in result.stderr
    assert restored_rows() == {"(sequences)": []} or restored_rows() == {}
    assert not restored_media.exists() or not files_under(restored_media)


def test_a_corrupted_database_dump_is_refused(portal, tmp_path):
    backup(tmp_path / "backup")
    dump = tmp_path / "backup" / manifest_of(tmp_path / "backup")["database"]["path"]
    dump.write_bytes(dump.read_bytes()[:-10])

    with pytest.raises(CommandError, match=f"Sauvegarde corrompue : {dump.name} ne correspond pas au manifeste"):
        call_command("restore_portal", str(tmp_path / "backup"), stdout=StringIO())


def test_restore_refuses_a_database_that_is_not_empty_and_writes_no_file(portal, tmp_path, settings):
    backup(tmp_path / "backup")
    target = tmp_path / "restored-media"
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(target)}}}

    with pytest.raises(CommandError, match="La base de données cible n'est pas vide .* --force"):
        call_command("restore_portal", str(tmp_path / "backup"), stdout=StringIO())  # the test database, full
    assert not target.exists() or not files_under(target)


def test_restore_refuses_a_storage_that_is_not_empty(portal, tmp_path, empty_database):
    url, restored_rows = empty_database
    backup(tmp_path / "backup")
    (tmp_path / "restored-media").mkdir()
    (tmp_path / "restored-media" / "autre.pdf").write_bytes(b"%PDF-")

    result = run_manage("restore_portal", str(tmp_path / "backup"), DATABASE_URL=url, MEDIA_ROOT=str(tmp_path / "restored-media"))

    assert result.returncode != 0 and "Le stockage des fichiers cible n'est pas vide" in result.stderr
    assert files_under(tmp_path / "restored-media") == {"autre.pdf": b"%PDF-"}


def test_a_failed_database_restore_removes_the_files_it_wrote(portal, tmp_path, monkeypatch):
    from portal import backups

    backup(tmp_path / "backup")
    target = FileSystemStorage(location=tmp_path / "restored-media")
    monkeypatch.setattr(backups, "database_is_empty", lambda alias="default": True)
    monkeypatch.setattr(backups, "database_restore", lambda *args, **kwargs: (_ for _ in ()).throw(
        backups.BackupError("pg_restore a échoué (code 1)")))

    with pytest.raises(backups.BackupError, match="pg_restore a échoué"):
        backups.backup_restore(tmp_path / "backup", storage=target)
    assert storage_names(target) == []


def test_a_backup_without_a_manifest_is_refused(tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "database.pgdump").write_bytes(b"PGDMP")

    with pytest.raises(CommandError, match="manifest.json est introuvable"):
        call_command("restore_portal", str(tmp_path / "backup"), stdout=StringIO())


def test_a_backup_goes_into_a_new_folder_only(portal, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "ancienne.txt").write_text("une autre sauvegarde")

    with pytest.raises(CommandError, match="n'est pas vide"):
        backup(tmp_path / "backup")
    assert files_under(tmp_path / "backup") == {"ancienne.txt": b"une autre sauvegarde"}


@pytest.fixture
def s3_buckets(monkeypatch):
    """Two buckets of an in-process S3 (moto): the portal's, and the empty one of a new machine."""
    import boto3
    from moto import mock_aws
    from storages.backends.s3 import S3Storage

    for name, value in {"AWS_ACCESS_KEY_ID": "essai", "AWS_SECRET_ACCESS_KEY": "essai", "AWS_DEFAULT_REGION": "eu-west-3"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-3")
        for bucket in ("portail", "nouvelle-machine"):
            client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
        yield [S3Storage(bucket_name=bucket, region_name="eu-west-3", default_acl="private") for bucket in ("portail", "nouvelle-machine")]


def test_files_on_s3_are_backed_up_and_restored_through_the_storage_api(s3_buckets, tmp_path):
    from portal.backups import backup_check, backup_write, files_restore

    source, target = s3_buckets
    contents = {"pieces/2024/11/relevé.pdf": pdf_bytes(), "pieces/2024/11/scan.bin": BINARY, "generated/2024-000001-v1.pdf": b"%PDF-1.7"}
    for name, content in contents.items():
        source.save(name, ContentFile(content))

    manifest = backup_write(tmp_path / "backup", storage=source)
    backup_check(tmp_path / "backup")
    files_restore(target, tmp_path / "backup", manifest["files"], replace=False)

    assert {entry["path"]: entry["sha256"] for entry in manifest["files"]} == {
        name: hashlib.sha256(content).hexdigest() for name, content in contents.items()}
    assert {name: target.open(name, "rb").read() for name in storage_names(target)} == contents


class StorageThatDamagesWhatItWrites(FileSystemStorage):
    """A disk or a bucket that stores other bytes than it was given, for the .bin file."""

    def _save(self, name, content):
        name = super()._save(name, content)
        if name.endswith(".bin"):
            with open(self.path(name), "r+b") as stored:
                stored.write(b"\x01")
        return name


def test_a_file_that_reads_back_other_bytes_is_refused_and_the_files_written_removed(portal, tmp_path, monkeypatch):
    from portal import backups

    backup(tmp_path / "backup")
    target = StorageThatDamagesWhatItWrites(location=tmp_path / "restored-media")
    monkeypatch.setattr(backups, "database_is_empty", lambda alias="default": True)
    restored = []
    monkeypatch.setattr(backups, "database_restore", lambda *args, **kwargs: restored.append(True))

    with pytest.raises(backups.BackupError, match=r"Le fichier pieces/.*\.bin relu après écriture ne correspond pas"):
        backups.backup_restore(tmp_path / "backup", storage=target)
    assert storage_names(target) == [] and restored == []


def test_a_manifest_naming_a_file_outside_the_backup_is_refused(portal, tmp_path):
    backup(tmp_path / "backup")
    manifest = manifest_of(tmp_path / "backup")
    manifest["files"][0]["path"] = "../../settings.py"
    (tmp_path / "backup" / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(CommandError, match=r"Nom de fichier refusé dans le manifeste : '\.\./\.\./settings\.py'"):
        call_command("restore_portal", str(tmp_path / "backup"), stdout=StringIO())
