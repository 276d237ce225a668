"""The data records of the Pareto front and hypervolume history plots."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

import albacore
from albacore._hypervolume import hypervolume
from albacore.study import Study
from albacore.trial import create_trial
from albacore.visualization.data import TrialSet, hypervolume_history_data, pareto_front_data
from conftest import make_multi_objective_study


def _study(rows: Sequence[Sequence[float]], directions: Sequence[str] = ("minimize", "minimize")) -> Study:
    study = albacore.create_study(directions=list(directions))
    for row in rows:
        study.add_trial(create_trial(values=list(row)))
    return study


def test_pareto_front_splits_best_and_dominated() -> None:
    study = _study([(1, 2), (1, 1), (0, 2), (1, 0)])
    data = pareto_front_data(TrialSet.of(study))
    assert data.best.trial_numbers == [2, 3] and data.best.values == [[0.0, 1.0], [2.0, 0.0]]
    assert data.dominated.trial_numbers == [0, 1]
    assert data.target_names == ["Objective 0", "Objective 1"] and not data.has_constraints
    hidden = pareto_front_data(TrialSet.of(study), include_dominated_trials=False)
    assert hidden.dominated.trial_numbers == [] and hidden.best.trial_numbers == [2, 3]


def test_pareto_front_respects_directions_and_constraints_from_set_constraint() -> None:
    study = albacore.create_study(directions=["minimize", "maximize"])
    study.add_trial(create_trial(values=[1.0, 1.0]))
    study.add_trial(create_trial(values=[0.0, 2.0], constraints={"c": 1.0}))  # would dominate, but infeasible
    study.add_trial(create_trial(values=[2.0, 0.5]))
    data = pareto_front_data(TrialSet.of(study))
    assert data.best.trial_numbers == [0] and data.dominated.trial_numbers == [2]
    assert data.infeasible.trial_numbers == [1] and data.has_constraints


def test_pareto_front_three_objectives_targets_and_names() -> None:
    study = _study([(1, 2, 1), (1, 1, 1), (0, 2, 1)], ("minimize",) * 3)
    data = pareto_front_data(TrialSet.of(study), target_names=["a", "b", "c"])
    assert data.n_targets == 3 and data.target_names == ["a", "b", "c"]
    assert data.best.trial_numbers == [1, 2]
    flipped = pareto_front_data(TrialSet.of(study), targets=lambda t: (t.values[1], t.values[0]))
    assert flipped.n_targets == 2 and flipped.best.values == [[1.0, 2.0], [1.0, 0.0]]
    study.set_metric_names(["x", "y", "z"])
    assert pareto_front_data(TrialSet.of(study)).target_names == ["x", "y", "z"]


def test_pareto_front_refuses_bad_shapes() -> None:
    with pytest.raises(ValueError, match="2 or 3"):
        pareto_front_data(TrialSet.of(albacore.create_study()))
    with pytest.raises(ValueError, match="2 or 3"):
        pareto_front_data(TrialSet.of(_study([], ("minimize",) * 4)))
    with pytest.raises(ValueError, match="target_names"):
        pareto_front_data(TrialSet.of(_study([(1, 1)])), target_names=["only one"])
    with pytest.raises(ValueError, match="targets"):
        pareto_front_data(TrialSet.of(_study([(1, 1)])), targets=lambda t: t.values[0])  # type: ignore[arg-type,return-value]
    with pytest.raises(ValueError, match="target_names"):
        pareto_front_data(TrialSet.of(_study([])), targets=lambda t: (0.0, 1.0))
    names = pareto_front_data(
        TrialSet.of(_study([], ("minimize",) * 5)), targets=lambda t: (0.0, 1.0), target_names=["a", "b"]
    )
    assert names.n_targets == 2


def test_pareto_front_constraints_func_is_deprecated_but_works() -> None:
    study = _study([(1, 1), (0, 0)])
    with pytest.warns(FutureWarning, match="set_constraint"):
        data = pareto_front_data(TrialSet.of(study), constraints_func=lambda t: [1.0 if t.number == 1 else -1.0])
    assert data.infeasible.trial_numbers == [1] and data.best.trial_numbers == [0]


def test_hypervolume_history_matches_direct_computation() -> None:
    rng = np.random.default_rng(1)
    values = rng.random((60, 2))
    study = _study(values.tolist(), ("minimize", "maximize"))
    data = hypervolume_history_data(TrialSet.of(study), [1.0, 0.0])
    loss = values * np.array([1.0, -1.0])
    expected = [hypervolume(loss[: i + 1], np.array([1.0, 0.0])) for i in range(60)]
    assert data.trial_numbers == list(range(60))
    assert data.values == pytest.approx(expected)


def test_hypervolume_history_skips_infeasible_trials_and_checks_arguments() -> None:
    study = make_multi_objective_study(12)
    data = hypervolume_history_data(TrialSet.of(study), [10.0, -10.0])
    assert all(b >= a for a, b in zip(data.values, data.values[1:], strict=False))
    assert data.values[0] == 0.0  # trial 0 is infeasible (every third trial is)
    with pytest.raises(ValueError, match="multi-objective"):
        hypervolume_history_data(TrialSet.of(albacore.create_study()), [1.0])
    with pytest.raises(ValueError, match="reference_point"):
        hypervolume_history_data(TrialSet.of(study), [1.0])
    assert hypervolume_history_data(TrialSet.of(_study([])), [1.0, 1.0]).values == []
