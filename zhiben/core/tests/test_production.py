"""Production set-up: no start without the secrets, `check --deploy` clean with production settings,
the WSGI entry point defaults to production, no demo data in production, a first administrator from
the command line."""

import base64
import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase, override_settings

from zhiben.accounts.choices import Role
from zhiben.accounts.models import User
from zhiben.audit.models import AuditEvent
from zhiben.audit.services import audit_verify
from zhiben.settings import DEV_SECRET_KEY, check_production
from zhiben.testing import CastTestCase

ROOT = Path(__file__).resolve().parents[3]


def production_env(**extra):
    """The environment of a production process: none of the developer's ZHIBEN_* variables."""
    dev_only = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the tests' own (conftest.py)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIBEN_") and k not in dev_only}
    env.update(
        DATABASE_URL="sqlite:////tmp/zhiben-deploy-check-unused.sqlite3",
        ZHIBEN_DEBUG="0",
        ZHIBEN_SECRET_KEY=secrets.token_urlsafe(64),
        ZHIBEN_FIELD_KEYS="k1:" + base64.b64encode(os.urandom(32)).decode(),
        ZHIBEN_AUDIT_KEY=secrets.token_urlsafe(48),
        ZHIBEN_HTTPS="1",
        ZHIBEN_ALLOWED_HOSTS="zhiben.example.gov.cn",
    )
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def run(args, env, stdin=None):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, input=stdin
    )


class ProductionStartTests(SimpleTestCase):
    def test_check_deploy_reports_nothing_with_production_settings(self):
        result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], production_env())
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(result.stdout.strip(), "System check identified no issues (0 silenced).")
        self.assertEqual(result.stderr.strip(), "")

    def test_refuses_to_start_without_the_secret_key(self):
        result = run(["manage.py", "check"], production_env(ZHIBEN_SECRET_KEY=None))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ImproperlyConfigured", result.stderr)
        self.assertIn("未设置 ZHIBEN_SECRET_KEY", result.stderr)
        self.assertIn("ZHIBEN_SECRET_KEY is not set", result.stderr)
        self.assertNotIn("ZHIBEN_AUDIT_KEY", result.stderr)

    def test_refuses_to_start_without_field_and_audit_keys(self):
        result = run(["manage.py", "check"], production_env(ZHIBEN_FIELD_KEYS=None, ZHIBEN_AUDIT_KEY=None))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ZHIBEN_FIELD_KEYS", result.stderr)
        self.assertIn("ZHIBEN_AUDIT_KEY", result.stderr)

    def test_a_wsgi_server_defaults_to_production(self):
        # gunicorn/granian import zhiben.wsgi: with nothing configured it must not serve with DEBUG on
        env = production_env(ZHIBEN_DEBUG=None, ZHIBEN_SECRET_KEY=None)
        result = run(["-c", "import zhiben.wsgi"], env)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("拒绝启动", result.stderr)
        result = run(
            ["-c", "import zhiben.wsgi; from django.conf import settings; print(settings.DEBUG)"], production_env()
        )
        self.assertEqual(result.stdout.strip(), "False", result.stderr)

    def test_the_published_development_key_and_short_keys_are_refused(self):
        base = production_env()
        self.assertEqual(check_production(base), [])
        for name, value in (
            ("ZHIBEN_SECRET_KEY", DEV_SECRET_KEY),
            ("ZHIBEN_SECRET_KEY", "django-insecure-" + "x" * 60),
            ("ZHIBEN_SECRET_KEY", "short"),
            ("ZHIBEN_AUDIT_KEY", "short"),
            ("ZHIBEN_FIELD_KEYS", "k1:not-base64!"),
            ("ZHIBEN_ALLOWED_HOSTS", ""),
        ):
            with self.subTest(name=name, value=value):
                problems = check_production({**base, name: value})
                self.assertEqual(len(problems), 1)
                self.assertIn(name, problems[0])

    def test_development_settings_still_start(self):
        env = production_env(ZHIBEN_DEBUG=None, ZHIBEN_SECRET_KEY=None, ZHIBEN_FIELD_KEYS=None, ZHIBEN_AUDIT_KEY=None)
        result = run(["manage.py", "check"], env)
        self.assertEqual(result.returncode, 0, result.stderr)


class NoDemoInProductionTests(CastTestCase):
    @override_settings(PRODUCTION=True)
    def test_load_demo_refuses(self):
        with self.assertRaises(CommandError) as caught:
            call_command("load_demo", stdout=StringIO())
        self.assertIn("生产模式", str(caught.exception))
        self.assertFalse(User.objects.filter(username="anweiban").exists())


class CreateAdminTests(CastTestCase):
    PASSWORD = "Qz7-first-admin-2026"

    def create(self, *args, password=None):
        stdin = StringIO((password or self.PASSWORD) + "\n")
        with mock.patch("sys.stdin", stdin):
            out = StringIO()
            call_command("create_admin", *args, stdout=out, stderr=StringIO())
        return out.getvalue()

    def test_first_administrator_on_a_new_installation(self):
        User.objects.filter(role__in=[Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN]).delete()
        out = self.create("root", "--region", self.county_a.code, "--phone", "13700001111", "--name", "王工")
        self.assertIn("已创建系统管理员", out)
        user = User.objects.get(username="root")
        self.assertEqual(user.role, Role.SYS_ADMIN)
        self.assertEqual(user.region_id, self.county_a.code)
        self.assertTrue(user.check_password(self.PASSWORD))
        self.assertTrue(user.must_change_password)
        self.assertFalse(user.is_superuser)
        actions = list(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
        self.assertIn("user.create", actions)
        self.assertIn("user.create_admin", actions)
        event = AuditEvent.objects.get(action="user.create_admin")
        self.assertNotIn("13700001111", str(event.data) + event.object_repr)
        self.assertTrue(audit_verify()[0])

    def test_refused_when_an_administrator_exists_unless_forced(self):
        with self.assertRaises(CommandError) as caught:
            self.create("root", "--region", self.county_a.code, "--phone", "13700001111")
        self.assertIn("已有管理员账号", str(caught.exception))
        self.assertIn("--force", str(caught.exception))
        self.assertFalse(User.objects.filter(username="root").exists())
        self.create(
            "root", "--role", "audit_admin", "--region", self.county_a.code, "--phone", "13700001111", "--force"
        )
        self.assertEqual(User.objects.get(username="root").role, Role.AUDIT_ADMIN)
        self.assertTrue(AuditEvent.objects.get(action="user.create_admin").data["force"])

    def test_weak_password_unknown_region_and_missing_phone(self):
        User.objects.filter(role__in=[Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN]).delete()
        with self.assertRaises(CommandError):
            self.create("root", "--region", self.county_a.code, "--phone", "13700001111", password="123")
        with self.assertRaises(CommandError) as caught:
            self.create("root", "--region", "990000", "--phone", "13700001111")
        self.assertIn("import_regions", str(caught.exception))
        with self.assertRaises(CommandError):
            self.create("root", "--region", self.county_a.code, "--phone", "")
        self.assertFalse(User.objects.filter(username="root").exists())
