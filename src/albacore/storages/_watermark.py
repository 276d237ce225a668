"""The watermark cache of a study's trials, shared by the clients that cache a remote storage.

Finished trials (COMPLETE, PRUNED, FAIL) never change, so a client keeps them once read. Trial numbers are
gap-free and each new trial is visible before the next number is taken, so a client that has read every trial
numbered up to its *watermark* needs, to be current, only the trials numbered above it and the ones it last saw
unfinished (RUNNING or WAITING). ``_cached`` (in front of RDB) and the gRPC proxy's client keep one per study.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Container, Iterable
from typing import Any

from albacore.storages._base import ParamWrites
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["CachedTrials", "StudyCache", "with_params"]


class StudyCache:
    """One study's trials by number, the unfinished ones by id, and the watermark."""

    __slots__ = ("by_number", "unfinished", "watermark")

    def __init__(self) -> None:
        self.by_number: list[FrozenTrial | None] = []  # index = trial number; numbers are gap-free
        self.unfinished: dict[int, int] = {}  # trial id -> number, for trials last seen RUNNING or WAITING
        self.watermark = -1  # highest trial number read from the database

    def put(self, trial: FrozenTrial) -> None:
        """Keep ``trial`` at its number; a finished trial is never replaced by an older snapshot of itself."""
        number = trial.number
        if number == len(self.by_number):  # the common case: the next new trial
            self.by_number.append(trial)
            if not trial.state.is_finished():
                self.unfinished[trial._trial_id] = number
            return
        if number > len(self.by_number):
            self.by_number.extend([None] * (number + 1 - len(self.by_number)))
        current = self.by_number[number]
        if current is not None and current.state.is_finished() and current is not trial:
            return  # a finished trial is final; an older snapshot of it must not replace it
        self.by_number[number] = trial
        if trial.state.is_finished():
            self.unfinished.pop(trial._trial_id, None)
        else:
            self.unfinished[trial._trial_id] = number


def with_params(trial: FrozenTrial, params: ParamWrites) -> dict[str, Any]:
    """The ``params`` and ``distributions`` of ``trial`` after writing ``params`` (for ``FrozenTrial._evolve``)."""
    new_params = dict(trial._params)
    new_dists = dict(trial._distributions)
    for name, (internal, dist) in params.items():
        new_params[name] = dist.to_external_repr(internal)
        new_dists[name] = dist
    return {"params": new_params, "distributions": new_dists}


class CachedTrials:
    """The client side of a cached storage: per-study watermark caches, finished trials, and the running trials
    this client writes (write-through). ``_cached._CachedStorage`` and the gRPC proxy's client derive from it and
    say how to read what changed (``_refresh``'s ``read``)."""

    _lock: threading.RLock
    _studies: dict[int, StudyCache]
    _trials: dict[int, FrozenTrial]  # finished trials, and running ones this client writes
    _homes: dict[int, int]  # trial id -> study id, for the trials in `_trials`

    def _init_trials_cache(self) -> None:
        self._lock = threading.RLock()
        self._studies = {}
        self._trials = {}
        self._homes = {}

    def _forget_study(self, study_id: int) -> None:
        with self._lock:
            self._studies.pop(study_id, None)
            for trial_id in [t for t, s in self._homes.items() if s == study_id]:
                del self._homes[trial_id]
                self._trials.pop(trial_id, None)

    def _keep(self, study_id: int, trial: FrozenTrial) -> None:
        with self._lock:
            self._trials[trial._trial_id] = trial
            self._homes[trial._trial_id] = study_id
            cache = self._studies.get(study_id)
            if cache is not None:
                cache.put(trial)

    def _forget_if_unfinished(self, trial_id: int) -> None:
        with self._lock:
            trial = self._trials.get(trial_id)
            if trial is not None and not trial.state.is_finished():
                del self._trials[trial_id]

    def _owned(self, trial_id: int) -> FrozenTrial | None:
        trial = self._trials.get(trial_id)
        return None if trial is None or trial.state.is_finished() else trial

    def _write_through(self, trial_id: int, params: ParamWrites | None = None, **changes: Any) -> None:
        """Apply a write that the storage accepted to the local copy of a trial this client runs."""
        with self._lock:
            trial = self._owned(trial_id)
            if trial is None:
                return
            if params:
                changes.update(with_params(trial, params))
            self._keep(self._homes[trial_id], trial._evolve(**changes))

    def _cached_trial_id(self, study_id: int, trial_number: int) -> int | None:
        with self._lock:
            cache = self._studies.get(study_id)
            if cache is not None and 0 <= trial_number < len(cache.by_number):
                trial = cache.by_number[trial_number]
                if trial is not None:
                    return trial._trial_id
        return None

    def _study_cache(self, study_id: int) -> StudyCache:
        with self._lock:
            cache = self._studies.get(study_id)
            if cache is None:
                cache = self._studies[study_id] = StudyCache()
            return cache

    def _merge(self, study_id: int, cache: StudyCache, fresh: Iterable[FrozenTrial]) -> None:
        """Take in trials read since the watermark (and the unfinished ones again)."""
        with self._lock:
            for trial in fresh:
                if trial.number > cache.watermark:
                    cache.watermark = trial.number
                kept = self._trials.get(trial._trial_id)
                if kept is not None and kept.state.is_finished():
                    cache.put(kept)
                    continue
                cache.put(trial)
                if trial.state.is_finished():
                    self._trials[trial._trial_id] = trial
                    self._homes[trial._trial_id] = study_id
                elif kept is not None:
                    self._trials[trial._trial_id] = trial  # the storage is the truth for running trials

    def _select(self, cache: StudyCache, deepcopy: bool, states: Container[TrialState] | None) -> list[FrozenTrial]:
        """The cached trials of a study, in order, optionally only those in ``states``, copied or not."""
        with self._lock:
            trials = [t for t in cache.by_number if t is not None]
        if states is not None:
            trials = [t for t in trials if t.state in states]
        if not deepcopy:
            return trials
        # Copying many trials makes many objects and no cycles, and the collector would otherwise scan the
        # (large) cache over and over meanwhile.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return [t.__deepcopy__({}) for t in trials]
        finally:
            if collecting:
                gc.enable()
