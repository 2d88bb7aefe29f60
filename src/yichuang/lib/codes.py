"""Codes a citizen reads off paper and types on a phone (a case's 查询码, a
complaint's 查询码): sixteen characters from an alphabet without look-alikes
(no 0/O, 1/I/L, no punctuation), about 79 bits, printed in groups of four.
Typing is forgiving: spaces and hyphens are ignored and lower case is read
as upper case. Codes issued before this rule (URL-safe base64, mixed case)
still open their pages, so a look-up tries the text as typed first."""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 16


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    """ "ABCD EFGH JKMN PQRS" for print; other codes as they are."""
    if len(code) == LENGTH and all(c in ALPHABET for c in code):
        return " ".join(code[i : i + 4] for i in range(0, LENGTH, 4))
    return code


def candidates(text: str) -> list[str]:
    """The stored codes a typed text may mean: as typed without spaces, then
    without hyphens in upper case. Empty when nothing is left."""
    typed = "".join(text.split())
    if not typed:
        return []
    out = [typed]
    folded = typed.replace("-", "").upper()
    if folded != typed and folded:
        out.append(folded)
    return out
