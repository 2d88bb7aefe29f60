"""Worker tasks of the lib app: seal new audit entries into the hash chain
(``yichuang.lib.audit``) every few seconds, so an entry is open to an
undetected change only until then."""

from __future__ import annotations

from .audit import audit_seal

TASKS = [("audit_seal", 10, audit_seal)]
