"""A QR code as inline SVG, for screens (the trainer's self sign-in code)."""

import segno


def qr_svg(data: str, scale: int = 8) -> str:
    return segno.make(data, error="m", micro=False).svg_inline(scale=scale, border=2, title="QR code d'émargement")
