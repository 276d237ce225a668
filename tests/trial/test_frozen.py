"""FrozenTrial and create_trial: consistency checks, replays, and how states print."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import albacore
from albacore.distributions import FloatDistribution, IntDistribution
from albacore.trial import TrialState


def test_a_failed_trial_has_no_values() -> None:
    with pytest.raises(ValueError, match="FAIL trial has no values"):
        albacore.create_trial(state=TrialState.FAIL, value=0.2)
    made = albacore.create_trial(state=TrialState.FAIL)
    changed = copy.copy(made)
    changed.value = 1.0
    with pytest.raises(ValueError):
        changed._validate()
    assert albacore.create_trial(state=TrialState.PRUNED, value=0.5).value == 0.5  # a pruned trial's last report


def test_value_of_a_multi_objective_trial_cannot_be_read_or_set() -> None:
    made = albacore.create_trial(values=[0.2, 0.3])
    with pytest.raises(RuntimeError):
        _ = made.value
    with pytest.raises(RuntimeError):
        made.value = 0.1
    made.values = [0.5, 0.6]
    assert made.values == [0.5, 0.6]


@pytest.mark.parametrize(
    ("suggest", "distribution"),
    [
        (lambda t: t.suggest_int("x", 10, 100), IntDistribution(1, 10)),
        (lambda t: t.suggest_int("x", 10, 100, log=True), IntDistribution(1, 10, log=True)),
        (lambda t: t.suggest_float("x", 10, 100), FloatDistribution(1, 10)),
        (lambda t: t.suggest_float("x", 10, 100, step=1), FloatDistribution(1, 10, step=1)),
    ],
)
def test_replaying_a_value_outside_the_asked_range_warns_and_returns_it(suggest: Any, distribution: Any) -> None:
    made = albacore.create_trial(params={"x": 1}, distributions={"x": distribution}, value=0.0)
    with pytest.warns(UserWarning, match="lies outside"):
        assert suggest(made) == 1


def test_states_print_their_names() -> None:
    assert str(TrialState.COMPLETE) == "TrialState.COMPLETE"
    assert f"{TrialState.PRUNED}" == "TrialState.PRUNED"
    assert TrialState.FAIL == 3 and int(TrialState.WAITING) == 4  # still the numbers Optuna stores


def test_the_private_constructor_builds_what_init_builds() -> None:
    import datetime

    from albacore.trial import FrozenTrial

    start = datetime.datetime(2026, 1, 2, 3, 4, 5)
    fields: list[Any] = [
        7,
        TrialState.COMPLETE,
        start,
        start,
        {"x": 1.5},
        {"x": FloatDistribution(0.0, 2.0)},
        {"u": 1},
        {"s": 2},
        {0: 0.5},
        11,
    ]
    built = FrozenTrial(*fields[:2], None, *fields[2:], values=[3.0])
    made = FrozenTrial._of(*fields[:2], [3.0], *fields[2:])
    assert made == built
    for slot in FrozenTrial.__slots__:
        assert getattr(made, slot) == getattr(built, slot), slot
