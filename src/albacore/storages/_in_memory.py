"""InMemoryStorage: studies in this process's memory, safe for many threads."""

from __future__ import annotations

import datetime
import threading
import uuid
from collections.abc import Callable, Container, Sequence
from typing import TYPE_CHECKING, Any

from albacore._study_records import FrozenStudy, StudyDirection
from albacore.distributions import BaseDistribution, check_distribution_compatibility
from albacore.exceptions import DuplicatedStudyError, StudyNotFoundError, UpdateFinishedTrialError
from albacore.storages._base import (
    DEFAULT_STUDY_NAME_PREFIX,
    BaseStorage,
    ParamWrites,
    check_ending_state,
    first_distributions,
)
from albacore.storages._heartbeat import make_heartbeat_config, stale_trial_callback_argument
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["InMemoryStorage"]

# Read once: every trial compares states several times, and on Python 3.11 each ``TrialState.X`` goes through
# the enum metaclass's ``__getattr__`` hook, several times the cost of a plain attribute.
_RUNNING, _WAITING, _COMPLETE, _FAIL = TrialState.RUNNING, TrialState.WAITING, TrialState.COMPLETE, TrialState.FAIL
_MAXIMIZE = StudyDirection.MAXIMIZE
# TrialState.is_finished's answer for a stored state, without a call: checked on every write to a trial.
_FINISHED = frozenset((_COMPLETE, TrialState.PRUNED, _FAIL))


class _StudyRecord:
    __slots__ = ("best_number", "directions", "name", "param_kinds", "system_attrs", "trials", "user_attrs", "waiting")

    def __init__(self, name: str, directions: list[StudyDirection]) -> None:
        self.name = name
        self.directions = directions
        self.user_attrs: dict[str, Any] = {}
        self.system_attrs: dict[str, Any] = {}
        self.trials: list[FrozenTrial] = []
        self.param_kinds: dict[str, BaseDistribution] = {}
        self.best_number: int | None = None
        self.waiting: list[int] = []  # numbers of WAITING trials, oldest first


