"""A QR code drawn as vector squares (sharp at any zoom, no image library needed)."""

import segno
from reportlab.lib import colors
from reportlab.platypus import Flowable


class QRCode(Flowable):
    def __init__(self, data: str, size: float, border: int = 2):
        super().__init__()
        self.qr = segno.make(data, error="m", micro=False)
        self.size = size
        self.border = border
        self.width = self.height = size

    def draw(self) -> None:
        matrix = list(self.qr.matrix_iter(scale=1, border=self.border))
        cell = self.size / len(matrix)
        canvas = self.canv
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        for row_index, row in enumerate(matrix):
            y = self.size - (row_index + 1) * cell
            for col_index, dark in enumerate(row):
                if dark:
                    canvas.rect(col_index * cell, y, cell, cell, stroke=0, fill=1)
