"""What a programme publishes on the CFA's website (Code du travail L.6111-8, Qualiopi indicator 2): the rates of
the last completed year, each with the number of people it is computed on, "effectif insuffisant" below the CFA's
threshold, the declared national rates as published, and the satisfaction rates. Figures only: no name, no row."""

from dataclasses import dataclass
from datetime import date

from cfa.formatting import today_paris
from cfa.models import Audience, DeclaredRateKind, Programme
from cfa.services import quality_indicators as qi
from cfa.services.organisation import current_organisation
from cfa.services.satisfaction import satisfaction_rates


@dataclass(frozen=True)
class PublicRate:
    label: str
    percent: int | None
    population: int | None
    note: str  # definition, or the declared figure's source and date
    insufficient: bool = False


@dataclass(frozen=True)
class PublicResults:
    programme: Programme
    year: int
    organisation: str
    threshold: int
    rates: list[PublicRate]
    satisfaction: list[PublicRate]
    updated_on: date


def _computed(fig: qi.Figure, threshold: int) -> PublicRate:
    population = fig.rate.denominator
    insufficient = population < threshold
    return PublicRate(
        fig.label,
        None if insufficient else fig.percent,
        population,
        f"{fig.numerator_label} / {fig.denominator_label}",
        insufficient,
    )


def _declared(kind: DeclaredRateKind, rate, threshold: int) -> PublicRate:
    if rate is None:
        return PublicRate(kind.label, None, None, "non publié à ce jour")
    insufficient = rate.value_percent is None or (rate.population is not None and rate.population < threshold)
    note = f"taux calculé par l'État ({rate.source}, publié le {rate.published_on:%d/%m/%Y})"
    return PublicRate(kind.label, None if insufficient else rate.value_percent, rate.population, note, insufficient)


def public_results(programme: Programme, today: date | None = None) -> PublicResults:
    year = (today or today_paris()).year - 1  # the last completed year
    organisation = current_organisation()
    threshold = organisation.public_rate_threshold if organisation else 10
    scope = qi.Scope(year, programme_id=programme.id)
    rates: list[PublicRate] = []
    if not programme.is_short_course:
        success, _ = qi.success(scope)
        interruption, rupture = qi.interruption_and_rupture(scope)
        rates = [_computed(f, threshold) for f in (success, interruption, rupture)]
        declared = qi.declared_rates(year, programme.id)
        rates += [_declared(kind, declared.get(kind), threshold) for kind in DeclaredRateKind]
    cohorts = qi.cohort_ids(scope)
    satisfaction = [
        _satisfaction(audience, rate, threshold)
        for audience, rate in sorted(satisfaction_rates("audience", year, cohorts).items(), key=lambda i: i[0].label)
    ]
    return PublicResults(
        programme, year, organisation.name if organisation else "", threshold, rates, satisfaction, today_paris()
    )


def _satisfaction(audience: Audience, rate, threshold: int) -> PublicRate:
    insufficient = rate.denominator < threshold
    percent = None if insufficient or rate.value is None else round(100 * rate.value)
    return PublicRate(
        f"Satisfaction : {audience.label}",
        percent,
        rate.denominator,
        "réponses « satisfait » ou « très satisfait »",
        insufficient,
    )
