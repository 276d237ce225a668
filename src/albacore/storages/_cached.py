"""_CachedStorage: a client-side cache in front of RDBStorage, so that reading trials costs only what changed.

What it keeps, per study, and why it is safe:

- **Finished trials** (COMPLETE, PRUNED, FAIL) never change, so once read they are served from memory.
- A **watermark**: the highest trial number read so far. Numbers are handed out under a lock (the study row's,
  or SQLite's single writer lock) and each new trial is committed before the next number can be taken, so
  every trial numbered at or below the watermark was visible when the watermark was read. A refresh reads only
  trials numbered above it, plus the trials last seen unfinished (RUNNING or WAITING), in one query per table.
- **Trials this client runs** (created here as RUNNING): writes go to the database first, then to the local
  copy (write-through), so ``get_trial`` during a trial and right after ``tell`` needs no query. Writes to
  such a trial by other clients are not seen here until it is re-read; albacore itself never does that
  (a worker failing a stale trial makes this client's next write raise UpdateFinishedTrialError instead).

Everything else (study attributes, names, counts of waiting trials) goes to the database each time.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
import time
from collections.abc import Container, Iterator, Sequence
from typing import Any

from albacore._study_records import FrozenStudy, StudyDirection
from albacore.distributions import BaseDistribution
from albacore.exceptions import UpdateFinishedTrialError
from albacore.storages._base import BaseStorage, ParamWrites
from albacore.storages._heartbeat import HeartbeatConfig
from albacore.storages._watermark import CachedTrials, StudyCache
from albacore.storages.rdb._storage import RDBStorage
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["_CachedStorage", "wrap_rdb_storage"]


class _CachedStorage(CachedTrials, BaseStorage):
    """Caches an :class:`~albacore.storages.RDBStorage`'s finished trials; see the module docstring.

    ``create_study(storage="sqlite:///x.db")`` and ``create_study(storage=RDBStorage(...))`` use it on their own.

    Args:
        backend: The storage to cache.

    Example:
        >>> import albacore, tempfile, os
        >>> from albacore.storages import RDBStorage
        >>> from albacore.storages._cached import _CachedStorage
        >>> url = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "cached.db")
        >>> storage = _CachedStorage(RDBStorage(url))
        >>> study = albacore.create_study(storage=storage)
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
        >>> len(study.trials)
        5
    """

    def __init__(self, backend: RDBStorage) -> None:
        self._backend = backend
        self._init_cache()

    def _init_cache(self) -> None:
        self._init_trials_cache()
        self._directions: dict[int, list[StudyDirection]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"_backend": self._backend}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._backend = state["_backend"]
        self._init_cache()

    @property
    def backend(self) -> RDBStorage:
        """The cached storage."""
        return self._backend

    # --- studies (mostly passed through) -----------------------------------------------------------------

    def create_new_study(self, directions: Sequence[StudyDirection], study_name: str | None = None) -> int:
        return self._backend.create_new_study(directions, study_name)

    def delete_study(self, study_id: int) -> None:
        self._backend.delete_study(study_id)
        self._forget_study(study_id)
        self._directions.pop(study_id, None)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._backend.set_study_user_attr(study_id, key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._backend.set_study_system_attr(study_id, key, value)

    def compare_and_set_study_system_attr(self, study_id: int, key: str, expected: Any, value: Any) -> bool:
        return self._backend.compare_and_set_study_system_attr(study_id, key, expected, value)

    def get_study_id_from_name(self, study_name: str) -> int:
        return self._backend.get_study_id_from_name(study_name)

    def get_study_name_from_id(self, study_id: int) -> str:
        return self._backend.get_study_name_from_id(study_id)

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        directions = self._directions.get(study_id)
        if directions is None:
            directions = self._backend.get_study_directions(study_id)
            self._directions[study_id] = directions
        return list(directions)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return self._backend.get_study_user_attrs(study_id)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return self._backend.get_study_system_attrs(study_id)

    def get_all_studies(self) -> list[FrozenStudy]:
        return self._backend.get_all_studies()

    def get_param_distribution(self, study_id: int, param_name: str) -> BaseDistribution | None:
        return self._backend.get_param_distribution(study_id, param_name)

    # --- writing trials ----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _writing(self, trial_id: int) -> Iterator[None]:
        """Around a write to a trial: if it turns out finished by another client, forget the local copy."""
        try:
            yield
        except UpdateFinishedTrialError:
            self._forget_if_unfinished(trial_id)
            raise

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        trial = self._backend._create_trial(study_id, template_trial)
        if trial.state != TrialState.WAITING:
            # A WAITING trial belongs to whichever worker claims it, so it is not kept as this client's.
            self._keep(study_id, trial)
        return trial._trial_id

    def _create_trials(self, study_id: int, templates: Sequence[FrozenTrial]) -> list[int]:
        trials = self._backend._create_trials_as_stored(study_id, templates)
        for trial in trials:
            if trial.state != TrialState.WAITING:
                self._keep(study_id, trial)
        return [trial._trial_id for trial in trials]

    def set_trial_params(self, trial_id: int, params: ParamWrites) -> None:
        with self._writing(trial_id):
            self._backend.set_trial_params(trial_id, params)
        self._write_through(trial_id, params=params)

    def set_trial_state_values(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None = None,
        *,
        params: ParamWrites | None = None,
    ) -> bool:
        now = time.time()
        try:  # `_writing`, spelled out: this runs at every trial end
            if not self._backend._set_state(trial_id, state, values, params, now):
                return False
        except UpdateFinishedTrialError:
            self._forget_if_unfinished(trial_id)
            raise
        self._ended(trial_id, state, values, params, now)
        return True

    def _end_trial_and_start_next(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None, params: ParamWrites | None
    ) -> int | None:
        now = time.time()
        try:
            started = self._backend._end_and_start(trial_id, state, values, params, now)
        except UpdateFinishedTrialError:
            self._forget_if_unfinished(trial_id)
            raise
        self._ended(trial_id, state, values, params, now)
        if started is None:
            return None
        study_id, trial = started
        self._keep(study_id, trial)
        return trial._trial_id

    def _ended(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None, params: ParamWrites | None, now: float
    ) -> None:
        """Write a stored state change through to the local copy of the trial."""
        changes: dict[str, Any] = {"state": state}
        if values is not None:
            changes["values"] = [float(v) for v in values]
        if state.is_finished():
            changes["datetime_complete"] = datetime.datetime.fromtimestamp(now)
        self._write_through(trial_id, params=params, **changes)

    def fail_stale_trial(self, study_id: int, trial_id: int, retry: FrozenTrial | None = None) -> int | None:
        # The stale trial is another worker's (or this client's, given up on): drop any local copy either way.
        try:
            return self._backend.fail_stale_trial(study_id, trial_id, retry)
        finally:
            self._forget_if_unfinished(trial_id)

    def set_trial_intermediate_value(self, trial_id: int, step: int, intermediate_value: float) -> None:
        with self._writing(trial_id):
            self._backend.set_trial_intermediate_value(trial_id, step, intermediate_value)
        trial = self._owned(trial_id)
        if trial is not None:
            self._write_through(trial_id, intermediate_values={**trial.intermediate_values, step: intermediate_value})

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._writing(trial_id):
            self._backend.set_trial_user_attr(trial_id, key, value)
        trial = self._owned(trial_id)
        if trial is not None:
            self._write_through(trial_id, user_attrs={**trial.user_attrs, key: value})

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._writing(trial_id):
            self._backend.set_trial_system_attr(trial_id, key, value)
        trial = self._owned(trial_id)
        if trial is not None:
            self._write_through(trial_id, system_attrs={**trial.system_attrs, key: value})

    # --- reading trials ----------------------------------------------------------------------------------

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        trial_id = self._cached_trial_id(study_id, trial_number)
        if trial_id is not None:
            return trial_id
        return self._backend.get_trial_id_from_study_id_trial_number(study_id, trial_number)

    def get_trial_number_from_id(self, trial_id: int) -> int:
        trial = self._trials.get(trial_id)
        if trial is not None:
            return trial.number
        return self._backend.get_trial_number_from_id(trial_id)

    def get_trial(self, trial_id: int) -> FrozenTrial:
        trial = self._trials.get(trial_id)
        if trial is not None:
            return trial
        trial = self._backend.get_trial(trial_id)
        if trial.state.is_finished():
            with self._lock:
                self._trials[trial_id] = trial
        return trial

    def _refresh(self, study_id: int) -> StudyCache:
        """Read what changed since the last refresh; return the study's (now current) cache."""
        with self._lock:
            cache = self._study_cache(study_id)
            fresh = self._backend._read_trials(study_id, after_number=cache.watermark, trial_ids=list(cache.unfinished))
            self._merge(study_id, cache, fresh)
            return cache

    def get_all_trials(
        self, study_id: int, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        return self._select(self._refresh(study_id), deepcopy, states)

    def get_n_trials(self, study_id: int, state: TrialState | tuple[TrialState, ...] | None = None) -> int:
        if state is None:
            return len(self.get_all_trials(study_id, deepcopy=False))
        return super().get_n_trials(study_id, state)

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        directions = self.get_study_directions(study_id)
        if len(directions) > 1:
            raise RuntimeError("A study with several objectives has no single best trial; use `best_trials`.")
        trial_id = self._backend._best_trial_id(study_id, directions[0])
        if trial_id is None:
            raise ValueError("No trials are completed yet.")
        return self.get_trial(trial_id)

    def claim_waiting_trial(self, study_id: int) -> int | None:
        trial_id = self._backend.claim_waiting_trial(study_id)
        if trial_id is not None:
            # Read once after the claim (the template's attributes), then this client writes it through.
            self._keep(study_id, self._backend.get_trial(trial_id))
        return trial_id

    def get_heartbeat_config(self) -> HeartbeatConfig | None:
        return self._backend.get_heartbeat_config()

    def remove_session(self) -> None:
        self._backend.remove_session()

    def __repr__(self) -> str:
        return f"_CachedStorage({self._backend!r})"


def wrap_rdb_storage(storage: BaseStorage) -> BaseStorage:
    """Put an RDBStorage behind the cache (one cache per RDBStorage object); return other storages as they are."""
    if type(storage) is not RDBStorage:
        return storage
    with _WRAP_LOCK:
        cached: _CachedStorage | None = getattr(storage, "_albacore_cache", None)
        if cached is None:
            cached = _CachedStorage(storage)
            storage._albacore_cache = cached  # type: ignore[attr-defined]
        return cached


_WRAP_LOCK = threading.Lock()
