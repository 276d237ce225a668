"""Best trials: the single best under constraints, and Pareto fronts of several objectives."""

from __future__ import annotations

import pytest

import albacore
from albacore.study import StudyDirection


def _study(**kwargs: object) -> albacore.Study:
    return albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("direction", [StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE])
def test_best_trial_is_the_best_feasible_one(direction: StudyDirection) -> None:
    # Samplers' constraints_func results are stored as the list attribute "constraints" (Optuna's layout).
    study = _study(direction=direction)
    better = -1.0 if direction == StudyDirection.MINIMIZE else 1.0
    with pytest.raises(ValueError):
        _ = study.best_trial
    for constraint, value in [(1.0, 0.0), (0.0, 0.0), (1.0, better), (0.0, better)]:
        trial = study.ask()
        study._storage.set_trial_system_attr(trial._trial_id, "constraints", [constraint])
        study.tell(trial, value)
        if trial.number == 0:
            with pytest.raises(ValueError, match="feasible"):
                _ = study.best_trial
    assert study.best_trial.number == 3


def test_best_trials_leave_out_infeasible_ones_whatever_the_constraint_layout() -> None:
    study = _study(directions=["minimize", "maximize"])
    assert study.best_trials == []
    layouts = [{"constraints": [1.0]}, {"constraints": [0.0]}, {"constraints:cost": 2.0}, {"constraints:cost": -1.0}]
    for attrs, values in zip(layouts, [[0, 0], [0, 0], [-1, 1], [1, 2]], strict=True):
        trial = study.ask()
        for key, value in attrs.items():
            study._storage.set_trial_system_attr(trial._trial_id, key, value)
        study.tell(trial, values)
    assert [t.number for t in study.best_trials] == [1, 3]


@pytest.mark.parametrize(
    ("directions", "told", "fronts"),
    [
        (
            ["minimize", "maximize"],
            [(4, 4), (3, 3), (5, 3), (5, 4), (3, 5), (3, 5)],
            [{(4, 4)}, {(3, 3), (4, 4)}, {(3, 3), (4, 4)}, {(3, 3), (4, 4)}, {(3, 5)}, {(3, 5)}],
        ),
        (
            ["maximize", "minimize", "maximize"],
            [(1, 1, 1), (2, 2, 2), (0, 2, 0), (2, 1, 0)],
            [{(1, 1, 1)}, {(1, 1, 1), (2, 2, 2)}, {(1, 1, 1), (2, 2, 2)}, {(1, 1, 1), (2, 2, 2), (2, 1, 0)}],
        ),
    ],
)
def test_pareto_front_after_each_trial(
    directions: list[str], told: list[tuple[float, ...]], fronts: list[set[tuple[float, ...]]]
) -> None:
    study = _study(directions=directions)
    for values, front in zip(told, fronts, strict=True):
        study.optimize(lambda t, v=values: v, n_trials=1)  # type: ignore[misc]
        assert {tuple(t.values) for t in study.best_trials} == front
    assert len(study.best_trials) == len(fronts[-1]) + (told[-1] == told[-2])  # equal trials are both on the front
