"""best_of: the best trial of one objective, infinities included."""

from __future__ import annotations

import math

import pytest

from albacore._pareto import best_of
from albacore._study_records import StudyDirection
from albacore.trial import create_trial


@pytest.mark.parametrize(
    ("values", "direction", "best"),
    [
        ([math.inf], StudyDirection.MINIMIZE, 0),
        ([-math.inf], StudyDirection.MAXIMIZE, 0),
        ([math.inf, 1.0, math.inf], StudyDirection.MINIMIZE, 1),
        ([math.inf, math.inf], StudyDirection.MINIMIZE, 0),
        ([2.0, -math.inf, -math.inf], StudyDirection.MINIMIZE, 1),
        ([1.0, 3.0, 3.0], StudyDirection.MAXIMIZE, 1),
    ],
)
def test_best_of_takes_the_earliest_best_even_when_every_value_is_infinite(
    values: list[float], direction: StudyDirection, best: int
) -> None:
    trials = [create_trial(value=v) for v in values]
    assert best_of(trials, direction) is trials[best]
    assert best_of([], direction) is None
