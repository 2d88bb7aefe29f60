from .absences import staff_absence_add, staff_absence_cancel
from .devices import device_issue, device_revoke

__all__ = ["device_issue", "device_revoke", "staff_absence_add", "staff_absence_cancel"]
