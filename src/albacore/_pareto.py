"""Best trials: the single best for one objective, the Pareto front for several; constraint-aware.

Plain math over FrozenTrials, below the packages that use it (study, samplers, pruners, storages).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from albacore._study_records import StudyDirection
from albacore.trial._constraints import is_feasible
from albacore.trial._frozen import FrozenTrial

__all__ = ["best_of", "is_pareto_front", "pareto_front_trials", "to_minimization"]


def best_of(trials: Sequence[FrozenTrial], direction: StudyDirection) -> FrozenTrial | None:
    """Return the trial with the best value (the earliest on ties), or None for no trials."""
    best: FrozenTrial | None = None
    best_value = math.inf
    sign = -1.0 if direction == StudyDirection.MAXIMIZE else 1.0
    for trial in trials:
        values = trial._values
        if values is None:
            continue
        v = sign * values[0]
        if v < best_value or best is None:  # a study whose only values are infinite has a best trial too
            best, best_value = trial, v
    return best


def to_minimization(values: np.ndarray, directions: Sequence[StudyDirection]) -> np.ndarray:
    """Flip the sign of maximized objectives so that smaller is better in every column."""
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions])
    minimized: np.ndarray = np.asarray(values, dtype=float) * signs
    return minimized


def is_pareto_front(loss: np.ndarray) -> np.ndarray:
    """Mask of the rows of ``loss`` (n x m, minimized) that no other row dominates; duplicates all count.

    Works front-first in lexicographic order: the lexicographically smallest remaining row is never dominated,
    so it joins the front and everything it dominates is dropped. Cost O(n * front size * m).
    """
    n = loss.shape[0]
    on_front = np.zeros(n, dtype=bool)
    remaining = np.lexsort(loss.T[::-1])
    while remaining.size:
        head = loss[remaining[0]]
        on_front[remaining[0]] = True
        rest = loss[remaining[1:]]
        dominated = np.all(rest >= head, axis=1) & np.any(rest > head, axis=1)
        remaining = remaining[1:][~dominated]
    return on_front


def pareto_front_trials(
    trials: Sequence[FrozenTrial], directions: Sequence[StudyDirection], *, consider_constraints: bool = True
) -> list[FrozenTrial]:
    """Return the COMPLETE trials on the Pareto front, ordered by number.

    When any trial is infeasible and ``consider_constraints`` is set, only feasible trials compete.
    """
    candidates = [t for t in trials if t._values is not None]
    if consider_constraints:
        candidates = [t for t in candidates if is_feasible(t.system_attrs)]
    if not candidates:
        return []
    loss = to_minimization(np.array([t._values for t in candidates]), directions)
    mask = is_pareto_front(loss)
    return sorted((t for t, keep in zip(candidates, mask, strict=True) if keep), key=lambda t: t.number)
