"""Personal data at rest: field encryption, a keyed hash for exact search, and masking for display.

等保 8.1.4.8 asks for cryptographic confidentiality of important personal information at rest. Phones,
identity numbers and TOTP secrets are stored with `EncryptedTextField`: AES-256-GCM by default, or
SM4-GCM when the deployment selects 国密 (`ZHIBEN_FIELD_CIPHER=sm4`). A stored value reads

    enc1:<key id>:<cipher>:<base64 of nonce + ciphertext + tag>

so values written under an older key or cipher stay readable while `rotate_field_keys` rewrites them.

Keys come from the environment, never the database: `ZHIBEN_FIELD_KEYS` is a comma-separated list of
`id:base64key` (the first one encrypts; all of them decrypt). Without it (development, tests, the demo)
one key is derived from SECRET_KEY. Exact search (a phone number typed in a search box) uses
`blind_index`, an HMAC of the normalised value under a key derived separately, stored beside the
ciphertext; it reveals equality only, never the digits.

A field names its blind-index column with `index_field` (`EncryptedTextField(index_field="phone_index")`).
Saves (`BlindIndexed`, `set_blind_indexes`), driver-level bulk inserts (`core.db.insert_rows`) and
`rotate_field_keys` keep it current, and an exact lookup on the encrypted field compares the index. The
index key derives from the field key, so searches compare the index under every configured key
(`blind_indexes`): rows indexed under the previous key are found until the rotation has rewritten them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1"
CIPHERS = {"aes": 32, "sm4": 16}  # cipher name: key bytes


class DecryptionError(Exception):
    """A stored value that no configured key opens (wrong key, or the data was altered)."""


def _derive(secret: str, purpose: str, size: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", secret.encode(), f"zhiben-{purpose}".encode(), 100_000, dklen=size)


@lru_cache(maxsize=1)
def keyring() -> tuple[str, str, dict[str, bytes]]:
    """(cipher, current key id, {key id: key bytes}) from the settings; cached per process."""
    cipher = (getattr(settings, "FIELD_CIPHER", "") or "aes").lower()
    if cipher not in CIPHERS:
        raise ImproperlyConfigured(f"ZHIBEN_FIELD_CIPHER 只能是 aes 或 sm4，而不是“{cipher}”。")
    spec = getattr(settings, "FIELD_ENCRYPTION_KEYS", "") or ""
    keys: dict[str, bytes] = {}
    current = ""
    for item in [part.strip() for part in spec.split(",") if part.strip()]:
        key_id, _, encoded = item.partition(":")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise ImproperlyConfigured(f"字段加密密钥“{key_id}”不是有效的 base64。") from None
        keys[key_id] = raw
        current = current or key_id
    if not keys:
        current = "dev"
        keys = {"dev": _derive(settings.SECRET_KEY, "field-key", 32)}
    return cipher, current, keys


def _key_for(cipher: str, raw: bytes) -> bytes:
    size = CIPHERS[cipher]
    if len(raw) >= size:
        return raw[:size]
    return hashlib.sha256(raw).digest()[:size]


def _aead(cipher: str, key: bytes):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if cipher == "aes":
        return AESGCM(key)
    return _Sm4Gcm(key)


@lru_cache(maxsize=16)
def _sealer(cipher: str, key_id: str):
    """The AEAD object of one configured key, built once (a bulk import seals tens of thousands of values)."""
    return _aead(cipher, _key_for(cipher, keyring()[2][key_id]))


class _Sm4Gcm:
    """SM4 in GCM mode with the same interface as `AESGCM` (nonce, data, associated data)."""

    def __init__(self, key: bytes):
        self.key = key

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes | None) -> bytes:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        encryptor = Cipher(algorithms.SM4(self.key), modes.GCM(nonce)).encryptor()
        if aad:
            encryptor.authenticate_additional_data(aad)
        return encryptor.update(data) + encryptor.finalize() + encryptor.tag

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes | None) -> bytes:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        body, tag = data[:-16], data[-16:]
        decryptor = Cipher(algorithms.SM4(self.key), modes.GCM(nonce, tag)).decryptor()
        if aad:
            decryptor.authenticate_additional_data(aad)
        return decryptor.update(body) + decryptor.finalize()


def is_encrypted(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + ":")


@lru_cache(maxsize=1)
def _current():
    """(seal function, associated data, prefix) of the current key: what `encrypt` needs, looked up once."""
    cipher, key_id, _ = keyring()
    return _sealer(cipher, key_id).encrypt, key_id.encode(), f"{PREFIX}:{key_id}:{cipher}:"


def encrypt(text: str) -> str:
    """The stored form of `text` under the current key ('' stays '')."""
    if text in (None, ""):
        return ""
    seal, aad, prefix = _current()
    nonce = os.urandom(12)
    return prefix + base64.b64encode(nonce + seal(nonce, str(text).encode(), aad)).decode()


def decrypt(value: str) -> str:
    """The clear text of a stored value; a value not in the encrypted form is returned as it is
    (rows written before encryption was switched on, until `rotate_field_keys` rewrites them)."""
    if not is_encrypted(value):
        return value or ""
    try:
        _, key_id, cipher, payload = value.split(":", 3)
        blob = base64.b64decode(payload)
        aead = _sealer(cipher, key_id)
    except (ValueError, KeyError):
        raise DecryptionError("没有可解开该字段的密钥（密钥编号未配置或数据损坏）。") from None
    try:
        return aead.decrypt(blob[:12], blob[12:], key_id.encode()).decode()
    except Exception:
        raise DecryptionError("字段解密失败：密钥不符或数据被改动。") from None


def needs_rotation(value: str) -> bool:
    """True when a stored value is clear text or sealed under a key or cipher other than the current ones."""
    if not value:
        return False
    if not is_encrypted(value):
        return True
    cipher, key_id, _ = keyring()
    return not value.startswith(f"{PREFIX}:{key_id}:{cipher}:")


_SEPARATORS = re.compile(r"[\s\-]")


def normalise(text: str) -> str:
    """What equality means for search: no spaces or dashes, upper case (身份证 X)."""
    return _SEPARATORS.sub("", str(text or "")).upper()


@lru_cache(maxsize=16)
def _index_key(key_id: str) -> bytes:
    """The blind-index key of one field key (derived from it: rotating keys recomputes the indexes)."""
    return _derive(keyring()[2][key_id].hex(), "blind-index", 32)


def blind_index(text: str, key_id: str | None = None) -> str:
    """A keyed hash of the normalised value, for exact search without storing the value ('' for empty);
    under the current key unless `key_id` names another configured one."""
    if not (text.__class__ is str and text.isdigit()):  # digits only (most phones): nothing to normalise
        text = normalise(text)
        if not text:
            return ""
    return hmac.digest(_index_key(key_id or keyring()[1]), text.encode(), "sha256").hex()


def blind_indexes(text: str) -> list[str]:
    """The index of `text` under every configured key, the current one first: what a search compares
    with, so rows still indexed under the previous key are found until `rotate_field_keys` has run."""
    _, current, keys = keyring()
    found = [blind_index(text, key_id) for key_id in [current, *[k for k in keys if k != current]]]
    return list(dict.fromkeys(i for i in found if i))


def reset_keys():
    """Forget the cached keys (after the settings change: tests, the rotation command)."""
    keyring.cache_clear()
    _sealer.cache_clear()
    _current.cache_clear()
    _index_key.cache_clear()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; Python code sees clear text.

    `index_field="phone_index"` names the field's blind-index column (a plain CharField of 64
    characters, declared beside it): `set_blind_indexes` fills it before a save, bulk inserts
    (`core.db.insert_rows`) and `rotate_field_keys` recompute it, and an exact lookup on the encrypted
    field (`filter(phone="138…")`, `phone__in=[…]`) compares the index instead of the ciphertext.
    Besides those, only isnull works; any other lookup (contains, startswith, …) is refused, since it
    could never match ciphertext."""

    def __init__(self, *args, index_field: str | None = None, **kwargs):
        self.index_field = index_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.index_field:
            kwargs["index_field"] = self.index_field
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ("" if value is not None else None)

    def to_python(self, value):
        return decrypt(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, "") or is_encrypted(value):
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _IndexedExact
        if lookup_name == "in":
            return _IndexedIn
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None  # Django reports "Unsupported lookup … for EncryptedTextField"


