"""Fuzz the suggest_* arguments and objective return values: only albacore's typed errors may escape."""

from __future__ import annotations

import math
import warnings
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import albacore
from albacore.exceptions import AlbacoreError, NumericCategoricalWarning
from albacore.trial import TrialState

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**6), max_value=10**6),
)
anything = st.one_of(numbers, st.none(), st.text(max_size=3), st.booleans(), st.lists(numbers, max_size=2))


def _study() -> albacore.Study:
    albacore.logging.set_verbosity(albacore.logging.ERROR)
    return albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))


@settings(max_examples=150, deadline=None)
@given(low=numbers, high=numbers, step=st.one_of(st.none(), numbers), log=st.booleans())
def test_suggest_float_accepts_or_raises_a_typed_error(low: Any, high: Any, step: Any, log: bool) -> None:
    study = _study()
    trial = study.ask()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # step adjustments warn by design
            value = trial.suggest_float("x", low, high, step=step, log=log)
    except AlbacoreError:
        assert "x" not in trial.params
        study.tell(trial, 0.0)
        assert study.trials[0].params == {}
        return
    assert min(low, high) - 1e-9 * (abs(low) + 1) <= value <= high + 1e-9 * (abs(high) + 1)
    assert study.tell(trial, 0.0).params == {"x": value}


@settings(max_examples=150, deadline=None)
@given(low=numbers, high=numbers, step=numbers, log=st.booleans())
def test_suggest_int_accepts_or_raises_a_typed_error(low: Any, high: Any, step: Any, log: bool) -> None:
    trial = _study().ask()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            value = trial.suggest_int("n", low, high, step=step, log=log)
    except AlbacoreError:
        return
    assert isinstance(value, int) and low <= value <= high


@settings(max_examples=100, deadline=None)
@given(choices=st.lists(anything, max_size=4))
def test_suggest_categorical_accepts_or_raises_a_typed_error(choices: list[Any]) -> None:
    trial = _study().ask()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NumericCategoricalWarning)  # three numbers are a fine categorical here
            value = trial.suggest_categorical("c", choices)
    except AlbacoreError:
        return
    assert any(value is c or value == c or (value != value and c != c) for c in choices)


@settings(max_examples=100, deadline=None)
@given(returned=st.one_of(anything, st.tuples(numbers, numbers)))
def test_any_objective_return_value_gives_complete_or_fail(returned: Any) -> None:
    study = _study()
    study.optimize(lambda t: returned, n_trials=1)
    (trial,) = study.trials
    if trial.state == TrialState.COMPLETE:
        assert trial.value is not None and not math.isnan(trial.value)  # infinities complete, as in Optuna
    else:
        assert trial.state == TrialState.FAIL and trial.values is None
