"""Document scans on disk, encrypted with the data key (AES-256-GCM via
``yichuang.lib.crypto``) under ``MEDIA_ROOT/vault/``."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from django.conf import settings

from yichuang.lib.crypto import decrypt, encrypt

SUBDIR = "vault"


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / SUBDIR


def write_encrypted(content: bytes) -> str:
    """Store ``content`` encrypted; returns the path relative to MEDIA_ROOT."""
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.enc"
    token = encrypt(base64.b64encode(content).decode("ascii"))
    (root / name).write_text(token, encoding="ascii")
    return f"{SUBDIR}/{name}"


def read_decrypted(relative: str) -> bytes:
    path = Path(settings.MEDIA_ROOT) / relative
    if path.parent.resolve() != _root().resolve():
        raise ValueError("not a vault file")
    return base64.b64decode(decrypt(path.read_text(encoding="ascii")))
