"""The Qualiopi referential is data: 32 indicators in 7 criteria, loaded idempotently with their scope."""

from cfa import models as m
from cfa.services import quality_referential


def test_the_referential_loads_32_indicators_once():
    assert quality_referential.load_referential() == (32, 0)
    assert quality_referential.load_referential() == (0, 0)
    indicators = quality_referential.indicators()
    assert [i.number for i in indicators] == list(range(1, 33))
    assert {i.criterion for i in indicators} == set(range(1, 8))


def test_each_indicator_keeps_its_scope_and_what_cadence_holds_for_it():
    quality_referential.load_referential()
    by_number = {i.number: i for i in quality_referential.indicators()}
    assert {n for n, i in by_number.items() if i.scope == m.IndicatorScope.CFA} == {14, 15, 20, 29}
    assert {n for n, i in by_number.items() if i.scope == m.IndicatorScope.WORK_LINKED} == {13, 28}
    assert {n for n, i in by_number.items() if i.scope == m.IndicatorScope.CERTIFYING} == {3, 7, 16}
    assert "réclamations" in by_number[31].evidence
    criteria = quality_referential.by_criterion()
    assert [len(items) for _, _, items in criteria] == [3, 5, 8, 4, 2, 7, 3]
