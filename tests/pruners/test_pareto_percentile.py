"""ParetoMedianPruner and ParetoPercentilePruner: the percentile rule on every objective of a multi-objective study."""

from __future__ import annotations

import math
import pathlib
from collections.abc import Sequence

import numpy as np
import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.pruners import BasePruner, ParetoMedianPruner, ParetoPercentilePruner
from albacore.trial import TrialState
from albacore.trial._vector_reports import vector_reports

MAX_MIN = ["maximize", "minimize"]
# Completed peers at step 0: the median point is (0.6, 4.0).
PEERS = [[0.5, 5.0], [0.6, 4.0], [0.7, 3.0]]


def _study(
    pruner: BasePruner, peers: Sequence[Sequence[float]] = PEERS, directions: list[str] = MAX_MIN
) -> albacore.Study:
    """A study whose completed trials reported ``peers`` (each row's values at steps 0, 1, 2, ...)."""
    study = albacore.create_study(directions=directions, pruner=pruner)
    for row in peers:
        trial = study.ask()
        for step in range(4):
            trial.report(row, step)
        study.tell(trial, [0.0 if math.isnan(v) else v for v in row])  # a NaN report, a finished value
    return study


def _decide(study: albacore.Study, *reports: Sequence[float]) -> list[bool]:
    """A new trial reports ``reports`` at steps 0, 1, ...; should_prune after each report."""
    trial = study.ask()
    decisions = []
    for step, values in enumerate(reports):
        trial.report(list(values), step)
        decisions.append(trial.should_prune())
    study.tell(trial, state=TrialState.FAIL)
    return decisions


@pytest.mark.parametrize(
    ("report", "pruned"),
    [
        ([0.55, 4.5], True),  # worse than the median on both objectives: dominated by the median point
        ([0.9, 4.5], False),  # better accuracy, larger: a trade-off
        ([0.4, 1.0], False),  # worse accuracy, smaller: a trade-off
        ([0.6, 4.5], False),  # as good as the median on accuracy: not worse on every objective
        ([0.65, 3.5], False),
    ],
)
def test_a_trial_worse_than_the_median_on_every_objective_is_stopped(report: list[float], pruned: bool) -> None:
    study = _study(ParetoMedianPruner(n_startup_trials=3))
    assert _decide(study, report) == [pruned]


def test_directions_are_respected() -> None:
    # The same reports, with the directions swapped: the median point (0.6, 4.0) is now minimized then maximized.
    study = _study(ParetoMedianPruner(n_startup_trials=3), directions=["minimize", "maximize"])
    assert _decide(study, [0.55, 4.5]) == [False]
    assert _decide(study, [0.9, 3.5]) == [True]
    both_min = _study(ParetoMedianPruner(n_startup_trials=3), directions=["minimize", "minimize"])
    assert _decide(both_min, [0.9, 4.5]) == [True]
    assert _decide(both_min, [0.55, 4.5]) == [False]


def test_percentile_sets_the_threshold_counted_from_the_best() -> None:
    peers = [[a / 10, 10.0 - a] for a in range(1, 10)]  # accuracy 0.1 .. 0.9, size 9 .. 1
    report = [0.4, 7.0]  # between the 25th and the 50th percentile from the best on both objectives
    assert _decide(_study(ParetoMedianPruner(n_startup_trials=0), peers), report) == [True]
    assert _decide(_study(ParetoPercentilePruner(75.0, n_startup_trials=0), peers), report) == [False]
    assert _decide(_study(ParetoPercentilePruner(25.0, n_startup_trials=0), peers), [0.65, 3.5]) == [True]
    assert _decide(_study(ParetoPercentilePruner(25.0, n_startup_trials=0), peers), [0.8, 3.5]) == [False]


def test_warm_up_and_interval_steps() -> None:
    bad = [0.1, 9.0]
    assert _decide(_study(ParetoMedianPruner(n_startup_trials=0, n_warmup_steps=2)), bad, bad, bad, bad) == [
        False,
        False,
        True,
        True,
    ]
    assert _decide(_study(ParetoMedianPruner(n_startup_trials=0, interval_steps=2)), bad, bad, bad, bad) == [
        True,
        False,
        True,
        False,
    ]


def test_startup_trials_and_too_few_peers() -> None:
    bad = [0.1, 9.0]
    assert _decide(_study(ParetoMedianPruner(n_startup_trials=4)), bad) == [False]  # 3 completed
    assert _decide(_study(ParetoMedianPruner(n_startup_trials=3)), bad) == [True]
    assert _decide(_study(ParetoMedianPruner(n_startup_trials=0, n_min_trials=4)), bad) == [False]
    assert _decide(_study(ParetoMedianPruner(n_startup_trials=0, n_min_trials=3)), bad) == [True]
    assert _decide(_study(ParetoMedianPruner(n_startup_trials=0), peers=[]), bad) == [False]  # nobody to compare


def test_only_completed_trials_are_peers() -> None:
    study = _study(ParetoMedianPruner(n_startup_trials=0))
    for _ in range(5):  # excellent reports from trials that did not complete
        trial = study.ask()
        trial.report([0.99, 0.5], 0)
        study.tell(trial, state=TrialState.PRUNED)
    running = study.ask()
    running.report([0.99, 0.5], 0)
    assert _decide(study, [0.65, 3.5]) == [False]  # still beats the completed trials' median on both
    # Judged on its report at this step, not on its best so far (which was good at step 0).
    assert _decide(_study(ParetoMedianPruner(n_startup_trials=0), peers=[[0.5, 5.0]]), [0.6, 4.0], [0.1, 9.0]) == [
        False,
        True,
    ]


