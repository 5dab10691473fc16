"""Backup and restore of the database and the stored files together (`backup_data`, `restore_data`).

One portable format for SQLite and PostgreSQL: a gzip'd tar holding

    data.jsonl      every row of every model (sessions excepted), one JSON line per chunk of a model:
                    {"model": "app.model", "fields": [column attnames], "rows": [[values], ...]}
    media/...       every file under MEDIA_ROOT (evidence, thumbnails, issued documents)
    manifest.json   format, time, database, applied migrations, row counts, and the SHA-256 and size
                    of every other member; signed with HMAC-SHA256 under the audit key

The rows are read in one read-only snapshot (PostgreSQL REPEATABLE READ; an SQLite read transaction),
so the backup is consistent while the application keeps running. Files are written before the rows
that name them commit and are never changed in place, so every file the snapshot refers to is there
when the media folder is copied afterwards. Datetimes keep their microseconds (Django's dumpdata
rounds them to milliseconds, which would break the audit chain's hashes). Encrypted fields stay
encrypted in the backup: restoring needs the field keys (ZHIBEN_FIELD_KEYS) and the audit key.

Restoring checks every member against the manifest and the manifest's signature before touching
anything, refuses a database that holds accounts or audit events and a media folder that holds files,
brings a database without tables to the backup's migrations, loads the rows with their primary keys in
one transaction, puts the files back, then migrates forward and checks the audit chain. Rows are
read and written through the models of the backup's migrations (Django's historical models), so a
backup restored by a newer version is loaded in its own shape and then upgraded by the migrations.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import functools
import hashlib
import hmac
import io
import json
import os
import shutil
import tarfile
import tempfile
import uuid
import zlib
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.core.management.sql import sql_flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_string

from . import crypto
from .exceptions import ApplicationError
from .migrating import lean_state

FORMAT = "zhiben-backup"
VERSION = 1
SKIPPED = {"sessions.session"}  # logins do not survive a restore
CHUNK = 2000


def backed_up_models(registry=apps):
    """Every concrete table the backup holds, the automatic many-to-many tables included; not the tables a
    model marks `BACKUP = False` (roll-ups the database rebuilds itself as the rows they count come back)."""
    return [
        model
        for model in registry.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in SKIPPED and _kept(model)
    ]


def _kept(model):
    """False for a model whose current class says `BACKUP = False` (a model of the migration state carries
    no class attributes of its own: its current class is asked)."""
    try:
        current = apps.get_model(model._meta.app_label, model._meta.model_name)
    except LookupError:
        return True
    return getattr(current, "BACKUP", True)


def _leaves(graph, names):
    """The last migration of each app within `names` ("app.name" strings)."""
    nodes = {tuple(name.split(".", 1)) for name in names}
    unknown = sorted(n for n in nodes if n not in graph.nodes)
    if unknown:
        raise ApplicationError(
            f"备份来自较新版本的治本（本程序没有迁移 {'.'.join(unknown[0])}）：请用不早于备份时的版本恢复。"
        )
    return [n for n in nodes if not any(c in nodes and c[0] == n[0] for c in graph.node_map[n].children)]


def schema_models(connection, names):
    """The models as they were at the migrations `names` (Django's historical models): rows are read
    and written in the shape of the database's tables at that point, whatever the current code says.
    A backup taken before `migrate` after an upgrade, or restored by a newer version, stays readable."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return loader.project_state(_leaves(loader.graph, names), at_end=True).apps


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest_mac(manifest):
    from zhiben.audit.services import audit_key

    body = {key: value for key, value in manifest.items() if key != "mac"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(audit_key(), text.encode(), hashlib.sha256).hexdigest()


def applied_migrations(connection):
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


class _Snapshot:
    """A read-only transaction whose reads all see one moment of the database."""

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        connection = self.connection
        self.atomic = self.began = None
        if connection.in_atomic_block:  # the caller's transaction (a test): read inside it
            return self
        if connection.vendor == "postgresql":
            self.atomic = transaction.atomic(using=connection.alias)
            self.atomic.__enter__()
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        else:
            # A deferred transaction: a snapshot (WAL) that does not hold writers back, unlike the
            # BEGIN IMMEDIATE of Django's atomic() under the project's SQLite options.
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("BEGIN DEFERRED")
            self.began = True
        return self

    def __exit__(self, *exc):
        if self.atomic is not None:
            self.atomic.__exit__(*exc)
        elif self.began:
            with self.connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return False


def _dump_rows(model, out, alias):
    """Write the model's rows to `out` in chunks; return how many."""
    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]
    encrypted = [i for i, f in enumerate(fields) if isinstance(f, crypto.EncryptedTextField)]
    pk = model._meta.pk.attname
    qs = model._base_manager.using(alias).order_by("pk").values_list(*names)
    index, count, last = names.index(pk), 0, None
    while True:
        rows = list((qs.filter(pk__gt=last) if last is not None else qs)[:CHUNK])
        if not rows:
            return count
        chunk = []
        for row in rows:
            row = [_jsonable(v) for v in row]
            for i in encrypted:
                if row[i]:
                    row[i] = crypto.encrypt(row[i])  # clear text never leaves the database
            chunk.append(row)
        out.write(json.dumps({"model": model._meta.label_lower, "fields": names, "rows": chunk}, ensure_ascii=False))
        out.write("\n")
        count += len(rows)
        last = rows[-1][index]


def media_files(root):
    """(relative posix path, absolute path) of every regular file under `root`."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    return found


def backup(out_path, *, alias=DEFAULT_DB_ALIAS):
    """Write the backup to `out_path` (via a temporary name, readable by the owner only); return the manifest."""
    out_path = Path(out_path).resolve()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[alias]
    members, counts = {}, {}
    with tempfile.TemporaryDirectory(prefix=".zhiben-backup-", dir=out_path.parent) as scratch:
        data_path = Path(scratch) / "data.jsonl"
        with _Snapshot(connection), open(data_path, "w", encoding="utf-8") as out:
            migrations = applied_migrations(connection)
            if not migrations:
                raise ApplicationError("数据库还没有建表（未运行 migrate），没有可备份的内容。")
            for model in backed_up_models(schema_models(connection, migrations)):
                counts[model._meta.label_lower] = _dump_rows(model, out, alias)
        members["data.jsonl"] = {"sha256": _sha256_file(data_path), "size": data_path.stat().st_size}
        partial = out_path.with_name(out_path.name + ".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(data_path, arcname="data.jsonl")
            for relative, path in media_files(settings.MEDIA_ROOT):
                name = f"media/{relative}"
                members[name] = {"sha256": _sha256_file(path), "size": path.stat().st_size}
                tar.add(path, arcname=name)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "database": connection.vendor,
                "django": django.get_version(),
                "migrations": migrations,
                "counts": counts,
                "members": members,
            }
            manifest["mac"] = _manifest_mac(manifest)
            blob = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime, info.mode = len(blob), int(timezone.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(blob))
        os.replace(partial, out_path)
    return manifest


# ---------------------------------------------------------------- restore


def _safe_member(name):
    """The member's path if it is a plain relative path (no absolute path, no '..'), else None."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("", ".", "..") for part in path.parts):
        return None
    return path


def _read_manifest(tar, member):
    try:
        return json.loads(tar.extractfile(member).read(10 * 1024 * 1024))
    except ValueError:
        raise ApplicationError("备份清单 manifest.json 不是有效的 JSON。") from None


def _extract(tar, member, scratch, seen):
    """Copy one member into `scratch`, recording its SHA-256 and size in `seen` (manifest.json excepted)."""
    path = _safe_member(member.name)
    if (
        path is None
        or not member.isfile()
        or not (member.name in ("data.jsonl", "manifest.json") or path.parts[0] == "media")
    ):
        raise ApplicationError(f"备份中含有不允许的条目“{member.name}”（非普通文件或路径越界），已拒绝。")
    if member.name == "manifest.json":
        return
    if member.name in seen:
        raise ApplicationError(f"备份中条目“{member.name}”重复出现，已拒绝。")
    target = scratch.joinpath(*path.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    source, digest, size = tar.extractfile(member), hashlib.sha256(), 0
    with open(target, "wb") as out:
        for block in iter(functools.partial(source.read, 1 << 20), b""):
            digest.update(block)
            size += len(block)
            out.write(block)
    seen[member.name] = {"sha256": digest.hexdigest(), "size": size}


def read_archive(in_path, scratch):
    """Extract the archive's regular files into `scratch`, check each against the manifest and the
    manifest's signature; return the manifest. Raise ApplicationError on any mismatch."""
    scratch = Path(scratch)
    seen, manifest = {}, None
    if not Path(in_path).is_file():
        raise ApplicationError(f"备份文件不存在：{in_path}")
    try:
        with tarfile.open(in_path, mode="r:gz") as tar:
            for member in tar:
                _extract(tar, member, scratch, seen)
                if member.name == "manifest.json":
                    manifest = _read_manifest(tar, member)
    except (OSError, EOFError, tarfile.TarError, zlib.error) as exc:
        raise ApplicationError(f"无法读取备份文件（文件损坏或不完整）：{exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ApplicationError("这不是治本的备份文件（缺少 manifest.json 或格式不符）。")
    if manifest.get("version") != VERSION:
        raise ApplicationError(f"备份格式版本 {manifest.get('version')} 不受支持（本程序为 {VERSION}）。")
    if not hmac.compare_digest(str(manifest.get("mac", "")), _manifest_mac(manifest)):
        raise ApplicationError("备份清单的签名不符：备份被改动过，或当前的审计密钥（ZHIBEN_AUDIT_KEY）与备份时不同。")
    expected = manifest.get("members") or {}
    for name, facts in expected.items():
        if name not in seen:
            raise ApplicationError(f"备份不完整：清单中的“{name}”不在备份中。")
        if seen[name]["sha256"] != facts.get("sha256") or seen[name]["size"] != facts.get("size"):
            raise ApplicationError(f"备份已损坏：“{name}”的 SHA-256 与清单不符。")
    extra = sorted(set(seen) - set(expected))
    if extra:
        raise ApplicationError(f"备份中有清单未列出的条目“{extra[0]}”，已拒绝。")
    if "data.jsonl" not in expected:
        raise ApplicationError("备份不完整：缺少数据库内容 data.jsonl。")
    return manifest


def emptiness_problems(connection):
    """Why the database and the media folder are not empty enough to restore into ([] when they are).
    Rows the migrations themselves create (reference data) do not count; accounts and audit events do."""
    problems = []
    tables = set(connection.introspection.table_names())
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    event_model = apps.get_model("audit", "AuditEvent")
    for model, label in ((user_model, "用户"), (event_model, "审计事件")):
        if model._meta.db_table in tables and model._base_manager.using(connection.alias).exists():
            problems.append(f"数据库中已有{label}")
    if media_files(settings.MEDIA_ROOT):
        problems.append(f"文件目录 {settings.MEDIA_ROOT} 中已有文件")
    return problems


def _migrate_to(connection, names):
    """Bring a database without tables to exactly the backup's migrations."""
    executor = MigrationExecutor(connection)
    with lean_state():
        executor.migrate(_leaves(executor.loader.graph, names))


def _load(connection, data_path, registry):
    """Insert every row of data.jsonl with its primary key, through the models of `registry` (the
    schema at the backup's migrations); return {model label: rows}."""
    counts, touched = {}, []
    with open(data_path, encoding="utf-8") as lines:
        for line in lines:
            chunk = json.loads(line)
            try:
                model = registry.get_model(chunk["model"])
            except LookupError:
                raise ApplicationError(f"备份中的模型“{chunk['model']}”在本程序中不存在。") from None
            by_name = {f.attname: f for f in model._meta.concrete_fields}
            missing = [name for name in chunk["fields"] if name not in by_name]
            if missing:
                raise ApplicationError(f"备份中 {chunk['model']} 的字段“{missing[0]}”在本程序中不存在。")
            fields = [by_name[name] for name in chunk["fields"]]
            recompute = [
                f
                for f in model._meta.concrete_fields
                if isinstance(getattr(f, "source", None), str)
                and isinstance(model._meta.get_field(f.source), crypto.EncryptedTextField)
            ]
            objs = []
            for row in chunk["rows"]:
                obj = model(**{f.attname: (None if v is None else f.to_python(v)) for f, v in zip(fields, row)})
                for field in recompute:  # blind indexes follow the current field key
                    field.pre_save(obj, True)
                objs.append(obj)
            size = max(1, min(500, connection.ops.bulk_batch_size(fields, objs)))
            for start in range(0, len(objs), size):
                model._base_manager.using(connection.alias)._insert(objs[start : start + size], fields=fields, raw=True)
            label = model._meta.label_lower
            counts[label] = counts.get(label, 0) + len(objs)
            if model not in touched:
                touched.append(model)
    statements = connection.ops.sequence_reset_sql(no_style(), touched)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    return counts


def restore(in_path, *, alias=DEFAULT_DB_ALIAS):
    """Restore a backup into an empty database and media folder.
    Returns (manifest, rows per model, files restored, audit chain ok, verification message)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from zhiben.audit.services import audit_record, audit_verify

    connection = connections[alias]
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".zhiben-restore-", dir=media_root.parent) as scratch:
        manifest = read_archive(in_path, scratch)
        problems = emptiness_problems(connection)
        if problems:
            raise ApplicationError(
                "只能恢复到空的数据库和空的文件目录："
                + "；".join(problems)
                + "。请新建数据库（并清空文件目录）后再恢复。"
            )
        applied = applied_migrations(connection)
        fresh = not applied
        if fresh:
            _migrate_to(connection, manifest["migrations"])
        elif applied != manifest["migrations"]:
            raise ApplicationError(
                "目标数据库的迁移与备份时不同：请恢复到一个新建的、没有任何表的数据库（本命令会先建到备份时的结构，"
                "恢复后再升级），或使用与备份时相同版本的治本。"
            )
        moved = []
        try:
            with transaction.atomic(using=alias):
                connection.ops.execute_sql_flush(sql_flush(no_style(), connection, reset_sequences=True))
                counts = _load(
                    connection, Path(scratch) / "data.jsonl", schema_models(connection, manifest["migrations"])
                )
                connection.check_constraints()
                expected = {k: v for k, v in (manifest.get("counts") or {}).items() if v}
                if counts != expected:
                    raise ApplicationError("恢复的行数与备份清单不符，已回滚。")
                source = Path(scratch) / "media"
                for relative, path in media_files(source):
                    target = media_root.joinpath(*PurePosixPath(relative).parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(path, target)
                    moved.append(target)
        except BaseException:
            for target in moved:
                target.unlink(missing_ok=True)
            raise
    ContentType.objects.clear_cache()
    if fresh:
        call_command("migrate", interactive=False, verbosity=0)
    ok, message = audit_verify()
    audit_record(
        actor=None,
        action="system.restore",
        object_repr="从备份恢复",
        data={
            "file": Path(in_path).name,
            "created_at": manifest["created_at"],
            "rows": sum(counts.values()),
            "files": len(moved),
            "audit_ok": ok,
        },
        success=ok,
    )
    return manifest, counts, len(moved), ok, message
