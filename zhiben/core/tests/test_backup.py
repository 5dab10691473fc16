"""备份恢复: `backup_data` and `restore_data` bring back every record, every stored file (same SHA-256)
and a valid audit chain, on whichever database the suite runs (SQLite or PostgreSQL)."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import uuid
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TransactionTestCase, override_settings

from zhiben.accounts.models import User
from zhiben.audit.models import AuditEvent
from zhiben.audit.services import audit_record, audit_verify
from zhiben.core.backup import _jsonable, backed_up_models, media_files
from zhiben.documents import services as document_services
from zhiben.hazards import services as hazard_services
from zhiben.hazards.choices import AttachmentKind
from zhiben.hazards.documents import Kind
from zhiben.hazards.models import Hazard, HazardAttachment
from zhiben.hazards.tests.helpers import photo, ready, report
from zhiben.testing import PASSWORD, build_cast

ROOT = Path(__file__).resolve().parents[3]


def database_state():
    """Every row of every backed-up model, decrypted, in primary-key order."""
    state = {}
    for model in backed_up_models():
        names = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*names)
        state[model._meta.label_lower] = [[_jsonable(v) for v in row] for row in rows]
    return state


def tally_state():
    """The hazard roll-ups without their ids: what the restored hazards must count again."""
    from zhiben.hazards.models import ClosedTally, DueTally, FoundTally

    return {
        model.__name__: sorted(
            tuple(row)
            for row in model.objects.values_list(*[f.attname for f in model._meta.concrete_fields if f.attname != "id"])
        )
        for model in (FoundTally, ClosedTally, DueTally)
    }


def file_hashes(root):
    return {relative: hashlib.sha256(path.read_bytes()).hexdigest() for relative, path in media_files(root)}


def rewrite_member(source, target, name, data):
    """Copy the archive `source` to `target` with member `name` replaced by `data` (manifest unchanged)."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            content = old.extractfile(member).read()
            if member.name == name:
                content = data
                member.size = len(data)
            new.addfile(member, io.BytesIO(content))


