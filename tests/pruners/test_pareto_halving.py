"""Multi-objective pruning: vector reports and ParetoSuccessiveHalvingPruner."""

from __future__ import annotations

import math
import pathlib

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
