"""Random codes handed to citizens (a rectification's follow-up code, a
complaint's tracking code)."""

from __future__ import annotations

import secrets


def new_token(nbytes: int = 12) -> str:
    return secrets.token_urlsafe(nbytes)
