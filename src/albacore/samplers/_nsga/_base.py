"""BaseGASampler: generations of a genetic sampler, kept in the storage so that every worker shares them."""

from __future__ import annotations

import abc
import threading
from typing import TYPE_CHECKING

from albacore.exceptions import InvalidArgumentError
from albacore.samplers._base import BaseSampler
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["BaseGASampler"]


class BaseGASampler(BaseSampler, abc.ABC):
    """Base class of generational samplers: assigns trials to generations and caches parent populations.

    A new trial joins the newest generation until that generation has ``population_size`` COMPLETE trials,
    then opens the next one. The generation is a trial system attribute, and each parent population (the
    survivors chosen by :meth:`select_parent`) is stored once as a list of trial numbers in the study system
    attributes, so workers in other threads or processes agree on both.

    Args:
        population_size: Number of COMPLETE trials per generation.
    """

    def __init__(self, *, population_size: int) -> None:
        if isinstance(population_size, bool) or not isinstance(population_size, int) or population_size < 2:
            raise InvalidArgumentError(f"`population_size` must be an integer >= 2, got {population_size!r}.")
        self._population_size = population_size
        self._lock = threading.Lock()
        self._parents_cache: dict[tuple[int, int, int], list[FrozenTrial]] = {}

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        del state["_lock"]
        state["_parents_cache"] = {}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def population_size(self) -> int:
        """Number of COMPLETE trials per generation."""
        return self._population_size

    @property
    def _generation_key(self) -> str:
        return f"{type(self).__name__}:generation"

    def _parents_key(self, generation: int) -> str:
        return f"{type(self).__name__}:parents:{generation}"

    def get_trial_generation(self, study: Study, trial: FrozenTrial) -> int:
        """Return the generation of ``trial``, assigning (and storing) it on the first call."""
        stored = trial.system_attrs.get(self._generation_key)
        if stored is not None:
            return int(stored)
        with self._lock:
            current = study._storage.get_trial(trial._trial_id).system_attrs.get(self._generation_key)
            if current is not None:
                return int(current)
            trials = study.get_trials(deepcopy=False)
            key = self._generation_key
            generations = [t.system_attrs.get(key) for t in trials]
            known = [int(g) for g in generations if g is not None]
            generation = max(known, default=0)
            n_complete = sum(
                1
                for t, g in zip(trials, generations, strict=True)
                if g == generation and t.state == TrialState.COMPLETE
            )
            if n_complete >= self._population_size:
                generation += 1
            study._storage.set_trial_system_attr(trial._trial_id, self._generation_key, generation)
            return generation

    def get_population(self, study: Study, generation: int) -> list[FrozenTrial]:
        """Return the COMPLETE trials of ``generation``."""
        return [
            t
            for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if t.system_attrs.get(self._generation_key) == generation
        ]

    def get_parent_population(self, study: Study, generation: int) -> list[FrozenTrial]:
        """Return the parents that breed ``generation`` (none for generation 0), computing them once."""
        if generation == 0:
            return []
        cache_key = (id(study._storage), study._study_id, generation)
        cached = self._parents_cache.get(cache_key)
        if cached is not None:
            return cached  # finished trials never change, so a parent list read once stays valid
        key = self._parents_key(generation)
        numbers = study._storage.get_study_system_attrs(study._study_id).get(key)
        if numbers is None:
            parents = self.select_parent(study, generation)
            study._storage.set_study_system_attr(study._study_id, key, [t.number for t in parents])
        else:
            by_number = {t.number: t for t in study.get_trials(deepcopy=False)}
            parents = [by_number[n] for n in numbers if n in by_number]
        self._parents_cache[cache_key] = parents
        return parents

    @abc.abstractmethod
    def select_parent(self, study: Study, generation: int) -> list[FrozenTrial]:
        """Choose the parents of ``generation`` from the parents and the population of the previous one."""
