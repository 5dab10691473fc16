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
"""

from __future__ import annotations

import base64
import hashlib
import hmac
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


def encrypt(text: str) -> str:
    """The stored form of `text` under the current key ('' stays '')."""
    if text in (None, ""):
        return ""
    cipher, key_id, keys = keyring()
    nonce = os.urandom(12)
    sealed = _aead(cipher, _key_for(cipher, keys[key_id])).encrypt(nonce, str(text).encode(), key_id.encode())
    return f"{PREFIX}:{key_id}:{cipher}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(value: str) -> str:
    """The clear text of a stored value; a value not in the encrypted form is returned as it is
    (rows written before encryption was switched on, until `rotate_field_keys` rewrites them)."""
    if not is_encrypted(value):
        return value or ""
    try:
        _, key_id, cipher, payload = value.split(":", 3)
        blob = base64.b64decode(payload)
        key = keyring()[2][key_id]
    except (ValueError, KeyError):
        raise DecryptionError("没有可解开该字段的密钥（密钥编号未配置或数据损坏）。") from None
    try:
        return _aead(cipher, _key_for(cipher, key)).decrypt(blob[:12], blob[12:], key_id.encode()).decode()
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


def normalise(text: str) -> str:
    """What equality means for search: no spaces or dashes, upper case (身份证 X)."""
    return re.sub(r"[\s\-]", "", str(text or "")).upper()


@lru_cache(maxsize=1)
def _index_key() -> bytes:
    """The blind-index key, derived from the current field key (rotating keys recomputes the indexes)."""
    _, key_id, keys = keyring()
    return _derive(keys[key_id].hex(), "blind-index", 32)


def blind_index(text: str) -> str:
    """A keyed hash of the normalised value, for exact search without storing the value ('' for empty)."""
    text = normalise(text)
    if not text:
        return ""
    return hmac.new(_index_key(), text.encode(), hashlib.sha256).hexdigest()


def reset_keys():
    """Forget the cached keys (after the settings change: tests, the rotation command)."""
    keyring.cache_clear()
    _index_key.cache_clear()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; Python code sees clear text. Lookups other than isnull and the
    empty string cannot work on ciphertext: search through a `blind_index` column instead."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ("" if value is not None else None)

    def to_python(self, value):
        return decrypt(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, "") or is_encrypted(value):
            return value
        return encrypt(value)


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


def mask_text(text):
    """Mask every mobile and identity number inside free text (audit data, outbox bodies, exports)."""
    if not isinstance(text, str):
        return text
    text = IDENTITY.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(3)}", text)
    return MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def mask_data(data):
    """`mask_text` applied to every string inside nested dicts and lists (before audit data is stored)."""
    if isinstance(data, dict):
        return {key: mask_data(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [mask_data(value) for value in data]
    return mask_text(data)
