"""What the assessment services share: the error they raise.

The rules themselves live in `evaluations` (ECF during training), `block_progress` (per-block progress),
`juries` (sessions de validation, convocations), `jury_results` (verdicts, publication, corrections),
`assessment_awards` (micro-certifications, revocation, award look-ups), `assessment_credentials` and
`credential_status` (signed Open Badges and their revocation list) and `assessment_rates` (success rates).
"""


class AssessmentError(ValueError):
    """A change the assessment rules refuse; the message is shown to the user as is.

    `field` names the form field the message belongs beside, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