class InMemoryStorage(BaseStorage):
    """Keeps studies in memory: fastest, shared by the threads of one process, gone when it exits.

    It is the storage of ``create_study()`` without a ``storage`` argument. Use an SQLite file
    (``storage="sqlite:///study.db"``) to keep a study across runs or share it between processes.

    Args:
        heartbeat_interval: Seconds between heartbeats of running trials; None turns heartbeats off.
        grace_period: Seconds without a heartbeat after which a running trial is failed (default: twice the
            interval). Useful with threads whose objective can hang.
        heartbeat_stale_trial_callback: Called as ``callback(study, trial)`` for each trial failed that way, e.g.
            ``RetryHeartbeatStaleTrialCallback()``.
        failed_trial_callback: Deprecated name of ``heartbeat_stale_trial_callback`` (warns).
    """

    def __init__(
        self,
        *,
        heartbeat_interval: float | None = None,
        grace_period: float | None = None,
        heartbeat_stale_trial_callback: Callable[[Study, FrozenTrial], None] | None = None,
        failed_trial_callback: Callable[[Study, FrozenTrial], None] | None = None,
    ) -> None:
        callback = stale_trial_callback_argument(heartbeat_stale_trial_callback, failed_trial_callback)
        self._heartbeat_config = make_heartbeat_config(heartbeat_interval, grace_period, callback)
        self._lock = threading.RLock()
        self._studies: dict[int, _StudyRecord] = {}
        self._name_to_id: dict[str, int] = {}
        self._trial_location: dict[int, tuple[int, int]] = {}  # trial id -> (study id, number)
        self._next_study_id = 0
        self._next_trial_id = 0

    def __getstate__(self) -> dict[str, Any]:
        # A pickled study carries its storage (Optuna's users pickle studies to save them); the copy is
        # independent of this one and gets a lock of its own.
        with self._lock:
            state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    # --- studies -----------------------------------------------------------------------------------------

    def _study(self, study_id: int) -> _StudyRecord:
        try:
            return self._studies[study_id]
        except KeyError:
            raise StudyNotFoundError(f"No study with id {study_id} exists in this storage.") from None

    def create_new_study(self, directions: Sequence[StudyDirection], study_name: str | None = None) -> int:
        with self._lock:
            if study_name is None:
                study_name = DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
            if study_name in self._name_to_id:
                raise DuplicatedStudyError(
                    f"A study named {study_name!r} already exists; pass load_if_exists=True to continue it, "
                    f"or pick another name. Existing studies: {sorted(self._name_to_id)}."
                )
            study_id = self._next_study_id
            self._next_study_id += 1
            self._studies[study_id] = _StudyRecord(study_name, list(directions))
            self._name_to_id[study_name] = study_id
            return study_id

    def delete_study(self, study_id: int) -> None:
        with self._lock:
            record = self._study(study_id)
            for trial in record.trials:
                del self._trial_location[trial._trial_id]
            del self._name_to_id[record.name]
            del self._studies[study_id]

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._study(study_id).user_attrs[key] = value

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._study(study_id).system_attrs[key] = value

    def compare_and_set_study_system_attr(self, study_id: int, key: str, expected: Any, value: Any) -> bool:
        with self._lock:
            attrs = self._study(study_id).system_attrs
            if attrs.get(key) != expected:
                return False
            attrs[key] = value
            return True

    def get_study_id_from_name(self, study_name: str) -> int:
        with self._lock:
            try:
                return self._name_to_id[study_name]
            except KeyError:
                raise StudyNotFoundError(
                    f"No study named {study_name!r}; existing studies: {sorted(self._name_to_id)}."
                ) from None

    def get_study_name_from_id(self, study_id: int) -> str:
        with self._lock:
            return self._study(study_id).name

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        with self._lock:
            return list(self._study(study_id).directions)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return dict(self._study(study_id).user_attrs)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return dict(self._study(study_id).system_attrs)

    def get_all_studies(self) -> list[FrozenStudy]:
        with self._lock:
            return [
                FrozenStudy(r.name, None, dict(r.user_attrs), dict(r.system_attrs), sid, directions=r.directions)
                for sid, r in self._studies.items()
            ]

    # --- trials ------------------------------------------------------------------------------------------

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        lock = self._lock
        lock.acquire()
        try:
            record = self._studies.get(study_id) or self._study(study_id)  # _study says what is wrong, if anything
            trial_id = self._next_trial_id
            number = len(record.trials)
            if template_trial is None:
                trial = FrozenTrial._of(
                    number, _RUNNING, None, datetime.datetime.now(), None, {}, {}, {}, {}, {}, trial_id
                )
            else:
                self._check_template(study_id, template_trial)
                trial = template_trial.__deepcopy__({})._evolve(number=number, trial_id=trial_id)
                for name, dist in trial.distributions.items():
                    record.param_kinds[name] = dist
            self._next_trial_id += 1
            record.trials.append(trial)
            self._trial_location[trial_id] = (study_id, number)
            if trial.state == _WAITING:
                record.waiting.append(number)
            elif trial.state == _COMPLETE:
                self._update_best(record, trial)
            return trial_id
        finally:
            lock.release()

    def _create_trials(self, study_id: int, templates: Sequence[FrozenTrial]) -> list[int]:
        with self._lock:  # every template is checked before any is added: all of them or none
            first_distributions(templates)
            for template in templates:
                self._check_template(study_id, template)
            return [self.create_new_trial(study_id, template_trial=template) for template in templates]

    def fail_stale_trial(self, study_id: int, trial_id: int, retry: FrozenTrial | None = None) -> int | None:
        with self._lock:  # re-entrant: both writes happen under one hold of the lock
            if retry is not None:
                self._check_template(study_id, retry)  # before the first write, so that an error writes nothing
            self.set_trial_state_values(trial_id, _FAIL)
            return None if retry is None else self.create_new_trial(study_id, template_trial=retry)

    def get_param_distribution(self, study_id: int, param_name: str) -> BaseDistribution | None:
        with self._lock:
            return self._study(study_id).param_kinds.get(param_name)

    def _check_template(self, study_id: int, template: FrozenTrial) -> None:
        """Raise IncompatibleDistributionError if a parameter of ``template`` has another kind in the study."""
        record = self._study(study_id)
        for name, dist in template.distributions.items():
            self._check_kind(record, name, dist)

    @staticmethod
    def _check_kind(record: _StudyRecord, name: str, dist: BaseDistribution) -> None:
        known = record.param_kinds.get(name)
        if known is not None and known is not dist:
            check_distribution_compatibility(known, dist)

    def _locate(self, trial_id: int) -> tuple[_StudyRecord, int]:
        try:
            study_id, number = self._trial_location[trial_id]
        except KeyError:
            raise KeyError(f"No trial with id {trial_id} exists in this storage.") from None
        return self._studies[study_id], number

    def _running(self, trial_id: int) -> tuple[_StudyRecord, int, FrozenTrial]:
        location = self._trial_location.get(trial_id)  # _locate's answer, without a call on the hot path
        record, number = self._locate(trial_id) if location is None else (self._studies[location[0]], location[1])
        trial = record.trials[number]
        if trial.state in _FINISHED:
            raise UpdateFinishedTrialError(
                f"Trial #{number} is already finished ({trial.state.name}) and cannot be updated."
            )
        return record, number, trial

    def set_trial_params(self, trial_id: int, params: ParamWrites) -> None:
        with self._lock:
            record, number, trial = self._running(trial_id)
            record.trials[number] = self._with_params(record, trial, params)

    def _with_params(self, record: _StudyRecord, trial: FrozenTrial, params: ParamWrites) -> FrozenTrial:
        kinds = record.param_kinds
        for name, (_, dist) in params.items():
            known = kinds.get(name)
            # Identical objects (the common case, thanks to the suggest caches) need no comparison.
            if known is not None and known is not dist:
                check_distribution_compatibility(known, dist)
        new_params = trial._params.copy()
        new_dists = trial._distributions.copy()
        for name, (internal, dist) in params.items():
            new_params[name] = dist.to_external_repr(internal)
            new_dists[name] = dist
            kinds[name] = dist
        new = trial._evolve()  # fields set directly: _evolve's keyword arguments cost more, on every trial's end
        new._params = new_params
        new._distributions = new_dists
        return new

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        with self._lock:
            trials = self._study(study_id).trials
            if not 0 <= trial_number < len(trials):
                raise KeyError(f"Study {study_id} has no trial #{trial_number}.")
            return trials[trial_number]._trial_id

    def get_trial_number_from_id(self, trial_id: int) -> int:
        with self._lock:
            return self._locate(trial_id)[1]

    def set_trial_state_values(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None = None,
        *,
        params: ParamWrites | None = None,
    ) -> bool:
        lock = self._lock
        lock.acquire()
        try:
            record, number, trial = self._running(trial_id)
            if params:
                trial = self._with_params(record, trial, params)  # checked before any change is made
            if state == _RUNNING:
                if trial.state != _WAITING:
                    return False
                record.waiting.remove(number)
                trial = trial._evolve(state=state, datetime_start=datetime.datetime.now())
            else:
                if trial.state == _WAITING:
                    record.waiting.remove(number)
                if not params:
                    trial = trial._evolve()  # a private copy; with params, _with_params already made one
                trial.state = state
                if values is not None:
                    trial._values = list(map(float, values))
                if state in _FINISHED:
                    trial.datetime_complete = datetime.datetime.now()
            record.trials[number] = trial
            if state == _COMPLETE:
                self._update_best(record, trial)
            return True
        finally:
            lock.release()

    def _end_trial_and_start_next(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None, params: ParamWrites | None
    ) -> int | None:
        if state not in _FINISHED:  # the check's own test, without two calls for the usual finished state
            check_ending_state(state)
        lock = self._lock
        lock.acquire()  # re-entrant: the end and the start happen under one hold of the lock
        try:
            self.set_trial_state_values(trial_id, state, values, params=params)  # raises for unknown trials
            study_id = self._trial_location[trial_id][0]
            if self._studies[study_id].waiting:
                return None  # the caller's next ask claims the WAITING trial
            return self.create_new_trial(study_id)
        finally:
            lock.release()

    @staticmethod
    def _update_best(record: _StudyRecord, trial: FrozenTrial) -> None:
        if len(record.directions) != 1 or trial._values is None:
            return
        if record.best_number is None:
            record.best_number = trial._number
            return
        best = record.trials[record.best_number]
        assert best._values is not None
        better = (
            trial._values[0] > best._values[0]
            if record.directions[0] == _MAXIMIZE
            else trial._values[0] < best._values[0]
        )
        if better:
            record.best_number = trial._number

    def set_trial_intermediate_value(self, trial_id: int, step: int, intermediate_value: float) -> None:
        with self._lock:
            record, number, trial = self._running(trial_id)
            values = dict(trial.intermediate_values)
            values[step] = intermediate_value
            record.trials[number] = trial._evolve(intermediate_values=values)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._lock:
            record, number, trial = self._running(trial_id)
            record.trials[number] = trial._evolve(user_attrs={**trial.user_attrs, key: value})

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._lock:
            record, number, trial = self._running(trial_id)
            record.trials[number] = trial._evolve(system_attrs={**trial.system_attrs, key: value})

    def get_trial(self, trial_id: int) -> FrozenTrial:
        # acquire/release rather than `with`, here and in the other methods every trial calls: on Python 3.11 a
        # `with` makes two bound methods (__enter__, __exit__) each time: about 1,200 instructions per `with`.
        lock = self._lock
        lock.acquire()
        try:
            location = self._trial_location.get(trial_id)  # _locate's answer, without a call on the hot path
            record, number = self._locate(trial_id) if location is None else (self._studies[location[0]], location[1])
            return record.trials[number]
        finally:
            lock.release()

    def get_all_trials(
        self, study_id: int, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        with self._lock:
            trials = self._study(study_id).trials
            selected = list(trials) if states is None else [t for t in trials if t.state in states]
        if deepcopy:
            return [t.__deepcopy__({}) for t in selected]
        return selected

    def _get_trials_from(self, study_id: int, first_number: int) -> tuple[int, list[FrozenTrial]]:
        if "get_all_trials" in vars(self) or type(self).get_all_trials is not InMemoryStorage.get_all_trials:
            # A subclass or a patched instance that changes what get_all_trials answers is followed.
            return super()._get_trials_from(study_id, first_number)
        with self._lock:
            trials = self._study(study_id).trials
            return len(trials), trials[first_number:]

    def get_n_trials(self, study_id: int, state: TrialState | tuple[TrialState, ...] | None = None) -> int:
        with self._lock:
            record = self._study(study_id)
            if state is None:
                return len(record.trials)
            if state == _WAITING:
                return len(record.waiting)
        return super().get_n_trials(study_id, state)

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        lock = self._lock
        lock.acquire()
        try:
            record = self._studies.get(study_id) or self._study(study_id)
            if len(record.directions) > 1:
                raise RuntimeError("A study with several objectives has no single best trial; use `best_trials`.")
            if record.best_number is None:
                raise ValueError("No trials are completed yet.")
            return record.trials[record.best_number]
        finally:
            lock.release()

    def claim_waiting_trial(self, study_id: int) -> int | None:
        with self._lock:
            record = self._study(study_id)
            if not record.waiting:
                return None
            trial_id = record.trials[record.waiting[0]]._trial_id
            claimed = self.set_trial_state_values(trial_id, _RUNNING)
            assert claimed
            return trial_id
