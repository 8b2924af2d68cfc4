"""The old name of `calendar_generation`, kept only for views/attendance/documents.py, which another helper of
issue 10 owns: delete it once that view imports `monday_of` from `calendar_generation`. New code must not use it."""

from cfa.services.calendar_generation import monday_of

__all__ = ["monday_of"]
