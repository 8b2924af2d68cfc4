"""Bar charts of a question's answers, drawn with reportlab's graphics: SVG bytes for the page (served by the app,
no script library), and the same Drawing can go into a PDF."""

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

BAR = colors.HexColor("#2f6f8f")
ROW = 22  # points per bar
LABEL_WIDTH = 190
WIDTH = 560


def answers_chart(labels: list[str], counts: list[int], total: int) -> Drawing:
    """One bar per possible answer, its length the share of those who answered, its count and share written."""
    rows = max(len(labels), 1)
    height = rows * ROW + 30
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = LABEL_WIDTH, 20
    chart.width, chart.height = WIDTH - LABEL_WIDTH - 90, rows * ROW
    shares = [round(100 * c / total, 1) if total else 0 for c in counts] or [0]
    # reportlab draws the first category at the bottom: reversed, the chart reads in the questionnaire's order.
    chart.data = [list(reversed(shares))]
    chart.categoryAxis.categoryNames = [_short(label) for label in reversed(labels)] or [""]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 9
    chart.categoryAxis.labels.dx = -6
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = "%d %%"
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.barSpacing = 2
    drawing.add(chart)
    step = chart.height / rows
    for index, (count, share) in enumerate(zip(reversed(counts), chart.data[0], strict=False)):
        y = chart.y + step * index + step / 2 - 3
        x = chart.x + chart.width * share / 100 + 4
        drawing.add(String(x, y, f"{count} ({share:.0f} %)", fontName="Helvetica", fontSize=8))
    return drawing


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def svg(drawing: Drawing) -> bytes:
    return renderSVG.drawToString(drawing).encode("utf-8")
