"""Multi-objective pruning: vector reports and ParetoSuccessiveHalvingPruner."""

from __future__ import annotations

import math
import pathlib

import numpy as np
import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.pruners import ParetoSuccessiveHalvingPruner
from albacore.trial._vector_reports import vector_reports


@pytest.mark.parametrize("storage", ["memory", "sqlite"])
def test_vector_reports_are_kept_per_step(storage: str, tmp_path: pathlib.Path) -> None:
    url = None if storage == "memory" else f"sqlite:///{tmp_path / 'v.db'}"
    study = albacore.create_study(storage=url, directions=["maximize", "minimize"])
    trial = study.ask()
    trial.report([0.5, 3.0], 0)
    trial.report((0.7, math.nan), 1)
    with pytest.warns(UserWarning, match="already reported"):
        trial.report([0.9, 1.0], 1)
    study.tell(trial, [0.7, 2.0])
    reports = vector_reports(study.trials[0].system_attrs)
    assert reports[0] == [0.5, 3.0]
    assert reports[1][0] == 0.7 and math.isnan(reports[1][1])


def test_reports_of_several_objectives_are_checked_and_other_pruners_still_refuse() -> None:
    study = albacore.create_study(directions=["maximize", "minimize"])
    trial = study.ask()
    with pytest.raises(NotImplementedError):
        trial.report(1.0, 0)  # one value in a multi-objective study, as in Optuna
    with pytest.raises(InvalidArgumentError, match="3 values for a study with 2 objectives"):
        trial.report([1.0, 2.0, 3.0], 0)
    with pytest.raises(NotImplementedError, match="ParetoSuccessiveHalvingPruner"):
        trial.should_prune()  # the default MedianPruner compares one value per step


def _run(study: albacore.Study, values: list[float]) -> bool:
    trial = study.ask()
    trial.report(values, 0)
    pruned = trial.should_prune()
    if pruned:
        study.tell(trial, state=albacore.trial.TrialState.PRUNED)
    else:
        study.tell(trial, values)
    return pruned


def test_a_dominated_trial_is_stopped_at_a_rung_and_the_front_is_kept() -> None:
    study = albacore.create_study(
        directions=["maximize", "minimize"], pruner=ParetoSuccessiveHalvingPruner(reduction_factor=2)
    )
    assert not _run(study, [0.9, 5.0])  # alone: too few peers to judge
    assert not _run(study, [0.5, 1.0])  # on the front with the first
    assert _run(study, [0.4, 6.0])  # dominated by both: the bottom half
    assert not _run(study, [0.95, 0.5])  # dominates everyone


def test_only_rung_steps_are_judged() -> None:
    pruner = ParetoSuccessiveHalvingPruner(min_resource=2, reduction_factor=3, min_early_stopping_rate=1)
    assert [step for step in range(60) if pruner._is_rung(step)] == [5, 17, 53]
    with pytest.raises(InvalidArgumentError, match="reduction_factor"):
        ParetoSuccessiveHalvingPruner(reduction_factor=1)


def _ask_at_rung(study: albacore.Study, values: list[float]) -> albacore.Trial:
    trial = study.ask()
    trial.report(values, 0)
    return trial


# One front (both objectives minimized): crowding keeps its ends (0, 10) and (10, 0); hypervolume keeps the knee
# (1, 2), whose loss would cost the most area, and (9, 0.6).
_FRONT = [[0.0, 10.0], [1.0, 2.0], [9.0, 0.6], [10.0, 0.0]]


