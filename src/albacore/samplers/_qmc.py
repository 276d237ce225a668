"""QMCSampler: quasi-Monte Carlo (Sobol or Halton) points, one per trial, indexed by the trial number.

The point of trial N is point N of the sequence. Trial numbers come from the storage, unique and without gaps,
so parallel workers (threads or processes) never draw the same point and need no shared counter.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.distributions import BaseDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.logging import get_logger
from albacore.samplers._base import BaseSampler, warn_independent_sampling
from albacore.samplers._random import RandomSampler, from_unit
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["QMCSampler"]

_QMC_TYPES = ("sobol", "halton")
_logger = get_logger(__name__)


def _sorted_space(distributions: dict[str, BaseDistribution]) -> dict[str, BaseDistribution]:
    return {name: distributions[name] for name in sorted(distributions) if not distributions[name].single()}


class QMCSampler(BaseSampler):
    """Low-discrepancy sampling: the trials of a study cover the search space more evenly than random draws.

    The search space is fixed by the first finished (complete or pruned) trial of the study. Before any trial
    has finished, the parameters that running trials already suggested are sampled from the sequence (so that
    parallel workers need not wait), and the very first trial is sampled with ``independent_sampler``.
    Parameters outside the space are sampled by ``independent_sampler`` too. Categorical parameters take the
    choice whose share of [0, 1) holds the coordinate.

    Args:
        qmc_type: ``"sobol"`` or ``"halton"``.
        scramble: Randomize the sequence (Owen scrambling for Sobol, permutations for Halton).
        seed: Seed of the scrambling and of the default independent sampler. All workers of a study must use
            the same seed when ``scramble=True``, or their sequences differ.
        independent_sampler: Sampler for parameters outside the search space; RandomSampler(seed) by default.
        warn_asynchronous_seeding: Log a warning when ``scramble=True`` and no seed is given (see ``seed``).
        warn_independent_sampling: Log a warning when a parameter is sampled by ``independent_sampler`` after the
            first trial.

    Example:
        >>> import albacore
        >>> sampler = albacore.samplers.QMCSampler(qmc_type="sobol", seed=0)
        >>> study = albacore.create_study(sampler=sampler)
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), n_trials=5)
        >>> [round(t.params["x"], 2) for t in study.trials[1:]]
        [0.5, 0.75, 0.25, 0.38]
    """

    def __init__(
        self,
        *,
        qmc_type: str = "sobol",
        scramble: bool = False,
        seed: int | None = None,
        independent_sampler: BaseSampler | None = None,
        warn_asynchronous_seeding: bool = True,
        warn_independent_sampling: bool = True,
    ) -> None:
        if qmc_type not in _QMC_TYPES:
            raise InvalidArgumentError(f"`qmc_type` must be one of {_QMC_TYPES}, got {qmc_type!r}.")
        if independent_sampler is not None and not isinstance(independent_sampler, BaseSampler):
            raise InvalidArgumentError(f"`independent_sampler` must be a BaseSampler, got {independent_sampler!r}.")
        if seed is None and scramble and warn_asynchronous_seeding:
            _logger.warning(
                "QMCSampler(scramble=True) got no seed, so it picked a random one. Workers of one study with "
                "different seeds draw from different sequences; give every worker the same `seed`."
            )
        self._qmc_type = qmc_type
        self._scramble = bool(scramble)
        self._seed = int(seed) if seed is not None else int.from_bytes(os.urandom(4), "little")
        self._independent_sampler = independent_sampler or RandomSampler(seed=seed)
        self._warn_independent_sampling = warn_independent_sampling
        # (storage id, study id) -> (storage, the search space of the study's first finished trial).
        self._search_spaces: dict[tuple[int, int], tuple[object, dict[str, BaseDistribution]]] = {}
        self._points = np.empty((0, 0))
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        state["_search_spaces"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:
        # The sequence's own seed stays: every worker must walk the same sequence.
        self._independent_sampler.reseed_rng()

    def _point(self, index: int, dim: int) -> np.ndarray:
        """Point ``index`` of the ``dim``-dimensional sequence, in [0, 1)^dim."""
        with self._lock:
            if self._points.shape[1] != dim or self._points.shape[0] <= index:
                from scipy.stats import qmc

                # Whole powers of two keep Sobol's balance (and scipy quiet); the prefix never changes, so the
                # table is simply regrown.
                m = max(int(index).bit_length(), 4)
                rng = np.random.default_rng(self._seed)
                if self._qmc_type == "sobol":
                    self._points = qmc.Sobol(dim, scramble=self._scramble, seed=rng).random_base2(m)
                else:
                    self._points = qmc.Halton(dim, scramble=self._scramble, seed=rng).random(2**m)
            return np.asarray(self._points[index])

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        key = (id(study._storage), study._study_id)
        known = self._search_spaces.get(key)
        if known is not None and known[0] is study._storage:
            return known[1]
        finished = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED))
        if finished:
            first = min(finished, key=lambda t: t.number)
            space = _sorted_space(first.distributions)
            # The entry keeps the storage alive, so its id cannot be reused by another storage meanwhile.
            self._search_spaces[key] = (study._storage, space)
            return space
        # Nothing finished yet: sample the parameters that running trials already suggested, so that parallel
        # workers do not all wait for the first trial (not kept: a finished trial decides later).
        running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
        union: dict[str, BaseDistribution] = {}
        names: set[str] | None = None
        for t in running:
            if t.number == trial.number:
                continue
            union.update(t.distributions)
            if t.distributions:
                names = set(t.distributions) if names is None else names & set(t.distributions)
        if names is not None and names != set(union):
            _logger.warning(
                "QMCSampler takes one search space for the whole study, but the running trials suggested "
                "different parameters; parameters outside the space of the first finished trial will be sampled "
                "by the independent sampler."
            )
        return _sorted_space(union)

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        point = self._point(trial.number, len(search_space))
        return {name: from_unit(float(u), dist) for (name, dist), u in zip(search_space.items(), point, strict=True)}

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        known = self._search_spaces.get((id(study._storage), study._study_id))
        if known is not None and known[0] is study._storage and self._warn_independent_sampling:
            warn_independent_sampling(self, param_name, trial, "it is not in the search space of the first trial")
        return self._independent_sampler.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._independent_sampler.before_trial(study, trial)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None) -> None:
        self._independent_sampler.after_trial(study, trial, state, values)
