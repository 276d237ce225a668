"""Objectives whose importances are known: every evaluator must find their order and rough shares.

Seeds are fixed (the sampler's and the forests'), so these results repeat exactly; the bounds leave room for
the estimation error of 400 random trials.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import albacore
from albacore.importance import BaseImportanceEvaluator, PedAnovaImportanceEvaluator, get_param_importances
from albacore.trial import Trial

Make = Callable[[], BaseImportanceEvaluator]
StudyOf = Callable[..., albacore.Study]
N_TRIALS = 400


def test_dominant_and_irrelevant_parameters(random_study: StudyOf, make_evaluator: Make) -> None:
    def objective(trial: Trial) -> float:
        a = trial.suggest_float("a", -1, 1)
        b = trial.suggest_float("b", 0, 1)
        trial.suggest_float("irrelevant", 0, 1)
        return 10 * a * a + b

    importances = get_param_importances(random_study(objective, N_TRIALS), evaluator=make_evaluator())
    assert list(importances) == ["a", "b", "irrelevant"]
    assert importances["a"] > 0.6
    assert importances["irrelevant"] < 0.05


def test_interaction_pair_shares_alike(random_study: StudyOf, make_evaluator: Make) -> None:
    def objective(trial: Trial) -> float:
        b = trial.suggest_float("b", 0, 1)
        c = trial.suggest_float("c", 0, 1)
        trial.suggest_float("irrelevant", 0, 1)
        # b * c makes the pair interact; on [0, 1] each also acts alone (on [-1, 1] the top trials would be
        # those with b = -c, whose one-parameter marginals are flat, and PED-ANOVA reads marginals only).
        return (b + c) ** 2

    importances = get_param_importances(random_study(objective, N_TRIALS), evaluator=make_evaluator())
    assert list(importances)[-1] == "irrelevant"
    assert 0.3 < importances["b"] < 0.7
    assert 0.3 < importances["c"] < 0.7
    assert importances["irrelevant"] < 0.1


def test_categorical_parameter(random_study: StudyOf, make_evaluator: Make) -> None:
    choices = ["good", "b", "c", "d", "e", "f", "g", "h"]

    def objective(trial: Trial) -> float:
        kind = trial.suggest_categorical("kind", choices)
        x = trial.suggest_float("x", 0, 1)
        trial.suggest_int("n", 1, 4)
        return choices.index(kind) + 0.2 * x

    importances = get_param_importances(random_study(objective, N_TRIALS), evaluator=make_evaluator())
    assert list(importances) == ["kind", "x", "n"]
    assert importances["kind"] > 0.6
    assert importances["n"] < 0.05


def _conditional(trial: Trial) -> float:
    if trial.suggest_categorical("branch", ["left", "right"]) == "left":
        x = trial.suggest_float("left_x", -3, 3)
        return x * x
    trial.suggest_float("right_y", 0, 1)
    return 5.0


def test_conditional_parameters_with_ped_anova(random_study: StudyOf) -> None:
    importances = get_param_importances(random_study(_conditional, N_TRIALS))
    # Every top trial took the left branch, and there only left_x decides: right_y never helps.
    assert list(importances) == ["left_x", "branch", "right_y"]
    assert importances["left_x"] > 0.5
    assert importances["right_y"] == 0.0
    alone = get_param_importances(random_study(_conditional, N_TRIALS), params=["right_y", "left_x"])
    assert alone == {"left_x": 1.0, "right_y": 0.0}


def test_conditional_parameters_with_forests(random_study: StudyOf, make_evaluator: Make) -> None:
    study = random_study(_conditional, N_TRIALS)
    evaluator = make_evaluator()
    if isinstance(evaluator, PedAnovaImportanceEvaluator):
        pytest.skip("PED-ANOVA reads conditional parameters; see the test above")
    # By default only the parameters of every trial; on request, the trials that have the one asked for.
    assert get_param_importances(study, evaluator=evaluator) == {"branch": 1.0}
    assert get_param_importances(study, evaluator=evaluator, params=["left_x"]) == {"left_x": 1.0}
