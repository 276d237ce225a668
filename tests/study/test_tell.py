"""``Study.tell``: what it accepts, what fails the trial with a warning, and what it refuses (writing nothing)."""

from __future__ import annotations

import math
from typing import Any

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError, TrialAlreadyFinishedError, UpdateFinishedTrialError
from albacore.trial import TrialState


def _study(**kwargs: Any) -> albacore.Study:
    return albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0), **kwargs)


@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_infinite_values_complete_the_trial(value: float) -> None:
    study = _study()
    study.tell(study.ask(), value)
    study.optimize(lambda t: value, n_trials=1)
    assert [(t.state, t.value) for t in study.trials] == [(TrialState.COMPLETE, value)] * 2
    assert study.best_value == value


@pytest.mark.parametrize(
    ("directions", "values"),
    [
        (["minimize"], "a"),
        (["minimize"], None),
        (["minimize"], []),
        (["minimize"], [1.0, 2.0]),
        (["minimize"], math.nan),
        (["minimize", "maximize"], [1.0]),
        (["minimize", "maximize"], [1.0, None]),
        (["minimize", "maximize"], 1.0),
    ],
)
def test_values_that_are_not_values_fail_the_trial_with_a_user_warning(directions: list[str], values: Any) -> None:
    study = _study(directions=directions)
    with pytest.warns(UserWarning, match="Trial 0 is marked FAIL because"):
        frozen = study.tell(study.ask(), values)
    assert frozen.state == TrialState.FAIL and frozen.values is None
    assert study.trials[0].state == TrialState.FAIL


def test_optimize_logs_bad_values_instead_of_warning(caplog: pytest.LogCaptureFixture) -> None:
    study = _study()
    albacore.logging.enable_propagation()
    try:
        study.optimize(lambda t: None, n_trials=1)  # type: ignore[arg-type, return-value]  # warnings are errors here
    finally:
        albacore.logging.disable_propagation()
    assert study.trials[0].state == TrialState.FAIL
    assert "Trial 0 failed with parameters" in caplog.text


@pytest.mark.parametrize(
    "kwargs",
    [
        {"state": TrialState.COMPLETE},
        {"values": "a", "state": TrialState.COMPLETE},
        {"values": [], "state": TrialState.COMPLETE},
        {"values": [1.0, 2.0], "state": TrialState.COMPLETE},
        {"values": math.nan, "state": TrialState.COMPLETE},
        {"state": TrialState.RUNNING},
        {"state": TrialState.WAITING},
        {"values": 1.0, "state": TrialState.PRUNED},
        {"values": 1.0, "state": TrialState.FAIL},
    ],
)
def test_invalid_arguments_raise_and_leave_the_trial_running(kwargs: dict[str, Any]) -> None:
    study = _study()
    trial = study.ask()
    with pytest.raises(InvalidArgumentError):
        study.tell(trial, **kwargs)
    assert study.trials[0].state == TrialState.RUNNING
    study.tell(trial, 1.0)  # the trial can still be told properly
    assert study.trials[0].value == 1.0


def test_trials_that_cannot_be_told() -> None:
    study = _study()
    asked = study.ask()
    with pytest.raises(InvalidArgumentError, match="no trial #1"):
        study.tell(asked.number + 1, 1.0)
    study.enqueue_trial({})
    with pytest.raises(InvalidArgumentError, match="WAITING"):
        study.tell(1, 1.0)
    with pytest.raises(TypeError):
        study.tell("0", 1.0)  # type: ignore[arg-type]
    assert [t.state for t in study.trials] == [TrialState.RUNNING, TrialState.WAITING]


def test_telling_a_finished_trial_again_is_a_value_error_unless_skipped() -> None:
    study = _study()
    trial = study.ask()
    study.tell(trial, 1.0)
    assert study.tell(trial, 2.0, skip_if_finished=True).value == 1.0
    with pytest.raises(TrialAlreadyFinishedError) as caught:
        study.tell(trial, 2.0)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, UpdateFinishedTrialError)
    with pytest.raises(ValueError):
        study.tell(trial.number, 2.0)
    assert study.trials[0].value == 1.0


def test_a_trial_finished_elsewhere_is_a_value_error_here() -> None:
    storage = albacore.storages.InMemoryStorage()
    study = albacore.create_study(storage=storage, study_name="s", sampler=albacore.samplers.RandomSampler(seed=0))
    trial = study.ask()
    other = albacore.load_study(study_name="s", storage=storage)  # another worker, which tells by number
    other.tell(trial.number, 1.5)
    with pytest.raises(ValueError, match="already finished"):
        study.tell(trial, 2.0)
    assert study.tell(trial, 2.0, skip_if_finished=True).value == 1.5


def test_pruned_trials_keep_their_last_reported_value_unless_nan() -> None:
    study = _study()
    values = []
    for last in (None, 2.0, math.inf, math.nan):
        trial = study.ask()
        if last is not None:
            trial.report(0.5, 0)
            trial.report(last, 1)
        values.append(study.tell(trial, state=TrialState.PRUNED).value)
    assert values == [None, 2.0, math.inf, None]
    assert all(t.state == TrialState.PRUNED for t in study.trials)


def test_booleans_count_as_numbers() -> None:
    study = _study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1) > 0.5, n_trials=4)  # type: ignore[arg-type, return-value]
    assert {t.value for t in study.trials} <= {0.0, 1.0}
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_ask_refuses_fixed_distributions_that_are_not_distributions_and_writes_nothing() -> None:
    study = _study()
    with pytest.raises(TypeError, match=r"'x' maps to 1\.0"):
        study.ask({"x": 1.0})  # type: ignore[dict-item]
    assert study.trials == []
