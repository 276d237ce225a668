"""GridSampler: every point of a grid exactly once, across all threads and processes of a study.

How workers agree without talking to each other: the storage numbers trials atomically and without gaps, and
every trial is created before anyone can see a later one. So the grid point of trial N is a pure function of the
trials numbered below N, replayed in number order:

* an enqueued trial whose fixed parameters are a grid point takes that point; one whose parameters are not a
  grid point takes nothing (and must give every grid parameter it suggests);
* a retry of a failed trial (``RetryHeartbeatStaleTrialCallback``) takes the point of the trial it retries;
* a trial its worker already stamped with a point (``grid_id``) keeps that point;
* any other trial run by a grid sampler takes the next point, in a seeded order, that nobody took yet;
* trials added finished (``add_trial``) or run by another sampler take nothing.

Every worker replays the same prefix and gets the same answer, so no two trials take the same point. (A running
trial not stamped yet counts as a grid trial; should it end without a point, the stamps of the trials after it keep
later replays in agreement with what their workers took.) The point is also written to the trial's system
attributes (``grid_id``) for people and tools reading the study.
"""

from __future__ import annotations

import hashlib
import math
import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.distributions import BaseDistribution, _same_choice
from albacore.exceptions import InvalidArgumentError, InvalidDistributionError, TrialPruned
from albacore.logging import get_logger
from albacore.samplers._base import BaseSampler
from albacore.storages._callbacks import RetryHeartbeatStaleTrialCallback
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState
from albacore.trial._trial import FIXED_PARAMS_KEY

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["GridSampler", "GridValueType", "stop_optimize"]

GridValueType = str | float | int | bool | None

_GRID_ID_KEY = "grid_id"
_FINGERPRINT_KEY = "grid:fingerprint"
_logger = get_logger(__name__)


def stop_optimize(study: Study) -> None:
    """Stop the running ``optimize`` of ``study`` after its current trials; do nothing outside ``optimize``."""
    if study._budget is not None:
        study.stop()


def _check_values(name: str, values: Any) -> list[GridValueType]:
    if isinstance(values, np.ndarray):
        values = values.tolist()  # numpy scalars become Python ones
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, range)) or len(values) == 0:
        raise InvalidArgumentError(f"The grid of {name!r} must be a non-empty sequence of values, got {values!r}.")
    checked: list[GridValueType] = []
    for v in values:
        if isinstance(v, np.generic):
            v = v.item()
        if v is not None and not isinstance(v, (str, float, int, bool)):
            raise InvalidArgumentError(
                f"Grid values must be None, bool, int, float or str; {name!r} has {v!r} of type {type(v).__name__}."
            )
        checked.append(v)
    return checked


@dataclass
class _Replay:
    """Grid points taken by the trials numbered below ``next_number``."""

    next_number: int = 0
    taken: set[int] = field(default_factory=set)
    cursor: int = 0  # every point before this position of the order is taken
    by_number: dict[int, int] = field(default_factory=dict)  # trial number -> the point it took

    def copy(self) -> _Replay:
        return _Replay(self.next_number, set(self.taken), self.cursor, dict(self.by_number))