@pytest.mark.parametrize("maximize", [False, True])
def test_hypervolume_tie_break_keeps_the_knee_where_crowding_keeps_the_ends(maximize: bool) -> None:
    sign = -1.0 if maximize else 1.0
    directions = ["maximize" if maximize else "minimize"] * 2
    crowding = ParetoSuccessiveHalvingPruner(reduction_factor=2)
    by_volume = ParetoSuccessiveHalvingPruner(reduction_factor=2, tie_break="hypervolume")
    decisions = {}
    for asking in range(len(_FRONT)):
        study = albacore.create_study(directions=directions)
        for other in range(len(_FRONT)):
            if other != asking:
                study.tell(_ask_at_rung(study, [sign * v for v in _FRONT[other]]), [0.0, 0.0])
        trial = _ask_at_rung(study, [sign * v for v in _FRONT[asking]])
        frozen = study.trials[-1]
        decisions[asking] = (crowding.prune(study, frozen), by_volume.prune(study, frozen))
        assert trial.number == frozen.number
    # Two of four go on; (pruned by crowding, pruned by hypervolume) for each point of the front:
    assert decisions == {0: (False, True), 1: (True, False), 2: (True, False), 3: (False, True)}


@pytest.mark.parametrize("tie_break", ["crowding", "hypervolume"])
def test_whole_fronts_go_on_before_the_tie_break(tie_break: str) -> None:
    pruner = ParetoSuccessiveHalvingPruner(reduction_factor=2, tie_break=tie_break)  # type: ignore[arg-type]
    decisions = []
    for asking in ([5.0, 5.0], [7.0, 7.0]):
        study = albacore.create_study(directions=["minimize", "minimize"])
        for values in ([0.0, 0.0], [6.0, 6.0], [7.0, 7.0] if asking == [5.0, 5.0] else [5.0, 5.0]):
            study.tell(_ask_at_rung(study, values), [0.0, 0.0])
        _ask_at_rung(study, asking)
        decisions.append(pruner.prune(study, study.trials[-1]))
    assert decisions == [False, True]  # fronts of one: (0, 0) and (5, 5) are the best two of four


def test_hypervolume_keeps_one_of_two_duplicates() -> None:
    from albacore.pruners._pareto_halving import keep_by_hypervolume, reference_point

    points = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 10.0], [10.0, 0.0]])
    kept = keep_by_hypervolume(points, 3, reference_point(points))
    assert sorted(kept.tolist()) == [0, 2, 3]  # the later copy goes, the earlier stays
    assert reference_point(np.array([[1.0, np.inf], [3.0, np.inf]])).tolist() == [3.2, 1.0]


@pytest.mark.parametrize("tie_break", ["", "Hypervolume", "volume", None, 1])
def test_tie_break_is_checked(tie_break: object) -> None:
    with pytest.raises(InvalidArgumentError, match="tie_break"):
        ParetoSuccessiveHalvingPruner(tie_break=tie_break)  # type: ignore[arg-type]


def test_hypervolume_tie_break_end_to_end() -> None:
    def objective(trial: albacore.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        for epoch in range(9):
            trial.report([x * (epoch + 1), (1 - x) * (epoch + 1) + trial.number % 3], epoch)
            if trial.should_prune():
                raise albacore.TrialPruned()
        return x * 9, (1 - x) * 9

    pruner = ParetoSuccessiveHalvingPruner(tie_break="hypervolume")
    study = albacore.create_study(
        directions=["maximize", "minimize"], pruner=pruner, sampler=albacore.samplers.RandomSampler(1)
    )
    study.optimize(objective, n_trials=30)
    states = [t.state for t in study.trials]
    assert albacore.trial.TrialState.PRUNED in states and albacore.trial.TrialState.COMPLETE in states


@pytest.mark.parametrize("n_objectives", [2, 3])
def test_exclusive_contributions_are_the_hypervolume_lost(n_objectives: int) -> None:
    from albacore._hypervolume import hypervolume
    from albacore._pareto import is_pareto_front
    from albacore.pruners._pareto_halving import exclusive_contributions, reference_point

    rng = np.random.default_rng(n_objectives)
    for _ in range(20):
        points = rng.random((12, n_objectives)).round(1)  # rounded: duplicates and shared coordinates
        points = points[is_pareto_front(points)]
        points[0, 0] = np.inf if len(points) > 2 else points[0, 0]  # a NaN report, as the pruner sees it
        reference = reference_point(points)
        total = hypervolume(points, reference)
        expected = [total - hypervolume(np.delete(points, i, axis=0), reference) for i in range(len(points))]
        np.testing.assert_allclose(exclusive_contributions(points, reference), expected, atol=1e-12)
