"""Field encryption, keyed hashes and masking for personal identifiers
(docs/domain.md, "Identifiers" and "Security").

ID numbers, phone numbers and bank accounts are stored encrypted (AES-256-GCM),
found by exact match through a keyed hash (HMAC-SHA256), and shown masked.

Both keys are derived with HKDF-SHA256 from ``settings.DATA_KEY`` (any string),
each with its own fixed ``info`` label, so the encryption key and the hash keys
are independent. The derived keys are cached per ``DATA_KEY`` value.

Token format: ``"v1:" + urlsafe_base64(nonce[12] || ciphertext || tag[16])``; the
version label is authenticated as associated data.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
from functools import lru_cache
from hashlib import sha256
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext as _

from yichuang.lib.errors import DomainError
from yichuang.lib.sql import rewrite_column

TOKEN_VERSION = "v1"
_PREFIX = TOKEN_VERSION + ":"
_AAD = b"yichuang-field-" + TOKEN_VERSION.encode()
_NONCE_BYTES = 12
_TAG_BYTES = 16

_ENCRYPTION_INFO = b"yichuang/field-encryption/aes-256-gcm/v1"
_HASH_INFO = b"yichuang/keyed-hash/hmac-sha256/v1/"


def _hkdf(data_key: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        data_key.encode("utf-8")
    )


@lru_cache(maxsize=8)
def _aead(data_key: str) -> AESGCM:
    return AESGCM(_hkdf(data_key, _ENCRYPTION_INFO))


@lru_cache(maxsize=32)
def _hash_key(data_key: str, purpose: str) -> bytes:
    return _hkdf(data_key, _HASH_INFO + purpose.encode("utf-8"))


def _data_key() -> str:
    key = getattr(settings, "DATA_KEY", None)
    if not isinstance(key, str) or not key:
        raise ImproperlyConfigured("settings.DATA_KEY must be a non-empty string")
    return key


def _bad_ciphertext() -> DomainError:
    return DomainError(
        "lib.bad_ciphertext", _("加密数据已损坏或密钥不匹配，无法解密。"), status=500
    )


def encrypt(plaintext: str) -> str:
    """Encrypt ``plaintext``; equal plaintexts give different tokens (random nonce)."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aead(_data_key()).encrypt(nonce, plaintext.encode("utf-8"), _AAD)
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt a token made by :func:`encrypt`; raises ``lib.bad_ciphertext`` (500)."""
    if not token.startswith(_PREFIX):
        raise _bad_ciphertext()
    try:
        raw = base64.urlsafe_b64decode(token[len(_PREFIX) :].encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise _bad_ciphertext() from None
    if len(raw) < _NONCE_BYTES + _TAG_BYTES:
        raise _bad_ciphertext()
    try:
        plain = _aead(_data_key()).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _AAD)
        return plain.decode("utf-8")
    except (InvalidTag, UnicodeDecodeError):
        raise _bad_ciphertext() from None


def keyed_hash(value: str, purpose: str = "id") -> str:
    """HMAC-SHA256 (hex) of the stripped, upper-cased value, for exact-match lookup.

    Each ``purpose`` ("id", "phone", "bank" …) has its own derived key, so equal
    values hashed for different purposes do not match. Normalise domain-specific
    formatting (inner spaces, dashes) before hashing.
    """
    normalised = value.strip().upper()
    key = _hash_key(_data_key(), purpose)
    return hmac.new(key, normalised.encode("utf-8"), sha256).hexdigest()


# --- masking -------------------------------------------------------------------------


def _mask(value: str, keep_start: int, keep_end: int) -> str:
    """Keep the first/last characters; too short a value is masked entirely."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end :]


def _compact(value: str) -> str:
    return "".join(value.split())


def mask_id_number(value: str) -> str:
    """Keep the first 6 and last 4 characters: ``110105********002X``."""
    return _mask(_compact(value).upper(), 6, 4)


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 characters: ``138****1234``."""
    return _mask(_compact(value), 3, 4)


def mask_name(value: str) -> str:
    """Keep the first character (the surname): ``张**``; a one-character name stays."""
    name = value.strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_bank_account(value: str) -> str:
    """Keep the last 4 characters: ``***************1234``."""
    return _mask(_compact(value), 0, 4)


# An 18-character ID number standing on its own in free text.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def redact_id_numbers(text: str) -> str:
    """Free text as it may be stored: every ID number in it masked
    (``老人 身份证110105********002X 优先``). For reasons and notes typed at a
    screen, which are kept in clear."""
    return _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)


# --- model field ---------------------------------------------------------------------


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column holding :func:`encrypt` tokens, plaintext in Python.

    ``None`` and ``""`` are stored as is. Because every encryption uses a fresh
    nonce, filtering on this column cannot work (except ``isnull`` / ``""``):
    store a :func:`keyed_hash` next to it for exact-match lookup.
    """

    description = "Text encrypted at rest (AES-256-GCM)"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value  # type: ignore[no-any-return]
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


# --- data migrations -------------------------------------------------------------------


def _is_token(value: str) -> bool:
    if not value.startswith(_PREFIX):
        return False
    try:
        decrypt(value)
    except DomainError:
        return False
    return True


def encrypt_column(connection: Any, table: str, column: str) -> int:
    """Encrypt the plaintext values of a column in place (a data migration's
    forward step); values already encrypted are left alone. Returns the count."""
    return rewrite_column(connection, table, column, lambda v: None if _is_token(v) else encrypt(v))


def decrypt_column(connection: Any, table: str, column: str) -> int:
    """Decrypt a column's values in place (the reverse step); plaintext is left alone."""
    return rewrite_column(connection, table, column, lambda v: decrypt(v) if _is_token(v) else None)
