"""What the assessment services share: the error they raise.

The rules themselves live in `evaluations` (ECF during training, per-block progress), `juries` (sessions de
validation: convocations, verdicts, publication, corrections), `assessment_awards` (micro-certifications,
revocation, award look-ups), `assessment_credentials` (signed Open Badges) and `assessment_rates` (success rates).
"""

import importlib


class AssessmentError(ValueError):
    """A change the assessment rules refuse; the message is shown to the user as is.

    `field` names the form field the message belongs beside, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# The demo builder (cfa/demo, owned by another workstream) still imports the jury functions from here.
# Resolved on first use, since those modules import this one for AssessmentError.
_MOVED = {"add_candidates": "juries", "publish_jury": "jury_results", "record_jury_results": "jury_results"}


def __getattr__(name: str):
    if name in _MOVED:
        module = importlib.import_module(f"cfa.services.{_MOVED[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
