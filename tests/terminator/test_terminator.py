"""Terminator and TerminatorCallback: a stagnating study stops, an improving one does not; the callback stops
optimize; cross-validation errors from reported scores on every storage; no deprecation warning."""

from __future__ import annotations

import math
import uuid
import warnings
from collections.abc import Callable

import numpy as np
import pytest

import albacore
from albacore.distributions import FloatDistribution
from albacore.storages import BaseStorage
from albacore.study import Study, StudyDirection
from albacore.terminator import (
    BaseImprovementEvaluator,
    BaseTerminator,
    BestValueStagnationEvaluator,
    CrossValidationErrorEvaluator,
    EMMREvaluator,
    MedianErrorEvaluator,
    RegretBoundEvaluator,
    StaticErrorEvaluator,
    Terminator,
    TerminatorCallback,
    report_cross_validation_scores,
)
from albacore.terminator.erroreval import _CROSS_VALIDATION_SCORES_KEY
from albacore.trial import FrozenTrial, TrialState, create_trial


class _Constant(BaseImprovementEvaluator):
    def __init__(self, value: float) -> None:
        self.value = value

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        return self.value


def _study_of(values: list[float], direction: str = "minimize") -> Study:
    study = albacore.create_study(direction=direction)
    for v in values:
        study.add_trial(create_trial(value=v, params={"x": v}, distributions={"x": FloatDistribution(-100, 100)}))
    return study


def test_terminates_when_improvement_is_below_error_after_min_n_trials() -> None:
    study = _study_of([0.0])
    assert not Terminator(_Constant(3.0), StaticErrorEvaluator(0), min_n_trials=1).should_terminate(study)
    assert Terminator(_Constant(-1.0), StaticErrorEvaluator(0), min_n_trials=1).should_terminate(study)
    assert not Terminator(_Constant(0.0), StaticErrorEvaluator(0), min_n_trials=1).should_terminate(study)
    assert not Terminator(_Constant(-1.0), StaticErrorEvaluator(0), min_n_trials=2).should_terminate(study)


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_a_stagnating_study_stops_and_an_improving_one_does_not(direction: str) -> None:
    sign = 1.0 if direction == "minimize" else -1.0
    terminator = Terminator(BestValueStagnationEvaluator(max_stagnation_trials=5), min_n_trials=3)
    stagnating = _study_of([sign * v for v in [5.0, 1.0, 2.0, 3.0, 4.0, 2.0, 1.5, 9.0]], direction)
    improving = _study_of([sign * v for v in [8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]], direction)
    assert terminator.should_terminate(stagnating)
    assert not terminator.should_terminate(improving)


def test_the_default_error_of_a_stagnation_terminator_is_zero() -> None:
    terminator = Terminator(BestValueStagnationEvaluator(max_stagnation_trials=0), min_n_trials=1)
    assert not terminator.should_terminate(_study_of([2.0, 1.0]))  # improvement 0 is not below 0
    assert terminator.should_terminate(_study_of([1.0, 2.0]))


def test_bad_min_n_trials_is_refused() -> None:
    with pytest.raises(ValueError, match="min_n_trials"):
        Terminator(min_n_trials=0)
    with pytest.raises(TypeError, match="min_n_trials"):
        Terminator(min_n_trials=1.5)  # type: ignore[arg-type]


def test_a_study_with_several_objectives_is_refused_as_optuna_does() -> None:
    study = albacore.create_study(directions=["minimize", "maximize"])
    with pytest.raises(RuntimeError, match="several objectives"):
        Terminator(min_n_trials=1).should_terminate(study)


def test_the_callback_stops_optimize_when_the_terminator_says_so() -> None:
    class AtTrial(BaseTerminator):
        def should_terminate(self, study: Study) -> bool:
            return max(t.number for t in study.get_trials(states=(TrialState.COMPLETE,))) >= 10

    study = albacore.create_study()
    study.optimize(lambda t: 0.0, n_trials=100, callbacks=[TerminatorCallback(AtTrial())])
    assert len(study.trials) == 11


def test_a_stagnation_callback_ends_a_converged_random_search_early() -> None:
    callback = TerminatorCallback(Terminator(BestValueStagnationEvaluator(15), min_n_trials=5))
    study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
    study.optimize(lambda t: round(t.suggest_float("x", 0, 1), 1), n_trials=300, callbacks=[callback])
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    best_at = min(t.number for t in complete if t.value == study.best_value)
    assert len(study.trials) == best_at + 1 + 16 < 300  # stops once 16 trials (more than 15) did not improve


