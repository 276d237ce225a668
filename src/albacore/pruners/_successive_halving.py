"""SuccessiveHalvingPruner: asynchronous successive halving (ASHA, Li et al. 2018).

A trial climbs rungs at steps ``min_resource * reduction_factor ** (min_early_stopping_rate + k)``. On reaching a
rung it records its value there (a trial system attribute, so every worker sees it at once) and goes on only if
that value is among the best ``1 / reduction_factor`` of the values recorded at the rung so far. The decision
uses the trials that have already reached the rung; nobody waits for stragglers.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Container
from typing import TYPE_CHECKING, Any

from albacore._study_records import StudyDirection
from albacore.exceptions import InvalidArgumentError
from albacore.pruners._base import BasePruner
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["SuccessiveHalvingPruner", "rung_key"]

TrialsGetter = Callable[[Container[TrialState] | None], list[FrozenTrial]]


def rung_key(rung: int) -> str:
    """The trial system attribute holding a trial's value at rung ``rung`` (the name Optuna also uses)."""
    return f"completed_rung_{rung}"


def _current_rung(trial: FrozenTrial) -> int:
    rung = 0
    while rung_key(rung) in trial.system_attrs:
        rung += 1
    return rung


def _estimate_min_resource(completed: list[FrozenTrial]) -> int | None:
    last_steps = [t.last_step for t in completed if t.last_step is not None]
    if not last_steps:
        return None
    # One percent of the longest finished run, as in the ASHA paper's suggested ratio of r_max to r_min.
    return max(max(last_steps) // 100, 1)


def _is_promotable(value: float, competing: list[float], reduction_factor: int, maximize: bool) -> bool:
    n_promoted = max(len(competing) // reduction_factor, 1)
    ranked = sorted(competing, reverse=maximize)
    threshold = ranked[n_promoted - 1]
    return value >= threshold if maximize else value <= threshold


def _check_int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidArgumentError(f"`{name}` must be an integer >= {minimum}, got {value!r}.")
    return value


class SuccessiveHalvingPruner(BasePruner):
    """Asynchronous successive halving: keep the best ``1 / reduction_factor`` of trials at each rung.

    Args:
        min_resource: Steps before the first rung; ``"auto"`` takes 1% of the longest completed trial's last
            step (at least 1) once a trial has completed, and prunes nothing before that.
        reduction_factor: Only the best ``1 / reduction_factor`` of the trials at a rung are promoted; rungs are
            ``reduction_factor`` times further apart each.
        min_early_stopping_rate: Skip this many rungs at the start (the first rung is at
            ``min_resource * reduction_factor ** min_early_stopping_rate``).
        bootstrap_count: A trial is pruned at a rung until more than this many trials reached it (needs an
            explicit ``min_resource``).

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 0, 1)
        ...     for step in range(20):
        ...         trial.report(x * (step + 1), step)
        ...         if trial.should_prune():
        ...             raise albacore.TrialPruned()
        ...     return x
        >>> pruner = albacore.pruners.SuccessiveHalvingPruner(min_resource=2)
        >>> study = albacore.create_study(pruner=pruner, sampler=albacore.samplers.RandomSampler(seed=0))
        >>> study.optimize(objective, n_trials=10)
        >>> any(t.state == albacore.trial.TrialState.PRUNED for t in study.trials)
        True
    """

    def __init__(
        self,
        min_resource: str | int = "auto",
        reduction_factor: int = 4,
        min_early_stopping_rate: int = 0,
        bootstrap_count: int = 0,
    ) -> None:
        if min_resource != "auto":
            _check_int(min_resource, "min_resource", 1)
        _check_int(reduction_factor, "reduction_factor", 2)
        _check_int(min_early_stopping_rate, "min_early_stopping_rate", 0)
        _check_int(bootstrap_count, "bootstrap_count", 0)
        if bootstrap_count > 0 and min_resource == "auto":
            raise InvalidArgumentError(
                f"`bootstrap_count` > 0 needs an explicit `min_resource`, got bootstrap_count={bootstrap_count} "
                "with min_resource='auto'."
            )
        self._min_resource: int | None = None if min_resource == "auto" else int(min_resource)
        self._reduction_factor = reduction_factor
        self._min_early_stopping_rate = min_early_stopping_rate
        self._bootstrap_count = bootstrap_count
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        return self._prune_among(study, trial, lambda states: study.get_trials(deepcopy=False, states=states))

    def _resolve_min_resource(self, get_trials: TrialsGetter) -> int | None:
        with self._lock:
            if self._min_resource is None:
                self._min_resource = _estimate_min_resource(get_trials((TrialState.COMPLETE,)))
            return self._min_resource

    def _prune_among(self, study: Study, trial: FrozenTrial, get_trials: TrialsGetter) -> bool:
        """Decide for ``trial`` against the trials ``get_trials`` returns (a bracket's, for Hyperband)."""
        step = trial.last_step
        if step is None:
            return False
        min_resource = self._resolve_min_resource(get_trials)
        if min_resource is None:
            return False
        value = trial.intermediate_values[step]
        maximize = study.direction == StudyDirection.MAXIMIZE
        rung = _current_rung(trial)
        others: list[FrozenTrial] | None = None
        # A trial that skipped steps may cross several rungs in one report; it climbs them one by one.
        while step >= min_resource * self._reduction_factor ** (self._min_early_stopping_rate + rung):
            if math.isnan(value):
                return True
            if others is None:
                others = [t for t in get_trials(None) if t.number != trial.number]
            key = rung_key(rung)
            study._storage.set_trial_system_attr(trial._trial_id, key, value)
            # The running Trial shares this dict with the view it handed us; keep it in step with the storage
            # so the next should_prune() starts from the right rung without a storage read.
            trial.system_attrs[key] = value
            competing = [v for t in others if (v := t.system_attrs.get(key)) is not None and not math.isnan(v)]
            competing.append(value)
            if len(competing) <= self._bootstrap_count:
                return True
            if not _is_promotable(value, competing, self._reduction_factor, maximize):
                return True
            rung += 1
        return False
