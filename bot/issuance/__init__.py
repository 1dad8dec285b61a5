"""Customer numbers against the store: issuing new ones (unique forever) and changing their status.

`bot.numbering` is pure (schemes, check characters, random serials); this package adds what
only the database can promise: that a number was never handed out before, and an audit
record for every status change.
"""

from .issue import issue_numbers
from .lifecycle import STATUSES, StatusChange, StatusError, change_status

__all__ = ["issue_numbers", "STATUSES", "StatusChange", "StatusError", "change_status"]
