"""The deprecated ``constraints_func`` argument, the same on every sampler that takes it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import albacore
from albacore.samplers import BaseSampler, GPSampler, NSGAIIISampler, NSGAIISampler, TPESampler

SAMPLERS: dict[str, Callable[..., BaseSampler]] = {
    "TPESampler": lambda **kw: TPESampler(seed=0, n_startup_trials=2, **kw),
    "GPSampler": lambda **kw: GPSampler(seed=0, n_startup_trials=2, **kw),
    "NSGAIISampler": lambda **kw: NSGAIISampler(seed=0, population_size=2, **kw),
    "NSGAIIISampler": lambda **kw: NSGAIIISampler(seed=0, population_size=2, **kw),
}


@pytest.mark.parametrize("name", SAMPLERS)
def test_constraints_func_is_deprecated_and_recorded(name: str) -> None:
    with pytest.warns(FutureWarning, match=f"{name}'s `constraints_func` argument is deprecated since v5.0.0"):
        sampler = SAMPLERS[name](constraints_func=lambda t: [t.values[0] - 0.5])
    study = albacore.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4)
    # The function sees the finished trial, its value included.
    assert [t.constraints for t in study.trials] == [{"0": pytest.approx(t.value - 0.5)} for t in study.trials]


@pytest.mark.parametrize("name", SAMPLERS)
def test_nan_constraint_is_refused_before_it_is_recorded(name: str) -> None:
    with pytest.warns(FutureWarning):
        sampler = SAMPLERS[name](constraints_func=lambda t: [float("nan")])
    study = albacore.create_study(sampler=sampler)
    with pytest.raises(ValueError, match="returned NaN for trial #0"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    # The error stops optimize, but the trial is stored as the objective ended it, without constraints.
    [trial] = study.trials
    assert trial.state == albacore.trial.TrialState.COMPLETE
    assert trial.values == [trial.params["x"]]
    assert trial.constraints == {}


@pytest.mark.parametrize("name", SAMPLERS)
def test_constraints_func_must_be_callable(name: str) -> None:
    with pytest.raises(ValueError, match="must be callable"):
        SAMPLERS[name](constraints_func=[0.0])
