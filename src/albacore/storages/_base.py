"""The storage contract: what every backend (memory, SQL databases, journals) guarantees.

Contract, tested for every backend by :class:`albacore.testing.StorageTestCase`:

- **Thread and process safety.** Every method may be called concurrently from many threads; backends that
  say they support several processes (RDB, journal) may also be shared by many processes and machines.
- **Atomic, gap-free numbering.** ``create_new_trial`` gives trial numbers 0, 1, 2, ... within a study, each
  exactly once, however many workers create trials at the same time.
- **Finished trials are read-only.** Changing a COMPLETE, PRUNED or FAIL trial raises
  :class:`~albacore.exceptions.UpdateFinishedTrialError` and changes nothing.
- **Durability.** When a write method returns, the write is visible to every other client of the storage.
- **Compare-and-set on study system attributes.** ``compare_and_set_study_system_attr`` writes only when the
  attribute still holds the value the caller read, atomically; of concurrent callers expecting one value, exactly
  one succeeds.
- **Claiming waiting trials is exclusive.** Moving a WAITING trial to RUNNING with
  ``set_trial_state_values`` succeeds for exactly one caller; the others get False.
- **No code in data.** Everything persisted is JSON or plain columns.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Any

from albacore._pareto import best_of
from albacore._study_records import FrozenStudy, StudyDirection
from albacore.distributions import BaseDistribution, check_distribution_compatibility
from albacore.exceptions import InvalidArgumentError, UpdateFinishedTrialError
from albacore.storages._heartbeat import (
    HEARTBEAT_ATTR,
    BaseHeartbeat,
    HeartbeatConfig,
    StaleTrialCallback,
    stale_trial_ids_from_attrs,
)
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["DEFAULT_STUDY_NAME_PREFIX", "BaseStorage", "ParamWrites", "check_ending_state", "first_distributions"]

DEFAULT_STUDY_NAME_PREFIX = "no-name-"

ParamWrites = Mapping[str, tuple[float, BaseDistribution]]
"""Parameters to write: name -> (internal value, distribution)."""


def check_ending_state(state: TrialState) -> None:
    """Raise InvalidArgumentError unless ``state`` ends a trial (for ``_end_trial_and_start_next``)."""
    if not state.is_finished():
        raise InvalidArgumentError(f"Only a finished state can end a trial, got {state.name}.")


def first_distributions(templates: Iterable[FrozenTrial]) -> dict[str, BaseDistribution]:
    """The first distribution of each parameter name in ``templates``, checking that later ones are compatible.

    Raises:
        IncompatibleDistributionError: Two templates use one name with different kinds of distribution.
    """
    first: dict[str, BaseDistribution] = {}
    for template in templates:
        for name, dist in template.distributions.items():
            known = first.setdefault(name, dist)
            if known is not dist:
                check_distribution_compatibility(known, dist)
    return first


class BaseStorage(BaseHeartbeat):
    """Abstract storage of studies and trials; see the module docstring for the contract."""

    # --- studies -----------------------------------------------------------------------------------------

    @abc.abstractmethod
    def create_new_study(self, directions: Sequence[StudyDirection], study_name: str | None = None) -> int:
        """Create a study and return its id; raise DuplicatedStudyError if the name is taken."""

    @abc.abstractmethod
    def delete_study(self, study_id: int) -> None:
        """Delete a study and all its trials; raise StudyNotFoundError if it does not exist."""

    @abc.abstractmethod
    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        """Set a user attribute of a study."""

    @abc.abstractmethod
    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        """Set a system attribute of a study (used by samplers and albacore itself)."""

    def compare_and_set_study_system_attr(self, study_id: int, key: str, expected: Any, value: Any) -> bool:
        """Set a study system attribute to ``value`` only if it still equals ``expected``, atomically.

        Args:
            study_id: The study.
            key: The attribute.
            expected: The value the caller last read (compared as JSON values); None when the attribute must be
                absent (or hold null).
            value: The new value (JSON-serializable).

        Returns:
            True if the attribute held ``expected`` and now holds ``value``; False (nothing written) if another
            writer changed it first.

        Raises:
            StudyNotFoundError: There is no such study.
            NotImplementedError: The storage cannot do this atomically. There is no safe default built from
                reads and writes, so a storage class must implement it itself.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not implement compare_and_set_study_system_attr, which must be atomic "
            "across every client of the storage; implement it in the storage class (samplers that need it, like "
            "CmaEsSampler, fall back to plain writes)."
        )

    @abc.abstractmethod
    def get_study_id_from_name(self, study_name: str) -> int:
        """Return the id of the named study; raise StudyNotFoundError if there is none."""

    @abc.abstractmethod
    def get_study_name_from_id(self, study_id: int) -> str:
        """Return the name of a study."""

    @abc.abstractmethod
    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        """Return the directions of a study's objectives."""

    @abc.abstractmethod
    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        """Return the user attributes of a study."""

    @abc.abstractmethod
    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        """Return the system attributes of a study."""

    @abc.abstractmethod
    def get_all_studies(self) -> list[FrozenStudy]:
        """Return every study in the storage."""

    # --- trials ------------------------------------------------------------------------------------------

    @abc.abstractmethod
    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        """Create a trial (RUNNING, or a copy of ``template_trial``) with the next number; return its id."""

    def _create_trials(self, study_id: int, templates: Sequence[FrozenTrial]) -> list[int]:
        """Create one trial per template, in order, and return their ids (for copying and importing studies).

        Storages that can write them all at once (one transaction, one journal append) do so, which copies a
        study of many trials much faster than one write each; this default makes them one by one.
        """
        return [self.create_new_trial(study_id, template_trial=template) for template in templates]

    @abc.abstractmethod
    def set_trial_params(self, trial_id: int, params: ParamWrites) -> None:
        """Write several parameters of a running trial at once.

        Raises IncompatibleDistributionError when a name was used in the study with another kind of
        distribution, and UpdateFinishedTrialError when the trial is finished; nothing is written then.
        """

    def set_trial_param(
        self, trial_id: int, param_name: str, param_value_internal: float, distribution: BaseDistribution
    ) -> None:
        """Write one parameter of a running trial (see ``set_trial_params``)."""
        self.set_trial_params(trial_id, {param_name: (param_value_internal, distribution)})

    def get_param_distribution(self, study_id: int, param_name: str) -> BaseDistribution | None:
        """Return the distribution a study has recorded for ``param_name``, or None when no trial has it yet.

        A parameter keeps its kind (and a categorical parameter its choices) for the whole study, so a trial checks
        a suggestion against this before anything is written. This default scans the trials; albacore's storages
        answer from an index.
        """
        for trial in self.get_all_trials(study_id, deepcopy=False):
            found = trial.distributions.get(param_name)
            if found is not None:
                return found
        return None

    @abc.abstractmethod
    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        """Return the id of trial ``trial_number`` of a study."""

    def get_trial_number_from_id(self, trial_id: int) -> int:
        """Return the number of a trial within its study."""
        return self.get_trial(trial_id).number

    def get_trial_param(self, trial_id: int, param_name: str) -> float:
        """Return the internal value of one parameter of a trial."""
        trial = self.get_trial(trial_id)
        return trial.distributions[param_name].to_internal_repr(trial.params[param_name])

    def get_trial_params(self, trial_id: int) -> dict[str, Any]:
        """Return a trial's parameters by name, as the objective saw them (external values)."""
        return dict(self.get_trial(trial_id).params)  # a copy: changing it must not change a cached trial

    def get_trial_user_attrs(self, trial_id: int) -> dict[str, Any]:
        """Return the user attributes of a trial."""
        return dict(self.get_trial(trial_id).user_attrs)

    def get_trial_system_attrs(self, trial_id: int) -> dict[str, Any]:
        """Return the system attributes of a trial."""
        return dict(self.get_trial(trial_id).system_attrs)

    @abc.abstractmethod
    def set_trial_state_values(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None = None,
        *,
        params: ParamWrites | None = None,
    ) -> bool:
        """Move a trial to ``state`` and record its values (and any last parameters) in one atomic write.

        Returns False, changing nothing, when asked to move a trial to RUNNING that is no longer WAITING
        (another worker claimed it). Raises UpdateFinishedTrialError for a finished trial.
        """

    def _end_trial_and_start_next(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None, params: ParamWrites | None
    ) -> int | None:
        """End a trial as ``set_trial_state_values`` does, then start the study's next trial for the caller.

        ``optimize`` calls this when it knows that its worker will run another trial, so that a storage
        able to do both in one write (one transaction, one round trip) saves a write per trial. The new
        trial is RUNNING and belongs to the caller, as if ``create_new_trial`` had made it; none is made
        (None is returned) while the study has a WAITING trial, which the caller's next ``ask`` claims.
        This default only ends the trial and leaves the next one to ``ask``.
        """
        self.set_trial_state_values(trial_id, state, values, params=params)
        return None

    def _end_trial_and_start_next_flushed_later(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None, params: ParamWrites | None
    ) -> int | None:
        """``_end_trial_and_start_next``, allowed to return before the write is durable on disk.

        ``optimize`` uses it, so that a storage that flushes to disk itself (the journal file) flushes while the
        worker runs its next trial; ``optimize`` calls :meth:`_wait_until_flushed` before it returns or raises.
        The write is visible to every worker when this returns, as always, and survives the death of the
        process. This default is ``_end_trial_and_start_next``, durable when it returns.
        """
        return self._end_trial_and_start_next(trial_id, state, values, params)

    def _wait_until_flushed(self) -> None:
        """Wait until every write of :meth:`_end_trial_and_start_next_flushed_later` is durable on disk."""

    @abc.abstractmethod
    def set_trial_intermediate_value(self, trial_id: int, step: int, intermediate_value: float) -> None:
        """Record the value reported at ``step``."""

    @abc.abstractmethod
    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        """Set a user attribute of a running trial."""

    @abc.abstractmethod
    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        """Set a system attribute of a running trial."""

    @abc.abstractmethod
    def get_trial(self, trial_id: int) -> FrozenTrial:
        """Return a trial by id."""

    @abc.abstractmethod
    def get_all_trials(
        self, study_id: int, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """Return a study's trials ordered by number, optionally only those in ``states``.

        With ``deepcopy=False`` the caller must not modify the returned trials.
        """

    def _get_trials_from(self, study_id: int, first_number: int) -> tuple[int, list[FrozenTrial]]:
        """Return how many trials the study has, and its trials numbered ``first_number`` and above, by number.

        For readers that follow a study trial by trial (samplers): a storage that keeps the trials in memory
        returns the tail without building the whole list. The trials are not copies: do not modify them.
        """
        trials = self.get_all_trials(study_id, deepcopy=False)
        return len(trials), trials[first_number:]

    def get_n_trials(self, study_id: int, state: TrialState | tuple[TrialState, ...] | None = None) -> int:
        """Count a study's trials, optionally only those in ``state``."""
        if isinstance(state, TrialState):
            state = (state,)
        return len(self.get_all_trials(study_id, deepcopy=False, states=state))

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        """Return the best COMPLETE trial of a single-objective study; raise ValueError if there is none."""
        direction = self.get_study_directions(study_id)
        if len(direction) > 1:
            raise RuntimeError("A study with several objectives has no single best trial; use `best_trials`.")
        trials = self.get_all_trials(study_id, deepcopy=False, states=(TrialState.COMPLETE,))
        best = best_of(trials, direction[0])
        if best is None:
            raise ValueError("No trials are completed yet.")
        return best

    def _get_trial_written_elsewhere(self, trial_id: int) -> FrozenTrial:
        """``get_trial``, read from the shared storage even for a trial this client runs: storages that serve
        their own running trials from a local copy (their writes go through it) bypass it here. For trials that
        other processes write to as well, such as the ranks of a distributed training run."""
        return self.get_trial(trial_id)

    def _known_best_trial(self, study_id: int) -> FrozenTrial:
        """``get_best_trial`` as far as this client knows, for messages: a storage that keeps a replica of the study
        may answer from it without reading what other clients wrote since (the caller's own writes are in it)."""
        return self.get_best_trial(study_id)

    def claim_waiting_trial(self, study_id: int) -> int | None:
        """Move the oldest WAITING trial to RUNNING and return its id, or None when none is waiting."""
        for trial in self.get_all_trials(study_id, deepcopy=False, states=(TrialState.WAITING,)):
            if self.set_trial_state_values(trial._trial_id, TrialState.RUNNING):
                return trial._trial_id
        return None

    def fail_stale_trial(self, study_id: int, trial_id: int, retry: FrozenTrial | None = None) -> int | None:
        """Mark a RUNNING trial FAIL and add ``retry`` (a WAITING template) to its study, as one atomic write.

        A reaper that dies halfway must not leave a failed trial without its retry: every storage of albacore
        does both in one transaction, one journal record or under one lock. Returns the retry's trial id (None
        without ``retry``). Raises UpdateFinishedTrialError, writing nothing, when the trial is finished already
        (another reaper won the race, or its worker ended it just now).

        This generic version writes twice, so a storage written outside albacore that keeps it is not atomic.
        """
        self.set_trial_state_values(trial_id, TrialState.FAIL)
        return None if retry is None else self.create_new_trial(study_id, template_trial=retry)

    def check_trial_is_updatable(self, trial_id: int, trial_state: TrialState) -> None:
        """Raise UpdateFinishedTrialError when ``trial_state`` is a finished state."""
        if trial_state.is_finished():
            number = self.get_trial_number_from_id(trial_id)
            raise UpdateFinishedTrialError(
                f"Trial #{number} is already finished ({trial_state.name}) and cannot be updated."
            )

    # --- heartbeats (see albacore.storages._heartbeat) -------------------------------------------------

    _heartbeat_config: HeartbeatConfig | None = None

    def get_heartbeat_config(self) -> HeartbeatConfig | None:
        """The storage's heartbeat settings, or None when heartbeats are off."""
        return self._heartbeat_config

    def get_heartbeat_interval(self) -> float | None:
        """Seconds between heartbeats of running trials, or None when heartbeats are off."""
        config = self.get_heartbeat_config()
        return None if config is None else config.interval

    def get_heartbeat_stale_trial_callback(self) -> StaleTrialCallback | None:
        """The callback run for each trial failed for a stale heartbeat, if any."""
        config = self.get_heartbeat_config()
        return None if config is None else config.stale_trial_callback

    def record_heartbeat(self, trial_id: int) -> None:
        """Record that the worker of running trial ``trial_id`` is alive now.

        Raises UpdateFinishedTrialError when the trial is no longer running (so its worker can stop it).
        """
        self.set_trial_system_attr(trial_id, HEARTBEAT_ATTR, time.time())

    def get_stale_trial_ids(self, study_id: int, grace_period: float | None = None) -> list[int]:
        """Ids of the study's RUNNING trials whose heartbeat is older than ``grace_period`` seconds.

        Without ``grace_period`` the storage's own setting is used; with heartbeats off, nothing is stale.
        """
        if grace_period is None:
            config = self.get_heartbeat_config()
            if config is None:
                return []
            grace_period = config.grace_period
        return stale_trial_ids_from_attrs(self, study_id, grace_period)

    def remove_session(self) -> None:
        """Release connections held by this client (no-op for storages without any)."""

    def close(self) -> None:
        """Release every resource held by this client; the object must not be used afterwards."""
        self.remove_session()
