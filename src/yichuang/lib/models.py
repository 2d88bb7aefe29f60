from yichuang.lib.audit import AuditEntry
from yichuang.lib.config import Setting

__all__ = ["AuditEntry", "Setting"]
