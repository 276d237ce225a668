from __future__ import annotations

import math
from collections.abc import Callable

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.pruners import MedianPruner, PercentilePruner

CURVES = [{0: 1.0, 1: 0.9}, {0: 2.0, 1: 1.8}, {0: 3.0, 1: 2.7}, {0: 4.0, 1: 3.6}, {0: 5.0, 1: 4.5}]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_median_prunes_the_worse_half(direction: str, make_study: Callable[..., albacore.Study], run) -> None:
    sign = 1.0 if direction == "minimize" else -1.0
    curves = [{s: sign * v for s, v in c.items()} for c in CURVES]
    study = make_study(MedianPruner(n_startup_trials=5), curves, direction)
    assert run(study, {0: sign * 3.5})
    assert not run(study, {0: sign * 2.5})
    # The best value over the steps so far counts, not the latest one.
    assert not run(study, {0: sign * 2.0, 1: sign * 9.0})


def test_startup_warmup_and_interval(make_study: Callable[..., albacore.Study], run) -> None:
    assert not run(make_study(MedianPruner(n_startup_trials=6), CURVES), {0: 100.0})
    assert not run(make_study(MedianPruner(n_warmup_steps=1), CURVES), {0: 100.0})
    assert run(make_study(MedianPruner(n_warmup_steps=1), CURVES), {0: 100.0, 1: 100.0})
    study = make_study(MedianPruner(n_warmup_steps=0, interval_steps=2), [{s: 1.0 for s in range(4)}] * 5)
    trial = study.ask()
    answers = []
    for step in range(4):
        trial.report(50.0, step)
        answers.append(trial.should_prune())
    assert answers == [True, False, True, False]


def test_missing_steps_and_n_min_trials(make_study: Callable[..., albacore.Study], run) -> None:
    # Nobody else reported step 7: no evidence, no pruning.
    assert not run(make_study(MedianPruner(), CURVES), {7: 100.0})
    # Checked at the first report after a checkpoint, even when the checkpoint step itself was skipped.
    study = make_study(MedianPruner(interval_steps=2), [{0: 1.0, 3: 1.0}] * 5)
    trial = study.ask()
    trial.report(9.0, 0)
    assert trial.should_prune()
    trial.report(9.0, 3)
    assert trial.should_prune()
    assert not run(make_study(MedianPruner(n_min_trials=6), CURVES), {0: 100.0})
    assert run(make_study(MedianPruner(n_min_trials=5), CURVES), {0: 100.0})


def test_nan(make_study: Callable[..., albacore.Study], run) -> None:
    # No completed trial to compare with: even a NaN-only trial goes on.
    assert not run(make_study(MedianPruner(n_startup_trials=0)), {0: math.nan})
    assert not run(make_study(PercentilePruner(25.0, n_startup_trials=0)), {0: math.nan})
    assert run(make_study(MedianPruner(), CURVES), {0: math.nan})
    assert not run(make_study(MedianPruner(), CURVES), {0: math.nan, 1: 0.5})
    with_nan = [*CURVES[:4], {0: math.nan, 1: math.nan}]
    # NaN reports of other trials are left out of the median: 1, 2, 3, 4 -> 2.5.
    assert not run(make_study(MedianPruner(), with_nan), {0: 2.4})
    assert run(make_study(MedianPruner(), with_nan), {0: 2.6})


def test_non_monotone_steps_use_the_largest_step(make_study: Callable[..., albacore.Study], run) -> None:
    study = make_study(MedianPruner(), CURVES)
    assert run(study, {1: 10.0, 0: 10.0})


@pytest.mark.parametrize(("percentile", "value", "pruned"), [(25.0, 2.5, True), (25.0, 1.5, False), (75.0, 3.5, False)])
def test_percentile(percentile: float, value: float, pruned: bool, make_study, run) -> None:
    assert run(make_study(PercentilePruner(percentile), CURVES), {0: value}) is pruned


@pytest.mark.parametrize(
    "kwargs",
    [
        {"percentile": -1.0},
        {"percentile": 101.0},
        {"percentile": 50.0, "n_startup_trials": -1},
        {"percentile": 50.0, "n_warmup_steps": -1},
        {"percentile": 50.0, "interval_steps": 0},
        {"percentile": 50.0, "n_min_trials": 0},
    ],
)
def test_invalid_arguments(kwargs: dict[str, float]) -> None:
    with pytest.raises(InvalidArgumentError):
        PercentilePruner(**kwargs)  # type: ignore[arg-type]
