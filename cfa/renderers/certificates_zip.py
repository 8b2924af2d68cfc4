"""Every certificate of a jury session or a cohort, as one ZIP archive."""

import io
import zipfile

from cfa.models import Award
from cfa.renderers.pdf.base import Identity
from cfa.renderers.pdf.certificate import certificate_filename, render_certificate


def render_certificates_zip(awards: list[Award], identity: Identity, verify_url) -> bytes:
    """`verify_url(award)` gives the public verification address printed on each certificate."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for award in awards:
            archive.writestr(certificate_filename(award), render_certificate(award, identity, verify_url(award)))
    return buffer.getvalue()
