"""The rules of ``suggest_*`` that Optuna users rely on: warnings, scale changes, and errors at the suggest call."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable
from typing import Any

import pytest

import albacore
from albacore.distributions import FloatDistribution, IntDistribution
from albacore.exceptions import IncompatibleDistributionError, InvalidArgumentError
from albacore.storages import BaseStorage
from albacore.trial import TrialState


def _study(**kwargs: Any) -> albacore.Study:
    return albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0), **kwargs)


class _Refusing(albacore.samplers.RandomSampler):
    def sample_independent(self, study: Any, trial: Any, param_name: str, param_distribution: Any) -> Any:
        raise AssertionError(f"the sampler was asked for {param_name}")


def test_one_value_ranges_skip_the_sampler() -> None:
    trial = albacore.create_study(sampler=_Refusing()).ask()
    assert trial.suggest_float("a", 0.5, 0.5, log=True) == 0.5
    assert trial.suggest_float("b", 0.5, 0.5, step=1.0) == 0.5
    with pytest.warns(UserWarning, match="adjusted to 0.2"):
        assert trial.suggest_float("c", 0.2, 0.29, step=0.1) == 0.2  # the grid holds 0.2 only
    with pytest.warns(UserWarning, match="adjusted to 1"):
        assert trial.suggest_int("d", 1, 2, step=2) == 1
    assert trial.suggest_int("e", 1, 1, log=True) == 1


@pytest.mark.parametrize(
    ("suggest", "adjusted"),
    [
        (lambda t: t.suggest_int("n", 0, 10, step=3), 9),
        (lambda t: t.suggest_float("x", 0.0, 3.45, step=0.1), 3.4),
    ],
)
def test_a_step_that_does_not_divide_the_range_warns_on_every_call(
    suggest: Callable[[albacore.Trial], float], adjusted: float
) -> None:
    study = _study()
    for _ in range(3):  # the arguments are validated once per process, yet each call warns
        trial = study.ask()
        with pytest.warns(UserWarning, match=f"adjusted to {adjusted}"):
            assert suggest(trial) <= adjusted
        study.tell(trial, 0.0)


@pytest.mark.parametrize(
    "suggest",
    [
        lambda t, high: t.suggest_int("p", 10, high),
        lambda t, high: t.suggest_int("p", 10, high, log=True),
        lambda t, high: t.suggest_float("p", 10, high),
        lambda t, high: t.suggest_float("p", 10, high, step=2.0),
    ],
)
def test_the_same_name_with_another_range_warns_and_keeps_the_first_value(suggest: Any) -> None:
    trial = _study().ask()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first = suggest(trial, 20)
        assert suggest(trial, 20) == first  # the same range: no warning
    with pytest.warns(UserWarning, match="the first value .* is kept") as caught:
        assert suggest(trial, 30) == first
    assert len(caught) == 1
    assert trial.distributions["p"].high == 20  # type: ignore[attr-defined]


def test_scale_changes_are_refused(open_storage: Callable[[], BaseStorage]) -> None:
    name = f"scale-{uuid.uuid4().hex[:8]}"
    study = albacore.create_study(study_name=name, storage=open_storage(), sampler=albacore.samplers.RandomSampler())
    study.optimize(lambda t: t.suggest_float("x", 1, 10) + t.suggest_int("n", 1, 10, log=True), n_trials=1)
    trial = albacore.load_study(study_name=name, storage=open_storage()).ask()
    with pytest.raises(IncompatibleDistributionError, match="scale"):
        trial.suggest_float("x", 1, 10, log=True)
    with pytest.raises(IncompatibleDistributionError, match="scale"):
        trial.suggest_int("n", 1, 10)
    assert trial.suggest_float("x", 2, 3, step=0.5) in (2.0, 2.5, 3.0)  # range and step may change
    assert trial.params.keys() == {"x"}


def test_a_running_trial_of_this_process_fixes_a_parameter_before_it_is_stored(
    open_storage: Callable[[], BaseStorage],
) -> None:
    study = albacore.create_study(storage=open_storage(), sampler=albacore.samplers.RandomSampler(seed=0))
    first = study.ask()
    x = first.suggest_float("x", 10, 20)  # buffered: not in the storage yet
    second = study.ask()
    with pytest.raises(IncompatibleDistributionError, match="kind of distribution"):
        second.suggest_int("x", 10, 20)
    assert 0 <= second.suggest_float("x", 0, 5) <= 5  # a compatible range is fine
    study.tell(first, 1.0)
    study.tell(second, 2.0)
    assert study.trials[0].params["x"] == x
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 2


class _StraySampler(albacore.samplers.RandomSampler):
    """A faulty sampler: its joint sample holds a parameter that its relative search space does not."""

    def infer_relative_search_space(self, study: Any, trial: Any) -> dict[str, FloatDistribution]:
        return {"x": FloatDistribution(0, 10)}

    def sample_relative(self, study: Any, trial: Any, search_space: Any) -> dict[str, float]:
        return {"x": 5.5, "z": 1.0}


def test_relative_parameters_outside_the_relative_search_space_are_an_error() -> None:
    study = albacore.create_study(sampler=_StraySampler(seed=0))
    trial = study.ask()
    assert trial.suggest_float("x", 0, 10) == 5.5
    assert trial.suggest_float("w", 0, 10) != 5.5  # not proposed: sampled independently
    with pytest.raises(InvalidArgumentError, match="'z'"):
        trial.suggest_float("z", 0, 10)
    with pytest.raises(IncompatibleDistributionError):
        study.ask().suggest_int("x", 0, 10)


@pytest.mark.parametrize(("value", "step"), [(None, 0), ("foo", 0), ([1, 2], 0), (1.0, None), (1.0, "foo")])
def test_report_arguments_of_the_wrong_type_are_type_errors(value: Any, step: Any) -> None:
    trial = _study().ask()
    with pytest.raises(TypeError):
        trial.report(value, step)


def test_report_casts_what_it_can() -> None:
    import numpy as np

    study = _study()
    trial = study.ask()
    for step, value in enumerate([1.5, "2.5", np.float32(3.5), 4]):
        trial.report(value, step)  # type: ignore[arg-type]
    trial.report(5.0, 4.0)  # type: ignore[arg-type]
    trial.report(6.0, np.int64(5))  # type: ignore[arg-type]
    assert study.tell(trial, 0.0).intermediate_values == {0: 1.5, 1: 2.5, 2: 3.5, 3: 4.0, 4: 5.0, 5: 6.0}


def test_trial_storage_is_the_study_storage() -> None:
    study = _study()
    trial = study.ask()
    assert trial.storage is study._storage
    trial.storage.set_trial_system_attr(trial._trial_id, "note", "x")
    assert study.tell(trial, 0.0).system_attrs["note"] == "x"


def test_int_distribution_survives_a_log_flag_round_trip_in_create_trial() -> None:
    made = albacore.create_trial(params={"n": 4}, distributions={"n": IntDistribution(1, 8, log=True)}, value=1.0)
    study = _study()
    study.add_trial(made)
    with pytest.raises(IncompatibleDistributionError):
        study.ask().suggest_int("n", 1, 8)
