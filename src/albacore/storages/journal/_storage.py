"""JournalStorage: studies kept as an append-only log of operations, replayed into memory by every client.

Each write appends one operation (a JSON object) to the backend's log; each client replays the records it
has not seen yet into an :class:`~albacore.storages.InMemoryStorage`, which holds the state and enforces the
rules. Because every client applies the same records in the same order with the same rules, races resolve
the same way everywhere: a trial's number and id come from the position of its ``create_trial`` record; of
two workers claiming one WAITING trial, the record that comes first wins and the other one is a no-op, which
its writer reports as False. A write returns the records other workers appended before it together with
its own position (``append_and_read_logs``): the writer replays theirs, then applies its own record from the
dictionary it wrote, which gives it the outcome without reading its record back.

The record format and the rules of replay are in ``_replay``.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Container, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from albacore._study_records import FrozenStudy, StudyDirection
from albacore.distributions import BaseDistribution
from albacore.exceptions import (
    AlbacoreError,
    InvalidArgumentError,
    StorageVersionError,
    StudyNotFoundError,
    UpdateFinishedTrialError,
)
from albacore.logging import get_logger
from albacore.storages._base import (
    DEFAULT_STUDY_NAME_PREFIX,
    BaseStorage,
    ParamWrites,
    check_ending_state,
    first_distributions,
)
from albacore.storages._heartbeat import make_heartbeat_config, stale_trial_callback_argument
from albacore.storages._in_memory import InMemoryStorage
from albacore.storages.journal._base import BaseJournalBackend, BaseJournalSnapshot
from albacore.storages.journal._replay import JournalReplay
from albacore.storages.journal._snapshot import dump_state, gc_paused, load_state
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["JournalStorage"]

_logger = get_logger(__name__)


class JournalStorage(JournalReplay, BaseStorage):
    """A storage that keeps every change as a record in an append-only journal, shared by processes.

    Use it with :class:`~albacore.storages.journal.JournalFileBackend` for processes on one machine or on a
    network file system, or with :class:`~albacore.storages.journal.JournalRedisBackend`. The URLs
    ``"journal:///path/to/file.log"`` and ``"redis://host:port/db"`` build one for you.

    Reads first replay the records other workers appended since this client's last read; finished trials
    never change, so reading one needs no replay. Every ``snapshot_interval`` records (growing with the
    journal), a client saves a JSON snapshot of the state through the backend, so opening a long journal
    replays only what came after it.

    Args:
        log_storage: The backend holding the journal.
        snapshot_interval: Records between snapshots at least; 0 disables writing snapshots.
        heartbeat_interval: Seconds between heartbeats of running trials; None turns heartbeats off.
        grace_period: Seconds without a heartbeat after which a running trial is failed (default: twice the
            interval).
        heartbeat_stale_trial_callback: Called as ``callback(study, trial)`` for each trial failed that way, e.g.
            ``RetryHeartbeatStaleTrialCallback()``.
        failed_trial_callback: Deprecated name of ``heartbeat_stale_trial_callback`` (warns).

    Example:
        >>> import os, tempfile
        >>> import albacore
        >>> path = os.path.join(tempfile.mkdtemp(), "study.log")
        >>> study = albacore.create_study(storage=f"journal://{path}", study_name="demo")
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=5)
        >>> len(study.trials)
        5
    """

    def __init__(
        self,
        log_storage: BaseJournalBackend,
        *,
        snapshot_interval: int = 4096,
        heartbeat_interval: float | None = None,
        grace_period: float | None = None,
        heartbeat_stale_trial_callback: Callable[[Study, FrozenTrial], None] | None = None,
        failed_trial_callback: Callable[[Study, FrozenTrial], None] | None = None,
    ) -> None:
        if not isinstance(log_storage, BaseJournalBackend):
            raise InvalidArgumentError(
                f"JournalStorage needs a journal backend (JournalFileBackend or JournalRedisBackend), got "
                f"{log_storage!r}."
            )
        if snapshot_interval < 0:
            raise InvalidArgumentError(f"`snapshot_interval` must be >= 0, got {snapshot_interval!r}.")
        callback = stale_trial_callback_argument(heartbeat_stale_trial_callback, failed_trial_callback)
        self._heartbeat_config = make_heartbeat_config(heartbeat_interval, grace_period, callback)
        self._backend = log_storage
        self._lock = threading.RLock()
        self._state = InMemoryStorage()
        self._log_number = 0
        self._pid = os.getpid()
        self._dists = {}
        self._dist_jsons = {}
        # Trials this client started and has not ended: no one else runs them, so reading one needs no replay.
        self._owned: set[int] = set()
        self._snapshot_interval = snapshot_interval
        self._snapshot_at = 0
        self._handlers = self._replay_handlers()
        with self._lock, gc_paused():
            if isinstance(log_storage, BaseJournalSnapshot):
                loaded = log_storage.load_snapshot()
                if loaded is not None:
                    try:
                        self._state = load_state(loaded[1])
                    except (StorageVersionError, ValueError, KeyError, TypeError, IndexError) as err:
                        # A snapshot only saves time: when it cannot be used, replay the whole journal.
                        _logger.warning(
                            f"Ignoring the journal snapshot ({err!r}); replaying the journal from the start."
                        )
                        self._state = InMemoryStorage()
                    else:
                        self._log_number = self._snapshot_at = loaded[0]
            self._sync()

    def __getstate__(self) -> dict[str, Any]:
        # Another process gets a fresh client of the same journal: it replays (from the snapshot) on arrival.
        config = self._heartbeat_config
        return {
            "log_storage": self._backend,
            "snapshot_interval": self._snapshot_interval,
            "heartbeat_interval": None if config is None else config.interval,
            "grace_period": None if config is None else config.grace_period,
            "heartbeat_stale_trial_callback": None if config is None else config.stale_trial_callback,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    @property
    def backend(self) -> BaseJournalBackend:
        """The journal backend."""
        return self._backend

    # --- replay ------------------------------------------------------------------------------------------

    def _sync(self) -> None:
        """Replay the records appended since the last read (call with ``self._lock`` held)."""
        self._replay(self._backend.read_logs(self._log_number))

    def _replay(self, logs: Iterable[dict[str, Any]]) -> None:
        before = self._log_number
        for log in logs:
            self._apply(log)
        if self._log_number != before and self._snapshot_interval:
            self._maybe_snapshot()

    def _apply(self, log: dict[str, Any]) -> Any:
        """Apply one record and count it; return its outcome: a result, or the error that made it a no-op."""
        try:
            handler = self._handlers[log["op"]]
        except KeyError:
            raise StorageVersionError(
                f"Journal record #{self._log_number} has an operation this albacore does not know "
                f"({log.get('op')!r}); it was written by a newer version. Upgrade albacore to read it."
            ) from None
        self._log_number += 1
        try:
            return handler(log)
        except (AlbacoreError, KeyError) as err:
            # A write that lost a race (or was invalid) changes nothing, for every client alike.
            return err

    def _maybe_snapshot(self) -> None:
        # Snapshot cost grows with the state, so the spacing grows with the journal to keep the total linear.
        due = self._snapshot_at + max(self._snapshot_interval, self._snapshot_at // 4)
        if self._log_number < due or not isinstance(self._backend, BaseJournalSnapshot):
            return
        self._snapshot_at = self._log_number
        try:
            self._backend.save_snapshot(self._log_number, dump_state(self._state))
        except OSError as err:
            # Snapshots only save time at the next open: a full disk must not fail the read that triggered one.
            _logger.warning(f"Could not save a journal snapshot ({err}); opening will replay more records.")

    def _write(self, op: dict[str, Any], *, flush: bool = True, flush_later: bool = False) -> Any:
        """Append ``op``, replay up to it and return its outcome (raising it if it is an error).

        ``flush=False`` lets the next flushed write make the record durable (see JournalFileBackend);
        ``flush_later=True`` lets the backend flush it in the background (see ``_wait_until_flushed``).
        """
        if os.getpid() != self._pid:
            self._after_fork()
        with self._lock:
            if flush_later:
                logs, own = self._backend.append_and_read_logs_flushed_later([op], self._log_number)
            else:
                logs, own = self._backend.append_and_read_logs([op], self._log_number, flush=flush)
            for log in logs[:own]:  # other workers' records, appended before ours
                self._apply(log)
            # Our record is applied from the dictionary we wrote, not re-read and re-parsed: every value in it
            # is already what JSON gives back (see _json_value), so this replica ends up as every other one.
            outcome = self._apply(logs[own])
            if self._snapshot_interval:
                self._maybe_snapshot()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def _write_many(self, ops: list[dict[str, Any]]) -> list[Any]:
        """``_write`` for several records appended at once (one flush); return their outcomes in order."""
        if os.getpid() != self._pid:
            self._after_fork()
        with self._lock:
            logs, own = self._backend.append_and_read_logs(ops, self._log_number)
            for log in logs[:own]:
                self._apply(log)
            outcomes = [self._apply(log) for log in logs[own:]]
            if self._snapshot_interval:
                self._maybe_snapshot()
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return outcomes

    def _after_fork(self) -> None:
        """Start afresh in a forked child: the parent's lock may have been held by a thread that did not fork."""
        self._pid = os.getpid()
        self._lock = threading.RLock()

    # --- checks made before writing, so that bad input writes nothing ----------------------------------

    def _updatable(self, trial_id: int) -> FrozenTrial:
        # Checked against the state as last replayed, without reading the journal first: if another worker
        # finished the trial meanwhile, replay turns this write into a no-op and reports the same error.
        try:
            trial = self._state.get_trial(trial_id)
        except KeyError:
            self._sync()  # a trial created by another worker since our last read
            trial = self._state.get_trial(trial_id)
        if trial.state.is_finished():
            raise UpdateFinishedTrialError(
                f"Trial #{trial.number} is already finished ({trial.state.name}) and cannot be updated."
            )
        return trial

    def _encode_params(self, trial_id: int, params: ParamWrites) -> dict[str, list[Any]]:
        record, _ = self._state._locate(trial_id)
        encoded = {}
        for name, (internal, dist) in params.items():
            InMemoryStorage._check_kind(record, name, dist)
            encoded[name] = [float(internal), self._dist_json(dist)]
        return encoded

    # --- studies -----------------------------------------------------------------------------------------

    def create_new_study(self, directions: Sequence[StudyDirection], study_name: str | None = None) -> int:
        if study_name is None:
            # Named by the writer: replicas must agree on it.
            study_name = DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
        result: int = self._write(
            {"op": "create_study", "name": study_name, "directions": [int(d) for d in directions]}
        )
        return result

    def delete_study(self, study_id: int) -> None:
        with self._lock:
            self._sync()
            self._state.get_study_name_from_id(study_id)
            self._write({"op": "delete_study", "study": study_id})

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._write({"op": "study_user_attr", "study": study_id, "key": key, "value": self._json_value(key, value)})

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._write({"op": "study_system_attr", "study": study_id, "key": key, "value": self._json_value(key, value)})

    def compare_and_set_study_system_attr(self, study_id: int, key: str, expected: Any, value: Any) -> bool:
        # Every replica replays the record at the same place in the log, so all agree on whether it applied.
        op = {
            "op": "study_system_attr_cas",
            "study": study_id,
            "key": key,
            "expected": self._json_value(key, expected),
            "value": self._json_value(key, value),
        }
        return bool(self._write(op))

    def get_study_id_from_name(self, study_name: str) -> int:
        with self._lock:
            self._sync()
            return self._state.get_study_id_from_name(study_name)

    def get_study_name_from_id(self, study_id: int) -> str:
        with self._lock:
            self._sync()
            return self._state.get_study_name_from_id(study_id)

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        with self._lock:
            self._sync()
            return self._state.get_study_directions(study_id)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            self._sync()
            return self._state.get_study_user_attrs(study_id)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            self._sync()
            return self._state.get_study_system_attrs(study_id)

    def get_param_distribution(self, study_id: int, param_name: str) -> BaseDistribution | None:
        with self._lock:
            self._sync()
            return self._state.get_param_distribution(study_id, param_name)

    def get_all_studies(self) -> list[FrozenStudy]:
        with self._lock:
            self._sync()
            return self._state.get_all_studies()

    # --- trials ------------------------------------------------------------------------------------------

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        op: dict[str, Any] = {"op": "create_trial", "study": study_id, "time": time.time()}
        with self._lock:
            try:
                self._state.get_study_name_from_id(study_id)
            except StudyNotFoundError:
                self._sync()  # a study created by another worker since our last read, or none at all
                self._state.get_study_name_from_id(study_id)
            if template_trial is not None:
                self._state._check_template(study_id, template_trial)
                op["trial"] = self._template(template_trial)
            # A new RUNNING trial lost in a machine crash takes its worker with it; anything else is flushed.
            result: int = self._write(op, flush=template_trial is not None)
            if template_trial is None:
                self._owned.add(result)
            return result

    def _create_trials(self, study_id: int, templates: Sequence[FrozenTrial]) -> list[int]:
        if not templates:
            return []
        now = time.time()
        with self._lock:
            self._sync()
            self._state.get_study_name_from_id(study_id)
            # Checked before anything is appended, so that every record of the batch applies for every client.
            first_distributions(templates)
            for template in templates:
                self._state._check_template(study_id, template)
            ops = [
                {"op": "create_trial", "study": study_id, "time": now, "trial": self._template(t)} for t in templates
            ]
            trial_ids: list[int] = self._write_many(ops)
            return trial_ids

    def set_trial_params(self, trial_id: int, params: ParamWrites) -> None:
        with self._lock:
            self._updatable(trial_id)
            self._write({"op": "set_params", "trial": trial_id, "params": self._encode_params(trial_id, params)})

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        with self._lock:
            self._sync()
            return self._state.get_trial_id_from_study_id_trial_number(study_id, trial_number)

    def get_trial_number_from_id(self, trial_id: int) -> int:
        with self._lock:
            try:
                return self._state.get_trial_number_from_id(trial_id)
            except KeyError:
                self._sync()  # numbers never change: only an unknown trial needs a replay
                return self._state.get_trial_number_from_id(trial_id)

    def set_trial_state_values(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None = None,
        *,
        params: ParamWrites | None = None,
    ) -> bool:
        with self._lock:
            trial = self._updatable(trial_id)
            if state == TrialState.RUNNING and trial.state != TrialState.WAITING:
                return False
            op = self._state_op("set_state", trial_id, state, values, params)
            if state != TrialState.RUNNING:
                self._owned.discard(trial_id)
            result: bool = self._write(op, flush=state != TrialState.RUNNING)
            if result and state == TrialState.RUNNING:
                self._owned.add(trial_id)
            return result

    def _end_trial_and_start_next(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None, params: ParamWrites | None
    ) -> int | None:
        return self._end_and_start(trial_id, state, values, params, flush_later=False)

    def _end_trial_and_start_next_flushed_later(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None, params: ParamWrites | None
    ) -> int | None:
        return self._end_and_start(trial_id, state, values, params, flush_later=True)

    def _end_and_start(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None,
        params: ParamWrites | None,
        *,
        flush_later: bool,
    ) -> int | None:
        """One ``end_and_start`` record: the trial ends, and the next one, if started, is this client's own."""
        check_ending_state(state)
        with self._lock:
            self._updatable(trial_id)
            op = self._state_op("end_and_start", trial_id, state, values, params)
            self._owned.discard(trial_id)
            started: int | None = self._write(op, flush_later=flush_later)
            if started is not None:
                self._owned.add(started)
            return started

    def _wait_until_flushed(self) -> None:
        self._backend.wait_until_flushed()

    def _state_op(
        self,
        name: str,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None,
        params: ParamWrites | None,
    ) -> dict[str, Any]:
        """The record of a state change (``set_state``, or ``end_and_start``, which may also start a trial)."""
        op: dict[str, Any] = {
            "op": name,
            "trial": trial_id,
            "state": int(state),
            "values": None if values is None else [float(v) for v in values],
            "time": time.time(),
        }
        if params:
            op["params"] = self._encode_params(trial_id, params)
        return op

    def fail_stale_trial(self, study_id: int, trial_id: int, retry: FrozenTrial | None = None) -> int | None:
        with self._lock:
            trial = self._updatable(trial_id)
            if retry is not None:
                self._state._check_template(study_id, retry)
            # One record does both, so no reader ever sees the failure without its retry.
            op = {
                "op": "fail_stale",
                "study": study_id,
                "trial": trial._trial_id,
                "retry": None if retry is None else self._template(retry),
                "time": time.time(),
            }
            self._owned.discard(trial_id)
            result: int | None = self._write(op)
            return result

    def set_trial_intermediate_value(self, trial_id: int, step: int, intermediate_value: float) -> None:
        with self._lock:
            self._updatable(trial_id)
            self._write(
                {"op": "intermediate", "trial": trial_id, "step": int(step), "value": float(intermediate_value)}
            )

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._updatable(trial_id)
            self._write({"op": "trial_user_attr", "trial": trial_id, "key": key, "value": self._json_value(key, value)})

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._updatable(trial_id)
            self._write(
                {"op": "trial_system_attr", "trial": trial_id, "key": key, "value": self._json_value(key, value)}
            )

    def record_heartbeat(self, trial_id: int) -> None:
        with self._lock:
            self._updatable(trial_id)
            # Not flushed: a heartbeat lost in a machine crash only makes the trial look stale sooner.
            self._write({"op": "heartbeat", "trial": trial_id, "time": time.time()}, flush=False)

    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._lock:
            try:
                trial = self._state.get_trial(trial_id)
            except KeyError:
                trial = None
            if trial is not None and (trial.state.is_finished() or trial_id in self._owned):
                # Finished trials are immutable, and a trial this client runs changes only by its own writes
                # (or by another worker failing it as stale, which this client learns at its next write).
                return trial
            self._sync()
            return self._state.get_trial(trial_id)

    def _get_trial_written_elsewhere(self, trial_id: int) -> FrozenTrial:
        with self._lock:
            self._sync()
            return self._state.get_trial(trial_id)

    def get_all_trials(
        self, study_id: int, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        with self._lock:
            self._sync()
            return self._state.get_all_trials(study_id, deepcopy=deepcopy, states=states)

    def get_n_trials(self, study_id: int, state: TrialState | tuple[TrialState, ...] | None = None) -> int:
        with self._lock:
            self._sync()
            return self._state.get_n_trials(study_id, state)

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        with self._lock:
            self._sync()
            return self._state.get_best_trial(study_id)

    def _known_best_trial(self, study_id: int) -> FrozenTrial:
        with self._lock:  # the replica as of this client's last write or read: no round trip for a log message
            return self._state.get_best_trial(study_id)

    def claim_waiting_trial(self, study_id: int) -> int | None:
        with self._lock:
            self._sync()
            if self._state.get_n_trials(study_id, TrialState.WAITING) == 0:
                return None  # the common case, answered without scanning the trials
            waiting = self._state.get_all_trials(study_id, deepcopy=False, states=(TrialState.WAITING,))
            for trial in waiting:
                # No pre-check here: a trial another worker claimed (or even finished) since our last replay
                # must just yield False, and replay decides that.
                if self._write(self._claim_op(trial._trial_id), flush=False):
                    self._owned.add(trial._trial_id)
                    return trial._trial_id
            return None

    @staticmethod
    def _claim_op(trial_id: int) -> dict[str, Any]:
        return {
            "op": "set_state",
            "trial": trial_id,
            "state": int(TrialState.RUNNING),
            "values": None,
            "time": time.time(),
        }
