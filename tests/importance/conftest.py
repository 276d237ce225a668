"""Studies with known answers, shared by the importance tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import albacore
from albacore.importance import (
    BaseImportanceEvaluator,
    FanovaImportanceEvaluator,
    MeanDecreaseImpurityImportanceEvaluator,
    PedAnovaImportanceEvaluator,
)
from albacore.trial import Trial

EVALUATORS: dict[str, Callable[[], BaseImportanceEvaluator]] = {
    "ped_anova": PedAnovaImportanceEvaluator,
    "fanova": lambda: FanovaImportanceEvaluator(n_trees=32, seed=0),
    "mdi": lambda: MeanDecreaseImpurityImportanceEvaluator(n_trees=32, seed=0),
}


@pytest.fixture(params=list(EVALUATORS))
def make_evaluator(request: pytest.FixtureRequest) -> Callable[[], BaseImportanceEvaluator]:
    """Each evaluator in turn (forest-based ones with a fixed seed and fewer trees, to stay quick)."""
    return EVALUATORS[request.param]


def _random_study(objective: Callable[[Trial], Any], n_trials: int, *, seed: int = 0, **kwargs: Any) -> albacore.Study:
    study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=seed), **kwargs)
    study.optimize(objective, n_trials=n_trials)
    return study


@pytest.fixture
def random_study() -> Callable[..., albacore.Study]:
    """Builds a study of ``n_trials`` random trials (so every region of the space is visited)."""
    return _random_study