class BackupRestoreTests(TransactionTestCase):
    def setUp(self):
        self.scratch = Path(tempfile.mkdtemp(prefix="zhiben-backup-test-"))
        self.media = override_settings(MEDIA_ROOT=self.scratch / "media")
        self.media.enable()
        build_cast(self)

    def tearDown(self):
        self.media.disable()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def make_data(self):
        """The cast, hazards with attachments (and thumbnails), an issued document (DOCX + PDF), audit rows."""
        first = report(self.gina, self.enterprise_a, responsible_phone="13812345678")
        hazard_services.hazard_attach(
            actor=self.gina, hazard=first, kind=AttachmentKind.FOUND, files=[photo("found.png", (200, 10, 10))]
        )
        second = ready(report(self.gina, self.enterprise_a, description="消防通道堵塞"), self.erin)
        document_services.document_issue(actor=self.alice, kind=Kind.RECTIFICATION_NOTICE, subject=second)
        audit_record(actor=self.aud, action="test.backup", data={"说明": "恢复前的审计事件"})
        self.assertGreaterEqual(HazardAttachment.objects.count(), 2)
        self.assertTrue(audit_verify()[0])

    def empty_everything(self):
        call_command("flush", interactive=False, verbosity=0)
        shutil.rmtree(settings.MEDIA_ROOT)
        self.assertFalse(User.objects.exists())
        self.assertEqual(media_files(settings.MEDIA_ROOT), [])

    def test_backup_then_restore_into_an_emptied_database(self):
        self.make_data()
        state, files = database_state(), file_hashes(settings.MEDIA_ROOT)
        events = AuditEvent.objects.count()
        tallies = tally_state()
        self.assertTrue(tallies)
        self.assertGreaterEqual(len(files), 4)  # photos, thumbnails, DOCX, PDF
        archive = self.scratch / "backup.tar.gz"
        out = StringIO()
        call_command("backup_data", str(archive), stdout=out)
        self.assertIn("备份完成", out.getvalue())
        self.assertEqual(archive.stat().st_mode & 0o077, 0)  # readable by the owner only
        self.assertEqual(AuditEvent.objects.latest("seq").action, "system.backup")
        with tarfile.open(archive, "r:gz") as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
            self.assertNotIn("13812345678", tar.extractfile("data.jsonl").read().decode())  # stays encrypted
        self.assertEqual(manifest["members"][f"media/{sorted(files)[0]}"]["sha256"], files[sorted(files)[0]])

        self.empty_everything()
        self.assertEqual(tally_state(), {"FoundTally": [], "ClosedTally": [], "DueTally": []})  # emptied with the rest
        out = StringIO()
        call_command("restore_data", str(archive), stdout=out)
        self.assertIn("恢复完成", out.getvalue())
        self.assertIn("审计链完整", out.getvalue())

        restored = database_state()
        restored["audit.auditevent"] = restored["audit.auditevent"][:events]  # then system.restore
        restored.pop("audit.audithead")
        state.pop("audit.audithead")
        self.assertEqual(restored.keys(), state.keys())
        for label in state:
            self.assertEqual(restored[label], state[label], label)
        self.assertEqual(file_hashes(settings.MEDIA_ROOT), files)
        self.assertNotIn("hazards.foundtally", state)  # roll-ups are not backed up: the restored hazards refill them
        self.assertEqual(tally_state(), tallies)
        for attachment in HazardAttachment.objects.all():
            with attachment.file.open("rb") as handle:
                self.assertEqual(hashlib.sha256(handle.read()).hexdigest(), attachment.sha256)
        self.assertEqual(Hazard.objects.get(description__startswith="配电箱").responsible_phone, "13812345678")
        self.assertTrue(User.objects.get(username="alice").check_password(PASSWORD))
        ok, message = audit_verify()
        self.assertTrue(ok, message)
        call_command("audit_verify", stdout=StringIO())
        self.assertEqual(AuditEvent.objects.latest("seq").action, "system.restore")
        # the next write continues the chain and the sequences
        audit_record(actor=None, action="test.after_restore")
        report(self.gina, self.enterprise_a, description="恢复后的新隐患")
        self.assertTrue(audit_verify()[0])

    def test_restore_refuses_a_database_that_is_not_empty(self):
        self.make_data()
        archive = self.scratch / "backup.tar.gz"
        call_command("backup_data", str(archive), stdout=StringIO())
        before = AuditEvent.objects.count()
        with self.assertRaises(CommandError) as caught:
            call_command("restore_data", str(archive), stdout=StringIO())
        self.assertIn("只能恢复到空的数据库", str(caught.exception))
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_a_damaged_or_altered_backup_is_refused_before_anything_is_touched(self):
        self.make_data()
        archive = self.scratch / "backup.tar.gz"
        call_command("backup_data", str(archive), stdout=StringIO())
        with tarfile.open(archive, "r:gz") as tar:
            names = tar.getnames()
            manifest = json.load(tar.extractfile("manifest.json"))
        media_member = next(name for name in names if name.startswith("media/"))
        self.empty_everything()

        altered = self.scratch / "altered.tar.gz"
        rewrite_member(archive, altered, media_member, b"not the original photo")
        with self.assertRaises(CommandError) as caught:
            call_command("restore_data", str(altered), stdout=StringIO())
        self.assertIn("SHA-256", str(caught.exception))

        manifest["members"][media_member] = {"sha256": hashlib.sha256(b"x").hexdigest(), "size": 1}
        rewrite_member(archive, altered, "manifest.json", json.dumps(manifest).encode())
        with self.assertRaises(CommandError) as caught:
            call_command("restore_data", str(altered), stdout=StringIO())
        self.assertIn("签名不符", str(caught.exception))

        evil = self.scratch / "evil.tar.gz"
        with tarfile.open(evil, "w:gz") as tar:
            info = tarfile.TarInfo("media/../../escaped.txt")
            info.size = 3
            tar.addfile(info, io.BytesIO(b"bad"))
        with self.assertRaises(CommandError) as caught:
            call_command("restore_data", str(evil), stdout=StringIO())
        self.assertIn("不允许的条目", str(caught.exception))
        self.assertFalse((self.scratch / "escaped.txt").exists())

        self.assertFalse(User.objects.exists())
        self.assertEqual(media_files(settings.MEDIA_ROOT), [])
        call_command("restore_data", str(archive), stdout=StringIO())  # the genuine one still restores
        self.assertTrue(User.objects.filter(username="alice").exists())

    def test_restore_into_a_new_database_without_tables(self):
        """The usual disaster recovery: a new, empty database; restore_data creates the tables itself
        (at the backup's migrations), loads, then migrates forward."""
        self.make_data()
        archive = self.scratch / "backup.tar.gz"
        call_command("backup_data", str(archive), stdout=StringIO())
        files = file_hashes(settings.MEDIA_ROOT)
        with self.new_database() as url:
            env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIBEN_")}
            env.update(
                DATABASE_URL=url,
                ZHIBEN_DB_POOLING="0",
                ZHIBEN_MEDIA_ROOT=str(self.scratch / "new-media"),
                DJANGO_SETTINGS_MODULE="tests.settings",
            )
            for command in (["restore_data", str(archive)], ["audit_verify"]):
                result = subprocess.run(
                    [sys.executable, "manage.py", *command],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                self.assertIn("审计链完整", result.stdout)
        self.assertEqual(file_hashes(self.scratch / "new-media"), files)

    @contextmanager
    def new_database(self):
        db = settings.DATABASES["default"]
        if db["ENGINE"] == "django.db.backends.sqlite3":
            yield f"sqlite:///{self.scratch / 'new.sqlite3'}"
            return
        name = f"zhiben_restore_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
            yield f"postgres://{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
