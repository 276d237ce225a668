"""ParetoSuccessiveHalvingPruner: successive halving on several objectives' reports, ranked by Pareto fronts."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from albacore._pareto import to_minimization
from albacore.exceptions import InvalidArgumentError
from albacore.pruners._base import BasePruner
from albacore.samplers._nsga._selection import constrained_fronts, crowding_distance
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState
from albacore.trial._vector_reports import vector_reports

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["ParetoSuccessiveHalvingPruner"]

_PEER_STATES = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)


class ParetoSuccessiveHalvingPruner(BasePruner):
    """Successive halving for multi-objective studies: at each rung, keep the best share by Pareto rank.

    Trials report one value per objective (``trial.report([accuracy, size], epoch)``). At the rung steps
    ``min_resource * reduction_factor ** (min_early_stopping_rate + k) - 1`` (k = 0, 1, ...), a trial is compared
    with every other trial that reported at the same step: all are ranked by non-domination (the Pareto front
    first, then the front behind it, ...) and, within a front, by crowding distance (the spread of the front is
    kept). The trial goes on when it is among the best ``1 / reduction_factor`` of them, and is stopped otherwise.
    Until ``reduction_factor`` trials have reported at a rung, nobody is stopped there.

    Args:
        min_resource: Reports before the first rung.
        reduction_factor: The inverse of the share kept at each rung (3 keeps a third).
        min_early_stopping_rate: Skips the first rungs: the first is at
            ``min_resource * reduction_factor ** min_early_stopping_rate`` reports.

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

    def __init__(self, *, min_resource: int = 1, reduction_factor: int = 3, min_early_stopping_rate: int = 0) -> None:
        for name, value, least in (
            ("min_resource", min_resource, 1),
            ("reduction_factor", reduction_factor, 2),
            ("min_early_stopping_rate", min_early_stopping_rate, 0),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise InvalidArgumentError(f"`{name}` must be an integer >= {least}, got {value!r}.")
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
                value = vector_reports(other.system_attrs).get(step)
                if value is not None:
                    rows.append(value)
        if len(rows) < self._reduction_factor:
            return False
        loss = to_minimization(np.array(rows, dtype=float), study.directions)
        loss = np.where(np.isnan(loss), np.inf, loss)
        kept = math.ceil(len(rows) / self._reduction_factor)
        ranked: list[int] = []
        for front in constrained_fronts(loss, np.zeros(len(rows))):
            crowding = crowding_distance(loss[front]) if len(front) > 1 else np.array([np.inf])
            ranked.extend(int(i) for i in front[np.argsort(-crowding, kind="stable")])
            if len(ranked) >= kept:
                break
        return 0 not in ranked[:kept]