def index_field_of(field):
    """The blind-index field of an encrypted field, or None: the one it names with `index_field`, or a
    field of the same model declaring `source=<its name>` (accounts' BlindIndexField)."""
    opts = field.model._meta
    name = getattr(field, "index_field", None)
    if name:
        return opts.get_field(name)
    for other in opts.concrete_fields:
        if getattr(other, "source", None) == field.name and other is not field:
            return other
    return None


def _index_column(lookup):
    """The index column standing in for the encrypted column of `lookup`'s left side."""
    from django.core.exceptions import FieldError
    from django.db.models.expressions import Col

    lhs = lookup.lhs
    index = index_field_of(lhs.target) if isinstance(lhs, Col) else None
    if index is None:
        raise FieldError(
            f"加密字段“{getattr(lhs, 'target', lhs)}”没有检索摘要列，不能按值查询（用 index_field 声明一个）。"
        )
    return Col(lhs.alias, index)


NO_MATCH = "-"  # never an index (those are hex): what a value that normalises to nothing is compared with


class _IndexedExact(models.lookups.Exact):
    """field = value on an encrypted field: the blind index IN (its index under each configured key);
    '' and None keep comparing the stored column (an empty value is stored as it is)."""

    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        from django.core.exceptions import FieldError

        if self.rhs in ("", None):
            return super().as_sql(compiler, connection)
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("加密字段只能与具体的值比较。")
        values = blind_indexes(str(self.rhs)) or [NO_MATCH]
        return compiler.compile(models.lookups.In(_index_column(self), values))


