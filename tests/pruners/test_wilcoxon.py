from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from albacore.exceptions import InvalidArgumentError
from albacore.pruners import WilcoxonPruner
from albacore.pruners._wilcoxon import signed_rank_p_value

BEST = {step: 0.1 * (step % 3) for step in range(10)}


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_prunes_a_consistently_worse_trial(direction: str, make_study, run) -> None:
    sign = 1.0 if direction == "minimize" else -1.0
    best = {s: sign * v for s, v in BEST.items()}
    study = make_study(WilcoxonPruner(p_threshold=0.1), [best], direction)
    assert run(study, {s: v + sign * 0.5 for s, v in best.items()})
    assert not run(study, {s: v - sign * 0.5 for s, v in best.items()})


def test_needs_enough_shared_steps(make_study, run) -> None:
    study = make_study(WilcoxonPruner(p_threshold=0.2, n_startup_steps=4), [BEST])
    # Three shared steps all worse: p = 1/8 < 0.2 but below n_startup_steps.
    assert not run(study, {0: 1.0, 1: 1.0, 2: 1.0})
    assert run(study, {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0})
    # Steps the best trial never reported do not count, and the user hears about them.
    with pytest.warns(UserWarning, match="reported steps that the best trial #0 did not"):
        assert not run(study, {0: 1.0, 1: 1.0, 2: 1.0, 50: 1.0, 51: 1.0})


def test_order_of_instances_does_not_matter(make_study, run) -> None:
    study = make_study(WilcoxonPruner(), [BEST])
    assert run(study, {s: BEST[s] + 1.0 for s in [9, 3, 7, 1, 5, 0]})


def test_never_prunes_a_trial_better_on_average(make_study, run) -> None:
    # Worse on 5 of 6 instances by a little, much better on one: the mean wins.
    curve = {s: BEST[s] + 0.01 for s in range(6)}
    curve[0] = BEST[0] - 1.0
    assert not run(make_study(WilcoxonPruner(p_threshold=0.5), [BEST]), curve)


def test_non_finite_values_and_no_best(make_study, run) -> None:
    worse = {s: v + 1.0 for s, v in BEST.items()}
    assert not run(make_study(WilcoxonPruner()), worse)
    with pytest.warns(UserWarning, match="values of trial #1 include NaN"):
        assert not run(make_study(WilcoxonPruner(), [BEST]), {**worse, 4: math.nan})
    with pytest.warns(UserWarning, match="values of the best trial #0 include NaN or infinity"):
        assert not run(make_study(WilcoxonPruner(), [{**BEST, 2: math.inf}]), worse)


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_warns_only_when_the_comparison_is_incomplete(direction: str, make_study, run) -> None:
    study = make_study(WilcoxonPruner(), [BEST], direction)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run(study, {s: BEST[s] + 1.0 for s in range(5)})
    # A best trial that reported nothing shares no step with anyone.
    with pytest.warns(UserWarning, match="reported steps that the best trial #0 did not"):
        assert not run(make_study(WilcoxonPruner(), [{}], direction), {0: 1.0, 1: 2.0})


def test_identical_trial_is_kept(make_study, run) -> None:
    assert not run(make_study(WilcoxonPruner(p_threshold=0.99), [BEST]), dict(BEST))


@pytest.mark.parametrize("kwargs", [{"p_threshold": -0.1}, {"p_threshold": 1.5}, {"n_startup_steps": -1}])
def test_invalid_arguments(kwargs: dict[str, float]) -> None:
    with pytest.raises(InvalidArgumentError):
        WilcoxonPruner(**kwargs)  # type: ignore[arg-type]


def test_a_trial_that_may_still_become_the_best_is_kept(make_study, run) -> None:
    # Worse than the best trial on each of the first three instances, but the best trial's mean over all four
    # instances (2.5) is worse than this trial's mean so far (1.0): it is kept.
    best = {0: 0.0, 1: 0.0, 2: 0.0, 3: 10.0}
    assert not run(make_study(WilcoxonPruner(p_threshold=0.2), [best]), {0: 1.0, 1: 1.0, 2: 1.0})
    assert run(make_study(WilcoxonPruner(p_threshold=0.2), [best]), {0: 3.0, 1: 3.0, 2: 3.0})


@pytest.mark.parametrize("alternative", ["less", "greater"])
@pytest.mark.parametrize(
    "differences",
    [
        [0.5, -1.0, 0.5, 2.0, 0.0],  # ties and a zero
        [1.0, 1.0, 1.0, -1.0, 2.0, -2.0, 0.0, 0.0],  # ties only among few magnitudes, two zeros
        [0.0, 0.0, 0.0],  # nothing but zeros
        [3.0, -1.5, 2.0, 0.25, -0.75, 1.0],  # no ties: scipy's exact distribution
        [1.0] * 16,  # beyond the small-sample case: scipy's normal approximation
    ],
)
def test_signed_rank_p_value_is_scipys_zsplit_wilcoxon(differences: list[float], alternative: str) -> None:
    expected = stats.wilcoxon(differences, alternative=alternative, zero_method="zsplit").pvalue
    assert signed_rank_p_value(np.array(differences), alternative) == pytest.approx(expected, abs=1e-12)
