"""PED-ANOVA: which trials are top, the region, conditional and changed parameters, constraints, warnings."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from unittest import mock

import numpy as np
import pytest

import albacore
from albacore.distributions import CategoricalDistribution, FloatDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.importance import PedAnovaImportanceEvaluator, get_param_importances
from albacore.trial import Trial

StudyOf = Callable[..., albacore.Study]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"target_quantile": 0.0},
        {"target_quantile": 1.0},
        {"target_quantile": 0.5, "region_quantile": 0.5},
        {"region_quantile": 1.5},
    ],
)
def test_quantiles_are_validated(kwargs: dict[str, float]) -> None:
    with pytest.raises(InvalidArgumentError, match="quantile"):
        PedAnovaImportanceEvaluator(**kwargs)


@pytest.mark.parametrize("n_trials", [0, 1, 2])
def test_fewer_than_two_trials_give_zeros(random_study: StudyOf, n_trials: int) -> None:
    def objective(trial: Trial) -> float:
        return trial.suggest_float("x", 0, 1) + trial.suggest_float("y", 0, 1)

    importances = PedAnovaImportanceEvaluator().evaluate(random_study(objective, n_trials))
    assert (sum(importances.values()) > 0.0) == (n_trials == 2)


def _high_branch(trial: Trial) -> float:
    x = trial.suggest_float("x", 0, 1)
    if x > 0.5:
        trial.suggest_float("only_when_x_is_high", 0, 1)
    return x + 0.1 * trial.suggest_float("y", 0, 1)


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_direction_decides_which_trials_are_top(random_study: StudyOf, direction: str) -> None:
    importances = PedAnovaImportanceEvaluator().evaluate(random_study(_high_branch, 100, direction=direction))
    # A parameter absent from every top trial explains nothing about reaching the top.
    assert (importances["only_when_x_is_high"] > 0.0) == (direction == "maximize")
    assert next(iter(importances)) == "x"


def test_quantiles_and_locality_change_the_result(random_study: StudyOf) -> None:
    study = random_study(_high_branch, 60)
    default = PedAnovaImportanceEvaluator().evaluate(study)
    assert PedAnovaImportanceEvaluator(target_quantile=0.3).evaluate(study) != default
    assert PedAnovaImportanceEvaluator(region_quantile=0.5).evaluate(study) != default
    assert PedAnovaImportanceEvaluator(evaluate_on_local=False).evaluate(study) != default


def test_local_and_global_importance_of_a_narrowly_searched_parameter() -> None:
    rng = np.random.default_rng(0)
    dists = {"x": FloatDistribution(0, 1), "narrow": FloatDistribution(0, 10)}
    study = albacore.create_study()
    for _ in range(200):
        x, narrow = rng.random(), rng.random()  # `narrow` was only ever tried in [0, 1] of [0, 10]
        study.add_trial(albacore.create_trial(value=x, params={"x": x, "narrow": narrow}, distributions=dists))
    local = PedAnovaImportanceEvaluator().evaluate(study)
    global_ = PedAnovaImportanceEvaluator(evaluate_on_local=False).evaluate(study)
    # Where the study searched, `narrow` did not matter; over the whole space, the top lies in a tenth of it.
    assert local["narrow"] < 0.1 * local["x"]
    assert global_["narrow"] > 0.5 * global_["x"]


def test_infeasible_trials_are_not_top(random_study: StudyOf) -> None:
    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        trial.set_constraint("x_at_least_half", 0.5 - x)
        return trial.suggest_float("y", 0, 1)

    study = random_study(objective, 200)
    constrained = get_param_importances(study)
    unconstrained = get_param_importances(study, target=lambda t: t.value)
    assert constrained["x"] > 0.05  # every top trial is feasible, so has x >= 0.5
    assert unconstrained["x"] < 0.1 * constrained["x"]


def test_multi_objective_top_trials_are_the_best_fronts() -> None:
    rng = np.random.default_rng(1)
    dists = {"side": CategoricalDistribution(["front", "behind"]), "noise": FloatDistribution(0, 1)}
    study = albacore.create_study(directions=["minimize", "maximize"])
    for i in range(10):
        for side, shift in (("front", 0.0), ("behind", 5.0)):
            params = {"side": side, "noise": float(rng.random())}
            values = [i + shift, i - shift]  # the second objective is maximized: a trade-off
            study.add_trial(albacore.create_trial(values=values, params=params, distributions=dists))
    importances = PedAnovaImportanceEvaluator(target_quantile=0.5).evaluate(study)
    # Top = the ten trials on the front: all of the variance (less the uniform pseudo-point's share).
    assert importances["side"] == pytest.approx(1.0, abs=0.2)
    assert importances["noise"] < 0.2 * importances["side"]


def test_a_target_is_minimized_and_warns_on_maximized_studies(random_study: StudyOf) -> None:
    study = random_study(_high_branch, 50, direction="maximize")
    with pytest.warns(UserWarning, match="smaller `target` values as better"):
        by_negated = get_param_importances(study, target=lambda t: -t.value)
    assert by_negated == get_param_importances(study)
    minimized = random_study(_high_branch, 50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get_param_importances(minimized, target=lambda t: t.value)


def test_changed_ranges_are_merged(random_study: StudyOf) -> None:
    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0 + trial.number / 10)
        n = trial.suggest_int("n", 0, 2 + 2 * (trial.number // 10), step=2)
        return x + 0.01 * n

    importances = get_param_importances(random_study(objective, 60))
    assert list(importances) == ["x", "n"]


def test_a_parameter_whose_scale_changed_raises() -> None:
    study = albacore.create_study()
    # Storages refuse a change of scale now; a study written before they did may still hold one.
    with mock.patch("albacore.storages._in_memory.check_distribution_compatibility"):
        for i, log in enumerate([False, True]):
            dist = FloatDistribution(0.1, 3, log=log)
            study.add_trial(albacore.create_trial(value=float(i), params={"a": 1.0}, distributions={"a": dist}))
    with pytest.raises(InvalidArgumentError, match="incompatible distributions"):
        get_param_importances(study)


def test_every_kind_of_distribution(random_study: StudyOf) -> None:
    def objective(trial: Trial) -> float:
        values = [
            trial.suggest_float("log_float", 1e-3, 1.0, log=True),
            trial.suggest_float("step_float", 0.0, 1.0, step=0.25),
            trial.suggest_int("log_int", 1, 16, log=True) / 16,
            trial.suggest_int("wide_int", 0, 10_000) / 10_000,
            float(trial.suggest_categorical("flag", [True, False, None]) is True),
        ]
        trial.suggest_int("unused", 0, 10_000)
        return sum(values)

    importances = get_param_importances(random_study(objective, 400))
    assert list(importances)[-1] == "unused"
    assert importances["unused"] < 0.05
    assert math.isclose(sum(importances.values()), 1.0)


def test_three_objectives_cut_the_last_front_by_crowding(random_study: StudyOf) -> None:
    def objective(trial: Trial) -> tuple[float, float, float]:
        xs = [trial.suggest_float(f"x{i}", 0, 1) for i in range(3)]
        trial.suggest_float("unused", 0, 1)
        return xs[0], xs[1], xs[2] + 0.1 * xs[0]

    study = random_study(objective, 300, directions=["minimize"] * 3)
    importances = get_param_importances(study)
    assert list(importances)[-1] == "unused"
    assert importances["unused"] < 0.1
