"""Improvement evaluators on studies whose behaviour is known: stagnation counts, and GP regret bounds that
shrink once the optimum is found and do not depend on the direction."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import albacore
from albacore.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.study import StudyDirection
from albacore.terminator import (
    BaseImprovementEvaluator,
    BestValueStagnationEvaluator,
    EMMREvaluator,
    MedianErrorEvaluator,
    RegretBoundEvaluator,
)
from albacore.terminator.improvement.emmr import MARGIN_FOR_NUMARICAL_STABILITY
from albacore.trial import FrozenTrial, TrialState, create_trial

MIN, MAX = StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE
X = FloatDistribution(-3.0, 3.0)


def _trials(xs: list[float], sign: float = 1.0) -> list[FrozenTrial]:
    return [create_trial(value=sign * (x - 1.0) ** 2, params={"x": x}, distributions={"x": X}) for x in xs]


def _quadratic_study(n_trials: int, seed: int = 0) -> albacore.Study:
    study = albacore.create_study(sampler=albacore.samplers.GPSampler(seed=seed, n_startup_trials=10))
    study.optimize(
        lambda t: (t.suggest_float("x", -5, 5) - 1.0) ** 2 + (t.suggest_float("y", -5, 5) + 2.0) ** 2,
        n_trials=n_trials,
    )
    return study


@pytest.mark.parametrize(
    ("values", "direction", "expected"),
    [
        ([0, 1, 2], MAX, 1),  # improving every trial
        ([2, 1, 0], MIN, 1),
        ([0, 1, 0], MAX, 0),  # best at the second trial
        ([1, 0, 1], MIN, 0),
        ([0, 0, 0], MAX, -1),  # a tie is no improvement: the first best counts
        ([0, 0, 0], MIN, -1),
    ],
)
def test_stagnation_counts_completed_trials_since_the_best(
    values: list[float], direction: StudyDirection, expected: int
) -> None:
    trials = [create_trial(value=v) for v in values]
    assert BestValueStagnationEvaluator(max_stagnation_trials=1).evaluate(trials, direction) == expected


def test_stagnation_ignores_trials_that_did_not_complete() -> None:
    trials = [create_trial(value=1.0), create_trial(state=TrialState.FAIL), create_trial(value=0.5)]
    trials.append(create_trial(state=TrialState.PRUNED, intermediate_values={0: 0.1}))
    assert BestValueStagnationEvaluator(3).evaluate(trials, MIN) == 3


@pytest.mark.parametrize("evaluator", [RegretBoundEvaluator(), BestValueStagnationEvaluator()])
def test_no_completed_trial_is_an_error(evaluator: BaseImprovementEvaluator) -> None:
    with pytest.raises(ValueError, match="No trial has completed"):
        evaluator.evaluate([create_trial(state=TrialState.FAIL)], MAX)


def test_regret_bound_needs_a_shared_parameter() -> None:
    with pytest.raises(ValueError, match="intersection search space is empty"):
        RegretBoundEvaluator().evaluate([create_trial(value=0.0)], MAX)


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: BestValueStagnationEvaluator(-1), "max_stagnation_trials"),
        (lambda: RegretBoundEvaluator(top_trials_ratio=0.0), "top_trials_ratio"),
        (lambda: RegretBoundEvaluator(top_trials_ratio=math.nan), "top_trials_ratio"),
        (lambda: RegretBoundEvaluator(min_n_trials=0), "min_n_trials"),
        (lambda: EMMREvaluator(min_n_trials=1), "min_n_trials"),
        (lambda: MedianErrorEvaluator(EMMREvaluator(), warm_up_trials=-1), "warm_up_trials"),
        (lambda: MedianErrorEvaluator(EMMREvaluator(), n_initial_trials=0), "n_initial_trials"),
        (lambda: MedianErrorEvaluator(EMMREvaluator(), threshold_ratio=0.0), "threshold_ratio"),
        (lambda: MedianErrorEvaluator(EMMREvaluator(), threshold_ratio=math.inf), "threshold_ratio"),
    ],
)
def test_bad_arguments_are_refused_with_their_name(factory: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        factory()  # type: ignore[operator]


def test_a_fractional_count_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="max_stagnation_trials"):
        BestValueStagnationEvaluator(2.5)  # type: ignore[arg-type]


def test_regret_bound_shrinks_once_the_optimum_is_found() -> None:
    study = _quadratic_study(40)
    evaluator = RegretBoundEvaluator(seed=0)
    early = evaluator.evaluate(study.trials[:10], study.direction)  # ten random trials
    late = evaluator.evaluate(study.trials, study.direction)  # GP trials around the optimum
    assert study.best_value < 0.05
    assert 0.0 <= late < early / 5


def test_regret_bound_is_the_same_for_a_minimized_and_the_negated_maximized_objective() -> None:
    xs = list(np.linspace(-3, 3, 12))
    low = RegretBoundEvaluator(min_n_trials=5, seed=1).evaluate(_trials(xs), MIN)
    high = RegretBoundEvaluator(min_n_trials=5, seed=1).evaluate(_trials(xs, sign=-1.0), MAX)
    assert low > 0.0
    assert low == pytest.approx(high, rel=1e-6)


def test_regret_bound_of_one_trial_and_of_mixed_parameter_kinds_is_finite() -> None:
    one = [create_trial(value=0.0, params={"a": 0.0}, distributions={"a": FloatDistribution(-1.0, 1.0)})]
    assert math.isfinite(RegretBoundEvaluator().evaluate(one, MAX))
    dists = {
        "lr": FloatDistribution(1e-4, 1.0, log=True),
        "n": IntDistribution(1, 8),
        "kind": CategoricalDistribution(["a", "b", "c"]),
    }
    rng = np.random.default_rng(0)
    trials = []
    for _ in range(25):
        lr, n, kind = float(10 ** rng.uniform(-4, 0)), int(rng.integers(1, 9)), str(rng.choice(["a", "b", "c"]))
        params: dict[str, object] = {"lr": lr, "n": n, "kind": kind}
        value = math.log10(lr) ** 2 + n + (kind == "b")
        trials.append(create_trial(value=value, params=params, distributions=dists))
    assert 0.0 <= RegretBoundEvaluator(seed=0).evaluate(trials, MIN) < math.inf


def test_regret_bound_takes_infinite_values() -> None:
    trials = _trials([-2.0, -1.0, 0.0, 0.5, 2.0])
    trials.append(create_trial(value=math.inf, params={"x": 3.0}, distributions={"x": X}))
    assert math.isfinite(RegretBoundEvaluator(seed=0).evaluate(trials, MIN))


def test_emmr_never_stops_before_min_n_trials_or_without_a_shared_parameter() -> None:
    evaluator = EMMREvaluator()
    never = sys.float_info.max * MARGIN_FOR_NUMARICAL_STABILITY
    assert evaluator.evaluate(_trials([0.0]), MAX) == never
    blank = [create_trial(value=0.0) for _ in range(3)]
    with pytest.warns(UserWarning, match="share no parameter"):
        assert evaluator.evaluate(blank, MAX) == never


def test_emmr_falls_as_the_optimum_is_found() -> None:
    study = _quadratic_study(40)
    evaluator = EMMREvaluator(seed=0)
    early = [evaluator.evaluate(study.trials[:n], study.direction) for n in range(3, 11)]
    late = [evaluator.evaluate(study.trials[:n], study.direction) for n in range(33, 41)]
    assert all(math.isfinite(v) for v in early + late)
    assert np.median(late) < np.median(early) / 10


def test_median_error_is_a_fraction_of_the_paired_criteria_computed_once() -> None:
    class Counting(BaseImprovementEvaluator):
        def __init__(self) -> None:
            self.calls: list[int] = []

        def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
            self.calls.append(len(trials))
            return float(len(trials))  # criteria 1, 2, 3, 4, 5: median 3

    paired = Counting()
    evaluator = MedianErrorEvaluator(paired, warm_up_trials=2, n_initial_trials=5, threshold_ratio=0.5)
    trials = _trials([0.1 * i for i in range(6)])
    assert evaluator.evaluate(trials, MIN) < 0.0  # 6 < 2 + 5: not yet
    trials += _trials([1.0])
    assert evaluator.evaluate(trials, MIN) == 1.5
    assert paired.calls == [1, 2, 3, 4, 5]
    assert evaluator.evaluate(trials + _trials([2.0, 3.0]), MIN) == 1.5
    assert paired.calls == [1, 2, 3, 4, 5]


def test_median_error_refuses_what_is_not_an_improvement_evaluator() -> None:
    with pytest.raises(TypeError, match="paired_improvement_evaluator"):
        MedianErrorEvaluator(lambda trials, direction: 0.0)  # type: ignore[arg-type]
