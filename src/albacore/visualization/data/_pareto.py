"""Data of the Pareto front plot: the trials of a 2- or 3-objective study, split into best, dominated and
infeasible."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from albacore.exceptions import InvalidArgumentError
from albacore.trial import FrozenTrial
from albacore.visualization.data._common import TrialSet, completed_trials, feasibility, objective_names
from albacore.visualization.data._pareto_math import is_pareto_front, minimized

__all__ = ["ParetoFrontData", "ParetoGroup", "pareto_front_data"]

TrialTargets = Callable[[FrozenTrial], Sequence[float]]


@dataclass(frozen=True)
class ParetoGroup:
    """Trials drawn alike.

    Attributes:
        trial_numbers: The trials, by number.
        values: One list per target: ``values[k][i]`` is trial ``i``'s k-th target value.
    """

    trial_numbers: list[int]
    values: list[list[float]]


@dataclass(frozen=True)
class ParetoFrontData:
    """Everything the Pareto front plot draws.

    Attributes:
        n_targets: 2 or 3 (the plot's dimensions).
        target_names: The axis titles.
        best: The feasible trials that no other feasible trial dominates (on the study's objectives).
        dominated: The other feasible trials (empty unless ``include_dominated_trials``).
        infeasible: The trials that violate a constraint.
        include_dominated_trials: Whether dominated trials were asked for.
        has_constraints: Whether any trial has constraints (so infeasible trials get a legend entry).
    """

    n_targets: int
    target_names: list[str]
    best: ParetoGroup
    dominated: ParetoGroup
    infeasible: ParetoGroup
    include_dominated_trials: bool
    has_constraints: bool


def _infer_n_targets(
    trial_set: TrialSet, trials: list[FrozenTrial], targets: TrialTargets | None, names: Sequence[str] | None
) -> int:
    if targets is None:
        return len(trial_set.directions)
    if trials:
        first = targets(trials[0])
        try:
            return len(first)
        except TypeError:
            raise InvalidArgumentError(
                f"`targets` must return a sequence of 2 or 3 values, got {first!r} for trial {trials[0].number}."
            ) from None
    if names is not None:
        return len(names)
    raise InvalidArgumentError(
        "plot_pareto_front cannot tell how many values `targets` returns: the study has no completed trial; "
        "pass target_names too."
    )


def _group(trials: list[FrozenTrial], values: np.ndarray, mask: np.ndarray) -> ParetoGroup:
    picked = np.flatnonzero(mask)
    return ParetoGroup([trials[int(i)].number for i in picked], values[picked].T.tolist())


def pareto_front_data(
    trial_set: TrialSet,
    *,
    target_names: Sequence[str] | None = None,
    include_dominated_trials: bool = True,
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    targets: TrialTargets | None = None,
) -> ParetoFrontData:
    """The COMPLETE trials of a study placed by 2 or 3 target values, split by Pareto optimality and feasibility.

    Which trials are best is decided on the study's objectives (respecting each direction) among the feasible
    trials; ``targets`` only chooses where they are drawn. Feasibility comes from the trials' constraints
    (``trial.set_constraint``), or from ``constraints_func`` (deprecated).

    Args:
        trial_set: The trials of a multi-objective study (``TrialSet.of(study)``).
        target_names: One label per target; the study's metric names or ``Objective N`` when None.
        include_dominated_trials: Also place the trials that are not on the front.
        constraints_func: Deprecated: constraint values of a trial; ``trial.set_constraint`` replaces it.
        targets: Where to draw each trial instead of its objective values (2 or 3 numbers).

    Raises:
        InvalidArgumentError: For other than 2 or 3 targets, ``target_names`` of another length, or ``targets``
            returning values of another length.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(directions=["minimize", "minimize"])
        >>> for values in ([1.0, 2.0], [2.0, 1.0], [2.0, 2.0]):
        ...     study.add_trial(albacore.create_trial(values=values))
        >>> data = pareto_front_data(TrialSet.of(study))
        >>> data.best.trial_numbers, data.dominated.trial_numbers
        ([0, 1], [2])
    """
    if constraints_func is not None:
        warnings.warn(
            "plot_pareto_front(constraints_func=...) is deprecated (as in Optuna 4.0): record constraints in the "
            "objective with trial.set_constraint(name, value) and the plot reads them.",
            FutureWarning,
            stacklevel=3,
        )
    trials = completed_trials(trial_set)
    n_targets = _infer_n_targets(trial_set, trials, targets, target_names)
    if n_targets not in (2, 3):
        raise InvalidArgumentError(f"plot_pareto_front draws 2 or 3 objectives, got {n_targets}.")
    if target_names is not None and len(target_names) != n_targets:
        raise InvalidArgumentError(
            f"target_names must have one name per target ({n_targets}), got {list(target_names)}."
        )
    names = list(target_names) if target_names is not None else None
    if names is None:
        default = objective_names(trial_set)
        names = default if len(default) == n_targets else [f"Objective {k}" for k in range(n_targets)]
    values = np.empty((len(trials), n_targets))
    for i, trial in enumerate(trials):
        row: Sequence[float] = (trial.values or []) if targets is None else targets(trial)
        if isinstance(row, (int, float)) or len(row) != n_targets:
            raise InvalidArgumentError(
                f"`targets` must return {n_targets} values for every trial, got {row!r} for trial {trial.number}."
            )
        values[i] = row
    finite = np.all(np.isfinite(values), axis=1)
    if constraints_func is not None:
        feasible = np.array([all(c <= 0.0 for c in constraints_func(t)) for t in trials], dtype=bool)
        has_constraints = True
    else:
        feasible = feasibility(trials)
        has_constraints = any(t.constraints for t in trials if t.system_attrs)
    objectives = np.array([t.values for t in trials], dtype=float).reshape(len(trials), len(trial_set.directions))
    contenders = feasible & finite & np.all(np.isfinite(objectives), axis=1)
    best = np.zeros(len(trials), dtype=bool)
    if contenders.any():
        best[np.flatnonzero(contenders)] = is_pareto_front(minimized(objectives[contenders], trial_set.directions))
    dominated = contenders & ~best if include_dominated_trials else np.zeros(len(trials), dtype=bool)
    return ParetoFrontData(
        n_targets=n_targets,
        target_names=names,
        best=_group(trials, values, best),
        dominated=_group(trials, values, dominated),
        infeasible=_group(trials, values, ~feasible & finite),
        include_dominated_trials=include_dominated_trials,
        has_constraints=has_constraints,
    )
