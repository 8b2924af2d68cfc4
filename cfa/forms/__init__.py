"""WTForms classes, one module per area."""

import email_validator

# The demo accounts use the reserved .test domain (RFC 2606): accept it like any other domain.
if "test" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
    email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("test")