class _IndexedIn(models.lookups.In):
    """field__in=[…] on an encrypted field, through the blind index (empty values are not matched)."""

    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        from django.core.exceptions import FieldError

        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("加密字段只能与具体的值比较。")
        values = [index for value in self.rhs if value not in ("", None) for index in blind_indexes(str(value))]
        return compiler.compile(models.lookups.In(_index_column(self), values or [NO_MATCH]))


# ---------------------------------------------------------------- the encrypted fields of the project


def encrypted_fields(model) -> list[EncryptedTextField]:
    """The encrypted fields stored in `model`'s own table."""
    return [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]


def encrypted_tables():
    """[(model, {encrypted column: blind-index column or None})] for every installed model with
    encrypted fields in its own table (found through django.apps, so new apps need no registration)."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        opts = model._meta
        if opts.proxy or not opts.managed:
            continue
        fields = encrypted_fields(model)
        if fields:
            found.append((model, {f.column: (index_field_of(f).column if index_field_of(f) else None) for f in fields}))
    return found


def set_blind_indexes(instance, update_fields=None) -> list[str]:
    """Recompute the blind indexes of `instance` from its clear values (before a save, a bulk_create or
    a bulk_update — none of which needs a pre_save hook); limited to the encrypted fields named in
    `update_fields` when given. Returns the names of the index fields it set."""
    wanted = None if update_fields is None else set(update_fields)
    names = []
    for field in encrypted_fields(type(instance)):
        index = index_field_of(field)
        if index is None or (wanted is not None and field.name not in wanted and field.attname not in wanted):
            continue
        setattr(instance, index.attname, blind_index(getattr(instance, field.attname) or ""))
        names.append(index.name)
    return names


class BlindIndexed:
    """Model mixin: every save() recomputes the blind indexes of the encrypted fields it writes.

    Storage bookkeeping, like auto_now, not domain logic: whoever saves (a service, the admin, a test
    helper), a stored index never disagrees with its value. Paths that skip save() call
    `set_blind_indexes` themselves (bulk_create) or are covered elsewhere (`insert_rows`, the rotation)."""

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        names = set_blind_indexes(self, update_fields)
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *names}
        return super().save(*args, **kwargs)


def seal_values(raw) -> tuple[str, str]:
    """(stored form under the current key, clear text) of a stored or clear value; raises DecryptionError."""
    clear = decrypt(raw) if raw else ""
    return (raw if raw and not needs_rotation(raw) else encrypt(clear)), clear


def reseal_table(connection, table, columns, *, pk="id", batch_size=500, dry_run=False, progress=None):
    """Bring every stored value of `table` under the current key and cipher and recompute its blind
    indexes, reading and writing the raw columns (a queryset would decrypt and re-encrypt everything).

    `columns` is {encrypted column: blind-index column or None}. Rows go in primary-key order, `batch_size`
    at a time, each batch in its own transaction with its rows locked (PostgreSQL: SELECT … FOR UPDATE)
    so a concurrent edit is not overwritten by a stale value. Clear text left from before encryption is
    encrypted; a value no configured key opens is reported and left alone. `progress(done, changed)`
    is called after each batch. With `dry_run` nothing is written. Returns
    {"rows": rows read, "changed": rows rewritten (or to rewrite), "failed": [(pk, column, message)]}.
    """
    from django.db import transaction

    quote = connection.ops.quote_name
    indexes = {col: idx for col, idx in columns.items() if idx}
    names = [pk, *columns, *indexes.values()]
    select = f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(table)}"
    lock = " FOR UPDATE" if connection.features.has_select_for_update and not dry_run else ""
    result = {"rows": 0, "changed": 0, "failed": []}
    last = None
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            where, params = (f" WHERE {quote(pk)} > %s", [last]) if last is not None else ("", [])
            cursor.execute(f"{select}{where} ORDER BY {quote(pk)} LIMIT {int(batch_size)}{lock}", params)
            rows = cursor.fetchall()
            if not rows:
                break
            updates = {}  # (changed columns) → [(values…, pk)]
            for row in rows:
                values = dict(zip(names, row))
                changes = {}
                for column, index in columns.items():
                    raw = values[column] or ""
                    try:
                        stored, clear = seal_values(raw)
                    except DecryptionError as exc:
                        result["failed"].append((values[pk], column, str(exc)))
                        continue
                    if stored != raw:
                        changes[column] = stored
                    if index and (values[index] or "") != blind_index(clear):
                        changes[index] = blind_index(clear)
                if changes:
                    updates.setdefault(tuple(changes), []).append((*changes.values(), values[pk]))
            if not dry_run:
                for changed, params_list in updates.items():
                    assignments = ", ".join(f"{quote(c)} = %s" for c in changed)
                    cursor.executemany(f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s", params_list)
            result["rows"] += len(rows)
            result["changed"] += sum(len(v) for v in updates.values())
            last = rows[-1][0]
        if progress:
            progress(result["rows"], result["changed"])
    return result


def unseal_table(connection, table, columns, *, pk="id"):
    """The way back (a migration's reverse): write the clear text into the encrypted columns and empty
    their blind indexes. `columns` as for `reseal_table`."""
    quote = connection.ops.quote_name
    names = [pk, *columns]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(table)}")
        rows = cursor.fetchall()
        assignments = ", ".join(
            [f"{quote(c)} = %s" for c in columns] + [f"{quote(i)} = ''" for i in columns.values() if i]
        )
        cursor.executemany(
            f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s",
            [(*(decrypt(v or "") for v in row[1:]), row[0]) for row in rows if any(is_encrypted(v) for v in row[1:])],
        )


def migration_operation(app_label, model_name, columns):
    """A RunPython that encrypts the existing rows of a model whose fields just became encrypted
    (clear text → current key, blind indexes filled) and, reversed, writes them back in clear.
    `columns` is {encrypted column: blind-index column or None}."""
    from django.db import migrations

    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        reseal_table(schema_editor.connection, model._meta.db_table, columns, pk=model._meta.pk.column)

    def backward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        unseal_table(schema_editor.connection, model._meta.db_table, columns, pk=model._meta.pk.column)

    return migrations.RunPython(forward, backward, elidable=False)


# ---------------------------------------------------------------- masking for display

MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
IDENTITY = re.compile(r"(?<![\dXx])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dXx])")


def mask_phone(value: str) -> str:
    """138****5678 for a mobile; other numbers keep their first 3 and last 2 characters."""
    text = str(value or "").strip()
    if not text:
        return ""
    digits = normalise(text)
    if MOBILE.fullmatch(digits):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(text) <= 5:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 5) + text[-2:]


def mask_identity(value: str) -> str:
    """110105********123X: region and check digit kept, birth date and serial hidden."""
    text = normalise(value)
    if len(text) < 8:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


_ELEVEN_DIGITS = re.compile(r"\d{11}")  # in every mobile and identity number


def mask_text(text):
    """Mask every mobile and identity number inside free text (audit data, outbox bodies, exports)."""
    if not isinstance(text, str) or not _ELEVEN_DIGITS.search(text):
        return text
    text = IDENTITY.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(3)}", text)
    return MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def mask_data(data):
    """`mask_text` applied to every string inside nested dicts and lists (before audit data is stored).

    A dict or list is first written out as JSON and searched once: its strings stand apart there between quotes, so
    when no mobile or identity number shows anywhere, nothing inside needs masking and `data` comes back as it is
    (an import's audit event lists a thousand records: walking them costs ~4 ms, the search ~0.3 ms). JSON writes a
    control character as \\u00XX, whose last hex digit could join the digits after it: such data is walked."""
    if data.__class__ in (dict, list):
        written = json.dumps(data, ensure_ascii=False, default=str)
        if "\\u" not in written and not (IDENTITY.search(written) or MOBILE.search(written)):
            return data
    return _masked(data)


def _masked(data):
    if isinstance(data, dict):
        return {key: _masked(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [value if value.__class__ in (int, float, bool) or value is None else _masked(value) for value in data]
    return mask_text(data)


def key_digest(key):
    """The SHA-256 (hex) kept in place of a secret shown once: API tokens, password links, device tokens,
    big-screen links; a key is found again by its digest."""
    return hashlib.sha256(key.encode()).hexdigest()
