"""The calls a sampler receives from a study, in the order a user-written sampler can rely on."""

from __future__ import annotations

from typing import Any

import pytest

import albacore
from albacore.distributions import BaseDistribution
from albacore.samplers import BaseSampler, RandomSampler
from albacore.trial import FrozenTrial, TrialState


class _Recording(BaseSampler):
    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []
        self._random = RandomSampler(seed=0)

    def infer_relative_search_space(self, study: albacore.Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        self.calls.append(("infer", trial.number))
        return {}

    def sample_relative(
        self, study: albacore.Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        self.calls.append(("relative", trial.number))
        return {}

    def sample_independent(
        self, study: albacore.Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        self.calls.append(("independent", trial.number))
        return self._random.sample_independent(study, trial, param_name, param_distribution)


def test_sample_relative_is_called_once_per_trial_even_for_an_empty_space() -> None:
    sampler = _Recording()
    study = albacore.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    study.optimize(lambda t: 1.0, n_trials=1)  # suggests nothing
    assert sampler.calls == [
        *[call for n in range(3) for call in (("infer", n), ("relative", n), ("independent", n))],
        ("infer", 3),
        ("relative", 3),
    ]


class _FailingAfterTrial(_Recording):
    def after_trial(self, study: albacore.Study, trial: FrozenTrial, state: Any, values: Any) -> None:
        raise RuntimeError("after_trial failed")


def test_a_failing_after_trial_still_stores_the_trial_then_raises() -> None:
    study = albacore.create_study(sampler=_FailingAfterTrial())
    with pytest.raises(RuntimeError, match="after_trial failed"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    [trial] = study.trials
    assert trial.state == TrialState.COMPLETE and trial.values == [trial.params["x"]]
    trial = study.ask()
    with pytest.raises(RuntimeError, match="after_trial failed"):
        study.tell(trial, state=TrialState.PRUNED)
    assert study.trials[-1].state == TrialState.PRUNED
