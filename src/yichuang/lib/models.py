from yichuang.lib.audit import AuditEntry

__all__ = ["AuditEntry"]
