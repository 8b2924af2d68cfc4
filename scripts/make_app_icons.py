"""Draw the home-screen icons of the installable app (cfa/static/icons) from the favicon's shapes.

Run again only if the logo changes: `.venv/bin/python scripts/make_app_icons.py`. The bars sit inside the central
80 % so that a phone cutting the icon into a circle (a "maskable" icon) keeps them whole.
"""

from pathlib import Path

from PIL import Image, ImageDraw

BLUE, WHITE = (31, 95, 139), (255, 255, 255)
# The favicon's three bars on its 32-unit grid: (x0, y0, x1, y1).
BARS = [(8, 10, 12, 22), (14, 14, 18, 22), (20, 17, 24, 22)]
OUT = Path(__file__).resolve().parent.parent / "cfa" / "static" / "icons"


def icon(size: int) -> Image.Image:
    image = Image.new("RGB", (size, size), BLUE)
    draw = ImageDraw.Draw(image)
    scale, offset = size * 0.7 / 16, size / 2  # the bars span units 8..24: centred, 70 % of the side
    for x0, y0, x1, y1 in BARS:
        draw.rectangle(
            [
                offset + (x0 - 16) * scale,
                offset + (y0 - 16) * scale,
                offset + (x1 - 16) * scale,
                offset + (y1 - 16) * scale,
            ],
            fill=WHITE,
        )
    return image


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for size in (192, 512):
        icon(size).save(OUT / f"cadence-{size}.png", optimize=True)
    icon(180).save(OUT / "apple-touch-icon.png", optimize=True)
