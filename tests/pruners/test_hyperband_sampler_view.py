"""Under Hyperband, a sampler learns only from the trials of the running trial's own bracket."""

from __future__ import annotations

from typing import Any

import pytest

import albacore
from albacore.pruners import HyperbandPruner


class RecordingSampler(albacore.samplers.RandomSampler):
    def __init__(self) -> None:
        super().__init__(seed=0)
        self.seen: dict[int, set[int]] = {}

    def infer_relative_search_space(self, study: Any, trial: Any) -> dict[str, Any]:
        self.seen[trial.number] = {t.number for t in study.get_trials(deepcopy=False)} - {trial.number}
        return {}


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_sampler_sees_only_its_bracket(n_jobs: int) -> None:
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    pruner = HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3)
    sampler = RecordingSampler()
    study = albacore.create_study(sampler=sampler, pruner=pruner)

    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        for step in range(9):
            trial.report(x * (step + 1), step)
            if trial.should_prune():
                raise albacore.TrialPruned()
        return x

    study.optimize(objective, n_trials=30, n_jobs=n_jobs)
    assert pruner.n_brackets is not None and pruner.n_brackets > 1
    brackets = {n: pruner.bracket_of(study, n) for n in range(30)}
    assert len(set(brackets.values())) > 1
    for number, seen in sampler.seen.items():
        assert all(brackets[other] == brackets[number] for other in seen), number
    assert any(sampler.seen.values())
