"""The quality rates over the years as one reportlab drawing: rendered as SVG for the dashboard and the public page,
and laid into the audit PDF as is, so the page and the report show the same chart."""

import re

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

# The yearly series the dashboard and the audit report draw, under the same names.
CHART_LABELS = {
    "success": "Obtention du titre",
    "interruption": "Interruption",
    "rupture": "Rupture",
    "attendance": "Assiduité",
    "satisfaction": "Satisfaction",
}

PALETTE = [colors.HexColor(c) for c in ("#1f5f8b", "#e07b39", "#3b9c6e", "#8d5fb3", "#c0392b")]


def rates_chart(
    series: dict[str, list[tuple[int, int | None]]], labels: dict[str, str], width: int = 720, height: int = 260
) -> Drawing:
    """Grouped bars: one group per year, one bar per rate (percent); a year without data draws no bar."""
    codes = [code for code in labels if code in series]
    years = [year for year, _ in series[codes[0]]] if codes else []
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 50, width - 60, height - 80
    chart.data = [[value if value is not None else 0 for _, value in series[code]] for code in codes] or [[0]]
    chart.categoryAxis.categoryNames = [str(year) for year in years] or [""]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labelTextFormat = "%d %%"
    chart.barSpacing, chart.groupSpacing = 1, 8
    for index in range(len(codes)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y, legend.dx, legend.dy = 40, 18, 8, 8
    legend.fontName, legend.fontSize, legend.columnMaximum = "Helvetica", 10, 1
    legend.alignment, legend.deltax, legend.dxTextSpace = "right", (width - 60) / max(1, len(codes)), 6
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 10
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], labels[code]) for i, code in enumerate(codes)]
    drawing.add(legend)
    if not any(value is not None for code in codes for _, value in series[code]):
        drawing.add(String(width / 2, height / 2, "Pas de données", textAnchor="middle", fontName="Helvetica"))
    return drawing


STYLE = re.compile(r'style="([^"]*)"')


def _attributes(match: re.Match) -> str:
    pairs = (item.split(":", 1) for item in match.group(1).split(";") if ":" in item)
    return " ".join(f'{name.strip()}="{value.strip()}"' for name, value in pairs)


def svg(drawing: Drawing) -> str:
    """The drawing as an inline <svg> element (no XML prologue, no external reference). Its style attributes
    become presentation attributes: the pages' Content-Security-Policy refuses inline styles."""
    markup = renderSVG.drawToString(drawing)
    markup = markup[markup.index("<svg") :].replace("<title>...</title>", "").replace("<desc>...</desc>", "")
    return STYLE.sub(_attributes, markup)