class GridSampler(BaseSampler):
    """Try every combination of the given parameter values exactly once, then stop ``optimize``.

    Several threads or processes can work on one study: each grid point goes to exactly one trial (see the
    module documentation for how). When every point is taken, ``optimize`` stops; a trial that a racing worker
    started after that is pruned before its objective does any work (outside ``optimize``, for instance with
    ``ask``, it re-runs a random grid point instead).

    Args:
        search_space: Parameter name -> the values to try. The objective must suggest exactly these parameters.
            A value outside the range the objective asks for is used anyway, with a warning; a categorical value
            that is not among the choices is an error.
        seed: Seed of the order in which points are tried. With None, the order still is the same for every
            worker of the study (it is derived from the study name).

    Example:
        >>> import albacore
        >>> grid = {"x": [-1, 0, 1], "y": ["a", "b"]}
        >>> study = albacore.create_study(sampler=albacore.samplers.GridSampler(grid, seed=0))
        >>> study.optimize(lambda t: t.suggest_int("x", -1, 1) ** 2 + len(t.suggest_categorical("y", ["a", "b"])))
        >>> len(study.trials), study.sampler.is_exhausted(study)
        (6, True)
    """

    def __init__(self, search_space: Mapping[str, Sequence[GridValueType]], seed: int | None = None) -> None:
        if not isinstance(search_space, Mapping) or not search_space:
            raise InvalidArgumentError(
                f"`search_space` must be a non-empty mapping of name -> values, got {search_space!r}."
            )
        self._names = sorted(search_space)
        self._values = {name: _check_values(name, search_space[name]) for name in self._names}
        self._sizes = [len(self._values[name]) for name in self._names]
        self._n_points = math.prod(self._sizes)
        self._seed = seed
        self._fingerprint = hashlib.blake2b(
            repr([(n, self._values[n]) for n in self._names]).encode(), digest_size=8
        ).hexdigest()
        self._orders: dict[str, list[int]] = {}
        self._replays: dict[tuple[int, int], tuple[object, _Replay]] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        state["_replays"] = {}  # a cache tied to storages of this process
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # --- the grid ----------------------------------------------------------------------------------------

    def _point(self, grid_id: int) -> dict[str, GridValueType]:
        params = {}
        for name, size in zip(reversed(self._names), reversed(self._sizes), strict=True):
            grid_id, index = divmod(grid_id, size)
            params[name] = self._values[name][index]
        return params

    def _grid_id_of(self, params: Mapping[str, Any]) -> int | None:
        if set(params) != set(self._names):
            return None
        grid_id = 0
        for name, size in zip(self._names, self._sizes, strict=True):
            index = next((i for i, v in enumerate(self._values[name]) if _same_choice(v, params[name])), None)
            if index is None:
                return None
            grid_id = grid_id * size + index
        return grid_id

    def _order(self, study: Study) -> list[int]:
        key = "" if self._seed is not None else study.study_name
        order = self._orders.get(key)
        if order is None:
            if self._seed is not None:
                entropy = int(self._seed)
            else:
                entropy = int.from_bytes(hashlib.blake2b(study.study_name.encode(), digest_size=8).digest(), "little")
            order = [int(i) for i in np.random.default_rng(entropy).permutation(self._n_points)]
            self._orders[key] = order
        return order

    # --- who takes which point ---------------------------------------------------------------------------

    def _claim(self, trial: FrozenTrial, replay: _Replay) -> tuple[str, int | None]:
        """('fixed', id) for a trial bound to a grid point (an enqueued grid point, or a retry of a trial that
        had one), ('grid', None) for a grid sampler's trial, else ('none', None)."""
        original = RetryHeartbeatStaleTrialCallback.retried_trial_number(trial)
        if original is not None and original in replay.by_number:
            return "fixed", replay.by_number[original]  # a retry runs its failed trial's point again
        if FIXED_PARAMS_KEY in trial.system_attrs:
            # An enqueued trial takes a point only when its parameters are one; its own values run otherwise.
            grid_id = self._grid_id_of(trial.system_attrs[FIXED_PARAMS_KEY])
            return ("none", None) if grid_id is None else ("fixed", grid_id)
        fingerprint = trial.system_attrs.get(_FINGERPRINT_KEY)
        if fingerprint is not None and fingerprint != self._fingerprint:
            return "none", None  # a trial of a grid sampler with another grid
        stamped = trial.system_attrs.get(_GRID_ID_KEY)
        if stamped is not None:
            # The point its worker took. A replay here may see the prefix differently from how that worker saw it
            # (a running trial without a stamp, counted then as a grid trial, may since have ended as none: an
            # unused look-ahead trial), so the stamp, which never changes, decides, never a recomputation.
            return "fixed", int(stamped)
        if _GRID_ID_KEY in trial.system_attrs:
            return "grid", None
        if trial.state in (TrialState.RUNNING, TrialState.WAITING):
            # Created by ask() a moment ago; its worker is about to stamp it.
            return "grid", None
        return "none", None

    def _is_settled(self, trial: FrozenTrial) -> bool:
        return trial.state.is_finished() or _GRID_ID_KEY in trial.system_attrs or FIXED_PARAMS_KEY in trial.system_attrs

    def _take(self, replay: _Replay, order: list[int], trial: FrozenTrial) -> int | None:
        kind, grid_id = self._claim(trial, replay)
        if kind == "none":
            return None
        if grid_id is None:
            while replay.cursor < len(order) and order[replay.cursor] in replay.taken:
                replay.cursor += 1
            if replay.cursor == len(order):
                return None
            grid_id = order[replay.cursor]
            replay.cursor += 1
        replay.taken.add(grid_id)
        replay.by_number[trial.number] = grid_id
        return grid_id

    def _replay(self, study: Study, before: int | None) -> _Replay:
        """The points taken by trials numbered below ``before`` (all trials with None)."""
        order = self._order(study)
        # Straight from the storage: the points taken are shared by the whole study, even when a pruner shows the
        # sampler only part of it (Hyperband's brackets).
        trials = study._storage.get_all_trials(study._study_id, deepcopy=False)
        with self._lock:
            # The entry keeps the storage alive, so its id cannot be reused by another storage meanwhile.
            _, cached = self._replays.setdefault((id(study._storage), study._study_id), (study._storage, _Replay()))
            if before is not None and cached.next_number > before:
                # The cache already went past this trial (an enqueued trial claimed late): replay from scratch.
                cached = _Replay()
            replay = cached
            for trial in trials:
                if trial.number < cached.next_number:
                    continue
                if before is not None and trial.number >= before:
                    break
                if replay is cached and not self._is_settled(trial):
                    # From here on trials may still change how they look: go on with a copy, keep the cache.
                    replay = cached.copy()
                self._take(replay, order, trial)
                if replay is cached:
                    cached.next_number = trial.number + 1
            if replay is cached:
                replay = cached.copy()
            return replay

    def is_exhausted(self, study: Study) -> bool:
        """True when every grid point is taken by a trial of ``study`` (finished, running or enqueued)."""
        return len(self._replay(study, None).taken) >= self._n_points

    # --- BaseSampler -------------------------------------------------------------------------------------

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        replay = self._replay(study, trial.number)
        grid_id = self._take(replay, self._order(study), trial)
        # Other workers may read the trial between the two writes; either half alone already says "grid trial".
        for key, value in ((_FINGERPRINT_KEY, self._fingerprint), (_GRID_ID_KEY, grid_id)):
            study._storage.set_trial_system_attr(trial._trial_id, key, value)
            # The running Trial shares this dict with the view it gave us; keep it in step with the storage.
            trial.system_attrs[key] = value
        if len(replay.taken) >= self._n_points:
            stop_optimize(study)

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return {}

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        if param_name not in self._values:
            raise InvalidArgumentError(
                f"Parameter {param_name!r} is not in the grid of GridSampler (it has {self._names}); add it to "
                "`search_space` or stop suggesting it."
            )
        grid_id = trial.system_attrs.get(_GRID_ID_KEY)
        if grid_id is None and FIXED_PARAMS_KEY in trial.system_attrs:
            raise InvalidArgumentError(
                f"Trial #{trial.number} was enqueued without a value for grid parameter {param_name!r}; with "
                f"GridSampler, enqueue_trial must give every grid parameter ({self._names})."
            )
        if grid_id is None:
            if trial._trial_id in study._running_in_optimize:
                raise TrialPruned(f"Trial #{trial.number} started after every grid point was taken.")
            grid_id = self._order(study)[trial.number % self._n_points]
            _logger.info(f"The grid is exhausted; trial #{trial.number} re-runs grid point {grid_id}.")
            study._storage.set_trial_system_attr(trial._trial_id, _GRID_ID_KEY, grid_id)
            trial.system_attrs[_GRID_ID_KEY] = grid_id
        value = self._point(int(grid_id))[param_name]
        try:
            internal = param_distribution.to_internal_repr(value)
        except InvalidDistributionError as err:
            raise InvalidArgumentError(
                f"Grid value {value!r} of parameter {param_name!r} cannot be a value of the distribution the "
                f"objective asked for ({param_distribution!r}): {err} Make the grid and the suggest_* call agree."
            ) from None
        if not param_distribution._contains(internal):
            # As for enqueued and fixed values: the grid is what the user asked to try.
            warnings.warn(
                f"Grid value {value!r} of parameter {param_name!r} is outside the distribution the objective asked "
                f"for ({param_distribution!r}); it is used anyway.",
                UserWarning,
                stacklevel=2,
            )
        return value

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None) -> None:
        if self.is_exhausted(study):
            stop_optimize(study)
