"""A QR code as inline SVG, for screens (the trainer's self sign-in code)."""

import segno

# The four-module quiet zone the QR standard asks for: with less, phone cameras miss codes shown on a dark page.
QUIET_ZONE = 4


def qr_svg(data: str) -> str:
    """A viewBox and no fixed size, so that CSS scales the whole code to the screen instead of cropping it."""
    svg = segno.make(data, error="m", micro=False).svg_inline(
        border=QUIET_ZONE, omitsize=True, light="#fff", dark="#000", title="QR code d'émargement"
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)
