"""ParetoSuccessiveHalvingPruner: successive halving on several objectives' reports, ranked by Pareto fronts."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

import numpy as np

from albacore._hypervolume import hypervolume_contributions_given
from albacore._pareto import to_minimization
from albacore.exceptions import InvalidArgumentError
from albacore.pruners._base import BasePruner
from albacore.samplers._nsga._selection import constrained_fronts, crowding_distance
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState
from albacore.trial._vector_reports import report_at, vector_reports

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["ParetoSuccessiveHalvingPruner"]

_PEER_STATES = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
_TIE_BREAKS = ("crowding", "hypervolume")


def reference_point(loss: np.ndarray) -> np.ndarray:
    """Slightly beyond the worst finite value of each column of ``loss`` (minimized): 10 % of the column's range
    (or of its value, at least 1, when all are equal), so that the extreme points of a front count too."""
    reference = np.ones(loss.shape[1])
    for column in range(loss.shape[1]):
        values = loss[np.isfinite(loss[:, column]), column]
        if values.size:
            worst, best = float(values.max()), float(values.min())
            reference[column] = worst + (0.1 * (worst - best) if worst > best else max(0.1 * abs(worst), 1.0))
    return reference


def exclusive_contributions(points: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """For each row of ``points`` (one front, minimized), the hypervolume lost if that row alone is removed.

    Two objectives take one sort: along increasing first objective, a point's exclusive region spans from it to
    the next point on the first axis and to the previous point on the second. More objectives compare each point
    with the others through :func:`albacore._hypervolume.hypervolume_contributions_given`.
    """
    n = points.shape[0]
    if points.shape[1] == 2:
        clipped = np.minimum(points, reference)
        order = np.lexsort((-clipped[:, 1], clipped[:, 0]))
        x, y = clipped[order, 0], clipped[order, 1]
        width = np.maximum(np.append(x[1:], reference[0]) - x, 0.0)
        height = np.maximum(np.insert(y[:-1], 0, reference[1]) - y, 0.0)
        lost = np.empty(n)
        lost[order] = width * height
        return lost
    others = [np.delete(points, i, axis=0) for i in range(n)]
    return np.array([hypervolume_contributions_given(points[[i]], others[i], reference)[0] for i in range(n)])


def keep_by_hypervolume(points: np.ndarray, n_kept: int, reference: np.ndarray) -> np.ndarray:
    """Indices of ``n_kept`` rows of ``points`` (one front, minimized): the row that adds the least hypervolume
    (the volume lost if it goes) is dropped, contributions are recomputed, and so on until ``n_kept`` are left.

    Recomputing after each drop keeps one of two duplicates (each alone adds nothing while the other is there).
    Ties drop the later row, so the earlier rows are kept.
    """
    remaining = np.arange(points.shape[0])
    while len(remaining) > n_kept:
        lost = exclusive_contributions(points[remaining], reference)
        remaining = np.delete(remaining, int(np.flatnonzero(lost == lost.min())[-1]))
    return remaining


class ParetoSuccessiveHalvingPruner(BasePruner):
    """Successive halving for multi-objective studies: at each rung, keep the best share by Pareto rank.

    Trials report one value per objective (``trial.report([accuracy, size], epoch)``). At the rung steps
    ``min_resource * reduction_factor ** (min_early_stopping_rate + k) - 1`` (k = 0, 1, ...), a trial is compared
    with every other trial that reported at the same step: all are ranked by non-domination (the Pareto front
    first, then the front behind it, ...). The trial goes on when it is among the best ``1 / reduction_factor``
    of them, and is stopped otherwise. Until ``reduction_factor`` trials have reported at a rung, nobody is
    stopped there.

    When the places left run out inside a front, ``tie_break`` chooses who in that front goes on:

    - ``"crowding"`` (the default): the trials with the largest crowding distance (the ends of the front and
      trials far from their neighbours), which keeps the front's spread;
    - ``"hypervolume"``: the trials whose loss would shrink the front's hypervolume the most. The trial whose
      removal loses the least hypervolume (its exclusive contribution) is dropped, contributions are recomputed,
      and so on until the front fits. The reference point is slightly beyond the worst value reported at the
      rung on each objective (10 % of the range). This favours the knees of the front over evenly spread
      points, and may stop an end of the front (a trial best on one objective and poor on the others), which
      adds little hypervolume against that reference point; crowding always keeps the ends. With two
      objectives it costs one sort of the front per dropped trial; with more, a hypervolume per trial of the
      front per dropped trial.

    Args:
        min_resource: Reports before the first rung.
        reduction_factor: The inverse of the share kept at each rung (3 keeps a third).
        min_early_stopping_rate: Skips the first rungs: the first is at
            ``min_resource * reduction_factor ** min_early_stopping_rate`` reports.
        tie_break: ``"crowding"`` or ``"hypervolume"``: how trials of the front that is cut are chosen.

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 0, 1)
        ...     for epoch in range(9):
        ...         trial.report([x * (epoch + 1), 1 - x], epoch)
        ...         if trial.should_prune():
        ...             raise albacore.TrialPruned()
        ...     return x * 9, 1 - x
        >>> study = albacore.create_study(
        ...     directions=["maximize", "minimize"], pruner=albacore.pruners.ParetoSuccessiveHalvingPruner()
        ... )
        >>> study.optimize(objective, n_trials=12)
    """

    multi_objective = True
    """Trials of multi-objective studies may call ``should_prune`` with this pruner."""

    def __init__(
        self,
        *,
        min_resource: int = 1,
        reduction_factor: int = 3,
        min_early_stopping_rate: int = 0,
        tie_break: Literal["crowding", "hypervolume"] = "crowding",
    ) -> None:
        for name, value, least in (
            ("min_resource", min_resource, 1),
            ("reduction_factor", reduction_factor, 2),
            ("min_early_stopping_rate", min_early_stopping_rate, 0),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise InvalidArgumentError(f"`{name}` must be an integer >= {least}, got {value!r}.")
        if not isinstance(tie_break, str) or tie_break not in _TIE_BREAKS:
            raise InvalidArgumentError(f"`tie_break` must be 'crowding' or 'hypervolume', got {tie_break!r}.")
        self._tie_break = tie_break
        self._min_resource = min_resource
        self._reduction_factor = reduction_factor
        self._min_early_stopping_rate = min_early_stopping_rate

    def _is_rung(self, step: int) -> bool:
        reports = step + 1
        rung = self._min_resource * int(self._reduction_factor**self._min_early_stopping_rate)
        while rung < reports:
            rung *= self._reduction_factor
        return rung == reports

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        reports = vector_reports(trial.system_attrs)
        if not reports:
            return False
        step = max(reports)
        if not self._is_rung(step):
            return False
        rows = [reports[step]]
        for other in study.get_trials(deepcopy=False, states=_PEER_STATES):
            if other.number != trial.number:
                value = report_at(other.system_attrs, step)
                if value is not None:
                    rows.append(value)
        if len(rows) < self._reduction_factor:
            return False
        loss = to_minimization(np.array(rows, dtype=float), study.directions)
        loss = np.where(np.isnan(loss), np.inf, loss)
        kept = math.ceil(len(rows) / self._reduction_factor)
        for front in constrained_fronts(loss, np.zeros(len(rows))):
            if len(front) < kept:
                if 0 in front:
                    return False
                kept -= len(front)
                continue
            # The front that is cut: ``kept`` of its trials go on.
            if self._tie_break == "hypervolume":
                chosen = front[keep_by_hypervolume(loss[front], kept, reference_point(loss))]
            else:
                crowding = crowding_distance(loss[front]) if len(front) > 1 else np.array([np.inf])
                chosen = front[np.argsort(-crowding, kind="stable")[:kept]]
            return 0 not in chosen
        return True