def test_emmr_with_median_error_stops_a_gp_study_on_a_quadratic() -> None:
    emmr = EMMREvaluator(seed=0)
    terminator = Terminator(emmr, MedianErrorEvaluator(emmr, warm_up_trials=5, n_initial_trials=10), min_n_trials=15)
    study = albacore.create_study(sampler=albacore.samplers.GPSampler(seed=0, n_startup_trials=5))
    study.optimize(
        lambda t: (t.suggest_float("x", -5, 5) - 1.0) ** 2,
        n_trials=80,
        callbacks=[TerminatorCallback(terminator)],
    )
    assert len(study.trials) < 80
    assert study.best_value < 1e-2


def test_cross_validation_error_is_the_corrected_spread_of_the_best_trials_scores() -> None:
    for direction, sign in (("minimize", 1.0), ("maximize", -1.0)):
        study = albacore.create_study(direction=direction)
        study.add_trial(create_trial(value=sign * 2.0, system_attrs={_CROSS_VALIDATION_SCORES_KEY: [1.0, -1.0]}))
        study.add_trial(create_trial(value=sign * 1.0, system_attrs={_CROSS_VALIDATION_SCORES_KEY: [2.0, -2.0]}))
        error = CrossValidationErrorEvaluator().evaluate(study.trials, study.direction)
        assert error == math.sqrt(4.0 * (1 / 2 + 1 / 1))


def test_cross_validation_error_without_scores_says_how_to_report_them() -> None:
    study = _study_of([0.0])
    with pytest.raises(ValueError, match="report_cross_validation_scores"):
        CrossValidationErrorEvaluator().evaluate(study.trials, study.direction)


def test_reported_scores_are_read_back_by_another_client_of_every_storage(
    open_storage: Callable[[], BaseStorage],
) -> None:
    name = f"terminator-{uuid.uuid4().hex[:8]}"
    study = albacore.create_study(study_name=name, storage=open_storage(), direction="maximize")
    for k in range(3):
        trial = study.ask()
        scores = np.array([0.8, 0.9, 0.7, 0.85]) + 0.01 * k  # numpy arrays, as cross_val_score returns
        report_cross_validation_scores(trial, scores)
        study.tell(trial, float(scores.mean()))
    reader = albacore.load_study(study_name=name, storage=open_storage())
    assert reader.trials[2].system_attrs[_CROSS_VALIDATION_SCORES_KEY] == pytest.approx([0.82, 0.92, 0.72, 0.87])
    error = CrossValidationErrorEvaluator().evaluate(reader.trials, reader.direction)
    assert error == pytest.approx(math.sqrt((1 / 4 + 1 / 3) * np.var([0.82, 0.92, 0.72, 0.87])))


@pytest.mark.parametrize(
    ("scores", "error", "message"),
    [
        ([1.0], ValueError, "at least two"),
        ([], ValueError, "at least two"),
        ([1.0, math.nan], ValueError, "finite"),
        (["a", "b"], TypeError, "numbers"),
        (0.5, TypeError, "sequence"),
    ],
)
def test_bad_scores_are_refused(scores: object, error: type[Exception], message: str) -> None:
    study = albacore.create_study()
    trial = study.ask()
    with pytest.raises(error, match=message):
        report_cross_validation_scores(trial, scores)  # type: ignore[arg-type]


def test_the_entry_points_are_supported_without_optunas_deprecation_warning() -> None:
    # Optuna 5.0 deprecates its terminator; albacore keeps it (README, "Knowing when to stop").
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Terminator()
        TerminatorCallback()
        report_cross_validation_scores(albacore.create_study().ask(), [1.0, 2.0])


def test_the_defaults_are_a_regret_bound_against_the_cross_validation_error() -> None:
    study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))

    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        report_cross_validation_scores(trial, [x**2 - 0.5, x**2 + 0.5])
        return x**2

    study.optimize(objective, n_trials=25)
    terminator = Terminator(min_n_trials=20)
    assert isinstance(terminator._improvement_evaluator, RegretBoundEvaluator)
    # A cross-validation error of 1.22 dwarfs what is left to gain on [-1, 1]: stop.
    assert terminator.should_terminate(study)