def test_nan_reports() -> None:
    study = _study(ParetoMedianPruner(n_startup_trials=3))
    assert _decide(study, [math.nan, math.nan]) == [True]  # nothing to keep it for
    assert _decide(study, [math.nan, 4.5]) == [True]  # NaN is worst on accuracy, and it is larger
    assert _decide(study, [math.nan, 1.0]) == [False]  # but smaller: a trade-off
    # A peer's NaN leaves it out of that objective's median only: accuracy median of 0.5 and 0.7, size of all.
    nan_peer = _study(ParetoMedianPruner(n_startup_trials=3), peers=[[0.5, 5.0], [math.nan, 4.0], [0.7, 3.0]])
    assert _decide(nan_peer, [0.59, 4.5]) == [True]
    assert _decide(nan_peer, [0.61, 4.5]) == [False]
    # Too few values on one objective once NaN is left out: no decision.
    strict = _study(
        ParetoMedianPruner(n_startup_trials=0, n_min_trials=3), peers=[[0.5, 5.0], [math.nan, 4.0], [0.7, 3.0]]
    )
    assert _decide(strict, [0.1, 9.0]) == [False]
    # Without peers even an all-NaN report is not stopped.
    assert _decide(_study(ParetoMedianPruner(n_startup_trials=0), peers=[]), [math.nan, math.nan]) == [False]


def test_single_objective_study_reads_plain_reports() -> None:
    study = albacore.create_study(direction="maximize", pruner=ParetoMedianPruner(n_startup_trials=0))
    for value in (0.5, 0.6, 0.7):
        trial = study.ask()
        trial.report(value, 0)
        study.tell(trial, value)
    trial = study.ask()
    trial.report(0.55, 0)
    assert trial.should_prune()
    trial = study.ask()
    trial.report(0.65, 0)
    assert not trial.should_prune()


def _objective(trial: albacore.Trial) -> tuple[float, float]:
    units = trial.suggest_int("units", 1, 100)
    quality = trial.suggest_float("quality", 0.0, 1.0)
    accuracy = 0.0
    for epoch in range(10):
        accuracy = quality * (1 - 0.5 ** (epoch + 1))
        trial.report([accuracy, float(units)], epoch)
        if trial.should_prune():
            raise albacore.TrialPruned()
    return accuracy, float(units)


@pytest.mark.parametrize("storage", ["memory", "sqlite"])
def test_end_to_end_every_stopped_trial_was_dominated_by_the_median(storage: str, tmp_path: pathlib.Path) -> None:
    url = None if storage == "memory" else f"sqlite:///{tmp_path / 'median.db'}"
    study = albacore.create_study(
        storage=url,
        directions=MAX_MIN,
        sampler=albacore.samplers.RandomSampler(3),
        pruner=ParetoMedianPruner(n_startup_trials=5, n_warmup_steps=1),
    )
    study.optimize(_objective, n_trials=40)
    trials = study.trials
    pruned = [t for t in trials if t.state == TrialState.PRUNED]
    assert len(pruned) >= 5 and sum(t.state == TrialState.COMPLETE for t in trials) >= 10
    for trial in pruned:
        reports = vector_reports(trial.system_attrs)
        step = max(reports)
        assert step >= 1  # the warm-up step 0 was never judged
        # Sequential optimize: the peers were the trials completed before this one started.
        peers = [vector_reports(t.system_attrs)[step] for t in trials[: trial.number] if t.state == TrialState.COMPLETE]
        assert len(peers) >= 5
        accuracy, size = reports[step]
        assert accuracy < np.median([p[0] for p in peers]) and size > np.median([p[1] for p in peers])
    # A trade-off goes on: the smallest model is never worse than the median on size.
    smallest = min(trials, key=lambda t: t.params["units"])
    assert smallest.state == TrialState.COMPLETE


@pytest.mark.parametrize(
    "kwargs",
    [
        {"percentile": -1.0},
        {"percentile": 100.5},
        {"percentile": math.nan},
        {"percentile": "50"},
        {"percentile": True},
        {"percentile": 50.0, "n_startup_trials": -1},
        {"percentile": 50.0, "n_startup_trials": 1.5},
        {"percentile": 50.0, "n_warmup_steps": -1},
        {"percentile": 50.0, "interval_steps": 0},
        {"percentile": 50.0, "n_min_trials": 0},
    ],
)
def test_arguments_are_checked(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgumentError):
        ParetoPercentilePruner(**kwargs)  # type: ignore[arg-type]


def test_arguments_of_numpy_type_are_accepted_and_the_default_pruner_still_refuses() -> None:
    pruner = ParetoPercentilePruner(np.float32(30.0), np.int64(2), n_min_trials=np.int32(1))  # type: ignore[arg-type]
    assert pruner._percentile == pytest.approx(30.0) and pruner._n_startup_trials == 2
    assert ParetoMedianPruner.multi_objective and not getattr(albacore.pruners.MedianPruner(), "multi_objective", False)
    study = albacore.create_study(directions=MAX_MIN)
    trial = study.ask()
    trial.report([0.5, 1.0], 0)
    with pytest.raises(NotImplementedError, match="ParetoMedianPruner"):
        trial.should_prune()
