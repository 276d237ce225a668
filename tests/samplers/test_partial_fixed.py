from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

import albacore
from albacore.distributions import BaseDistribution, FloatDistribution, IntDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.samplers import BaseSampler, PartialFixedSampler, RandomSampler
from albacore.trial import FrozenTrial, TrialState


class JointSampler(BaseSampler):
    """Chooses x and y jointly (always their upper bounds) and records the hooks it receives."""

    def __init__(self) -> None:
        self.relative_spaces: list[set[str]] = []
        self.calls: list[str] = []

    def infer_relative_search_space(self, study: Any, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return {"x": FloatDistribution(0, 1), "y": IntDistribution(0, 9)}

    def sample_relative(
        self, study: Any, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        self.relative_spaces.append(set(search_space))
        return {name: dist.high for name, dist in search_space.items()}  # type: ignore[attr-defined]

    def sample_independent(self, study: Any, trial: FrozenTrial, name: str, dist: BaseDistribution) -> Any:
        return dist.low  # type: ignore[attr-defined]

    def before_trial(self, study: Any, trial: FrozenTrial) -> None:
        self.calls.append("before")

    def after_trial(self, study: Any, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None) -> None:
        self.calls.append("after")

    def reseed_rng(self) -> None:
        self.calls.append("reseed")


def objective(trial: albacore.Trial) -> float:
    return trial.suggest_float("x", 0, 1) + trial.suggest_int("y", 0, 9) + trial.suggest_float("z", -1, 1)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_fixed_values_with_a_random_base(n_jobs: int) -> None:
    study = albacore.create_study(sampler=PartialFixedSampler({"y": 4}, RandomSampler(seed=0)))
    study.optimize(objective, n_trials=12, n_jobs=n_jobs)
    assert {t.params["y"] for t in study.trials} == {4}
    assert len({t.params["x"] for t in study.trials}) == 12


def test_fixed_params_leave_the_joint_space_and_hooks_reach_the_base() -> None:
    base = JointSampler()
    sampler = PartialFixedSampler({"y": 2}, base)
    study = albacore.create_study(sampler=sampler)
    study.optimize(objective, n_trials=2)
    assert base.relative_spaces == [{"x"}, {"x"}]
    assert [t.params for t in study.trials] == [{"x": 1.0, "y": 2, "z": -1.0}] * 2
    sampler.reseed_rng()
    assert base.calls == ["before", "after", "before", "after", "reseed"]


def test_out_of_range_value_warns_and_is_used() -> None:
    study = albacore.create_study(sampler=PartialFixedSampler({"y": 20}, RandomSampler(seed=0)))
    with pytest.warns(UserWarning, match="outside"):
        study.optimize(objective, n_trials=1)
    assert study.trials[0].params["y"] == 20


def test_value_a_distribution_cannot_hold_is_an_error() -> None:
    study = albacore.create_study(sampler=PartialFixedSampler({"c": "d"}, RandomSampler(seed=0)))
    with pytest.raises(InvalidArgumentError, match="fixes 'c' to 'd'"):
        study.optimize(lambda t: float(len(t.suggest_categorical("c", ["a", "b"]))), n_trials=1)


@pytest.mark.parametrize(("fixed", "base"), [([("y", 1)], RandomSampler()), ({"y": 1}, "random")])
def test_invalid_arguments(fixed: object, base: object) -> None:
    with pytest.raises(InvalidArgumentError):
        PartialFixedSampler(fixed, base)  # type: ignore[arg-type]
