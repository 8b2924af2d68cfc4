"""The old name of the planning services, kept only for the modules other helpers of issue 10 may not touch yet
(services/attendance*.py, views/attendance/documents.py, cfa/demo/planning.py).

Delete it once they import from `calendar_queries` and `replanning` directly: new code must not use it.
"""

from cfa.services.calendar_queries import load_cohort, session_details
from cfa.services.replanning import apply, preview

__all__ = ["apply", "load_cohort", "preview", "session_details"]
