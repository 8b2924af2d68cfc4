"""The quality dashboard's main rates over the last years, for its chart and the audit file (the figures are those
of quality_indicators.py, year by year)."""

from cfa.services.assessment_rates import Rate
from cfa.services.quality_indicators import (
    Scope,
    attendance,
    cohort_ids,
    interruption_and_rupture,
    kept_attendance,
    success,
)
from cfa.services.satisfaction import satisfaction_rates

SERIES = ("success", "interruption", "rupture", "attendance")
SERIES_YEARS = 4


def series_years(scope: Scope, years: int = SERIES_YEARS) -> range:
    return range(scope.year - years + 1, scope.year + 1)


def yearly_series(
    scope: Scope, years: int = SERIES_YEARS, kept: bool = False
) -> dict[str, list[tuple[int, int | None]]]:
    """The main rates over the last `years` years up to the scope's, as percents (None: no data that year);
    `kept` as in dashboard()."""
    series: dict[str, list[tuple[int, int | None]]] = {code: [] for code in (*SERIES, "satisfaction")}
    for year in series_years(scope, years):
        each = Scope(year, *scope.filters)
        interruption, rupture = interruption_and_rupture(each)
        for code, fig in (
            ("success", success(each)[0]),
            ("interruption", interruption),
            ("rupture", rupture),
            ("attendance", kept_attendance(each)[0] if kept else attendance(each)),
        ):
            series[code].append((year, fig.percent))
        satisfied = satisfaction_rates("audience", year, cohort_ids(each))
        summed = Rate(sum(r.numerator for r in satisfied.values()), sum(r.denominator for r in satisfied.values()))
        series["satisfaction"].append((year, round(100 * summed.value) if summed.value is not None else None))
    return series
