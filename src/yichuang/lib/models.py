from yichuang.lib.audit import AuditEntry, AuditSeal
from yichuang.lib.config import Setting

__all__ = ["AuditEntry", "AuditSeal", "Setting"]
