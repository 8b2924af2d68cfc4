"""Every certificate of a jury session or a cohort, as one ZIP archive."""

from cfa.models import Award
from cfa.renderers.archive import zip_of
from cfa.renderers.pdf.base import Identity
from cfa.renderers.pdf.certificate import certificate_filename, render_certificate


def render_certificates_zip(awards: list[Award], identity: Identity, verify_url) -> bytes:
    """`verify_url(award)` gives the public verification address printed on each certificate."""
    return zip_of(
        [(certificate_filename(award), render_certificate(award, identity, verify_url(award))) for award in awards]
    )
