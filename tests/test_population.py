"""The population path (statuses only) agrees with full decisions."""

from __future__ import annotations

import datetime as dt

import pytest

from rules import Evaluator
from workforce.synthetic import generate_people


@pytest.mark.slow  # a workforce decided in full and in summary
@pytest.mark.parametrize("as_of", [dt.date(2010, 3, 31), dt.date(2010, 4, 1), dt.date(2024, 6, 1)])
def test_statuses_equal_the_summary_of_the_full_decision(
    evaluator: Evaluator, as_of: dt.date
) -> None:
    people = list(generate_people(300, seed=11, as_of=as_of))
    for person in people:
        assert evaluator.statuses(person, as_of) == evaluator.decide(person, as_of).summary()


def test_statuses_respect_the_pathway_filter(evaluator: Evaluator) -> None:
    person = next(generate_people(1, seed=3))
    summary = evaluator.statuses(person, dt.date(2024, 6, 1), ["pip"])
    assert {s.pathway for s in summary.stages} == {"pip"}
    with pytest.raises(KeyError):
        evaluator.statuses(person, dt.date(2024, 6, 1), ["nope"])
