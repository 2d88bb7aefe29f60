from .devices import device_issue, device_revoke

__all__ = ["device_issue", "device_revoke"]
