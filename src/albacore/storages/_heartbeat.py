"""Heartbeats of running trials, on every storage, and reaping the trials whose worker died.

A worker writes a heartbeat for each of its running trials every ``heartbeat_interval`` seconds from one
background thread per storage client, under ``optimize`` and ask/tell alike. A RUNNING trial whose last heartbeat
(or, before its first one, its start) is older than ``grace_period`` is *stale*: its worker was killed, lost its
machine or hangs. ``fail_stale_trials`` marks stale trials FAIL; the storage's atomic state change guarantees each
is failed exactly once even when many workers reap at the same time, and only the worker that failed it runs
``heartbeat_stale_trial_callback``. ``RetryHeartbeatStaleTrialCallback`` is special-cased: its retry (the
parameters, re-enqueued) is added in the same atomic write that fails the trial, so a reaper killed halfway cannot
leave a failed trial that is never retried.

Every storage implements :class:`BaseHeartbeat` (``BaseStorage`` derives from it); :func:`is_heartbeat_enabled`
says whether a storage's heartbeats are on.

Clocks: heartbeats are wall-clock times of the writing machine, compared with the reaping machine's clock, so keep
machines' clocks synchronized (NTP) and the grace period well above any skew.
"""

from __future__ import annotations

import abc
import contextlib
import threading
import time
import warnings
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from albacore._deprecation import warn_deprecated
from albacore.exceptions import InvalidArgumentError, UpdateFinishedTrialError
from albacore.logging import get_logger
from albacore.storages._callbacks import RetryHeartbeatStaleTrialCallback
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.storages._base import BaseStorage
    from albacore.study._study import Study

__all__ = [
    "HEARTBEAT_ATTR",
    "BaseHeartbeat",
    "HeartbeatConfig",
    "HeartbeatThread",
    "StaleTrialCallback",
    "fail_stale_trials",
    "is_heartbeat_enabled",
    "make_heartbeat_config",
    "reap_stale_trials",
    "stale_trial_callback_argument",
    "warn_ask_with_heartbeat",
]

HEARTBEAT_ATTR = "heartbeat"
"""Trial system attribute holding the last heartbeat, in seconds since the epoch (storages may keep it elsewhere)."""

_logger = get_logger(__name__)

StaleTrialCallback = Callable[["Study", FrozenTrial], None]


class HeartbeatConfig(NamedTuple):
    """How often running trials beat, how long silence is tolerated, and what to do with the stale ones."""

    interval: float
    grace_period: float
    stale_trial_callback: StaleTrialCallback | None


class BaseHeartbeat(abc.ABC):
    """The heartbeat interface of a storage. Every albacore storage implements it, through ``BaseStorage``.

    Heartbeats are on when the storage was made with a ``heartbeat_interval``; see :func:`is_heartbeat_enabled`.
    """

    @abc.abstractmethod
    def record_heartbeat(self, trial_id: int) -> None:
        """Record that the worker of running trial ``trial_id`` is alive now."""

    @abc.abstractmethod
    def get_heartbeat_interval(self) -> float | None:
        """Seconds between heartbeats of running trials, or None when heartbeats are off."""

    @abc.abstractmethod
    def get_heartbeat_stale_trial_callback(self) -> StaleTrialCallback | None:
        """The callback run for each trial failed for a stale heartbeat, if any."""

    def get_failed_trial_callback(self) -> StaleTrialCallback | None:
        """Deprecated name of :meth:`get_heartbeat_stale_trial_callback` (since Optuna 4.9; goes away in 6.0)."""
        warn_deprecated(
            "get_failed_trial_callback()",
            since="4.9.0",
            removed_in="6.0.0",
            instead="get_heartbeat_stale_trial_callback()",
        )
        return self.get_heartbeat_stale_trial_callback()


def is_heartbeat_enabled(storage: object) -> bool:
    """Whether ``storage`` writes heartbeats for its running trials (it was given a ``heartbeat_interval``).

    Example:
        >>> from albacore.storages import InMemoryStorage
        >>> is_heartbeat_enabled(InMemoryStorage()), is_heartbeat_enabled(InMemoryStorage(heartbeat_interval=60))
        (False, True)
    """
    return isinstance(storage, BaseHeartbeat) and storage.get_heartbeat_interval() is not None


def stale_trial_callback_argument(
    heartbeat_stale_trial_callback: StaleTrialCallback | None, failed_trial_callback: StaleTrialCallback | None
) -> StaleTrialCallback | None:
    """The callback a storage was given, accepting ``failed_trial_callback``, its name before Optuna 4.9, with a
    FutureWarning."""
    if failed_trial_callback is None:
        return heartbeat_stale_trial_callback
    if heartbeat_stale_trial_callback is not None:
        raise InvalidArgumentError(
            "Give `heartbeat_stale_trial_callback` only; `failed_trial_callback` is its deprecated name, got both."
        )
    warn_deprecated(
        "The `failed_trial_callback` argument",
        since="4.9.0",
        removed_in="6.0.0",
        instead="`heartbeat_stale_trial_callback`",
        stacklevel=4,
    )
    return failed_trial_callback


def make_heartbeat_config(
    heartbeat_interval: float | None,
    grace_period: float | None,
    stale_trial_callback: StaleTrialCallback | None,
    *,
    partial: bool = False,
) -> HeartbeatConfig | None:
    """Validate a storage's heartbeat arguments; None when heartbeats are off.

    ``partial`` allows a grace period or callback without an interval (heartbeats stay off), for storages whose
    settings are attributes set one at a time.
    """
    if heartbeat_interval is None:
        if grace_period is not None and not partial:
            raise InvalidArgumentError("`grace_period` needs `heartbeat_interval`; give both or neither.")
        if stale_trial_callback is not None and not partial:
            raise InvalidArgumentError("`heartbeat_stale_trial_callback` needs `heartbeat_interval` to be set.")
        if grace_period is not None and (isinstance(grace_period, bool) or not grace_period > 0):
            raise InvalidArgumentError(f"`grace_period` must be a positive number of seconds, got {grace_period!r}.")
        return None
    if isinstance(heartbeat_interval, bool) or not heartbeat_interval > 0:
        raise InvalidArgumentError(
            f"`heartbeat_interval` must be a positive number of seconds, got {heartbeat_interval!r}."
        )
    if grace_period is None:
        grace_period = 2 * heartbeat_interval
    if isinstance(grace_period, bool) or not grace_period > heartbeat_interval:
        raise InvalidArgumentError(
            f"`grace_period` must be longer than `heartbeat_interval` ({heartbeat_interval}), got {grace_period!r}."
        )
    if stale_trial_callback is not None and not callable(stale_trial_callback):
        raise InvalidArgumentError(f"`heartbeat_stale_trial_callback` must be callable, got {stale_trial_callback!r}.")
    return HeartbeatConfig(heartbeat_interval, grace_period, stale_trial_callback)


def warn_ask_with_heartbeat() -> None:
    """Warn, at a user's own ``Study.ask``, that heartbeats keep the asked trial RUNNING until it is told."""
    warnings.warn(
        "This storage writes heartbeats: the trial from `ask()` beats from this process until `tell()`, so a trial "
        "you never tell stays RUNNING while the process lives (it is failed as stale only once the process stops).",
        UserWarning,
        stacklevel=3,
    )


def stale_trial_ids_from_attrs(storage: BaseStorage, study_id: int, grace_period: float) -> list[int]:
    """Find stale trials from the heartbeat system attribute (the default for storages without a heartbeat table)."""
    deadline = time.time() - grace_period
    stale = []
    for trial in storage.get_all_trials(study_id, deepcopy=False, states=(TrialState.RUNNING,)):
        beat = trial.system_attrs.get(HEARTBEAT_ATTR)
        if beat is None and trial.datetime_start is not None:
            beat = trial.datetime_start.timestamp()
        if beat is not None and beat < deadline:
            stale.append(trial._trial_id)
    return stale


def fail_stale_trials(study: Study) -> list[int]:
    """Mark the study's stale RUNNING trials FAIL and run the storage's ``heartbeat_stale_trial_callback`` for each.

    ``ask`` and ``optimize`` call it already; call it yourself to reap without starting a trial. Does nothing when
    the storage's heartbeats are off.

    Args:
        study: The study whose stale trials to fail; its storage decides what is stale.

    Returns:
        The numbers of the trials this call failed (a trial failed by a concurrent reaper is not counted).
    """
    config = study._storage.get_heartbeat_config()
    if config is None:
        return []
    return reap_stale_trials(study, config.grace_period, config.stale_trial_callback)


def reap_stale_trials(study: Study, grace_period: float, stale_trial_callback: StaleTrialCallback | None) -> list[int]:
    """Like ``fail_stale_trials`` with an explicit grace period and callback (for the ``trials reap`` command)."""
    storage = study._storage
    retry_of = (
        stale_trial_callback.retry_of if isinstance(stale_trial_callback, RetryHeartbeatStaleTrialCallback) else None
    )
    failed = []
    for trial_id in storage.get_stale_trial_ids(study._study_id, grace_period):
        stale = storage.get_trial(trial_id)
        if stale.state != TrialState.RUNNING:
            continue  # another worker reaped it, or it finished just now
        try:
            storage.fail_stale_trial(study._study_id, trial_id, None if retry_of is None else retry_of(stale))
        except UpdateFinishedTrialError:
            continue  # the same race, lost between the read and the write
        frozen = storage.get_trial(trial_id)
        failed.append(frozen.number)
        _logger.warning(f"Trial {frozen.number} is marked FAIL: no heartbeat for {grace_period:g} s.")
        if stale_trial_callback is not None and retry_of is None:
            # Any other callback runs after the failure is written: at most once, and not at all if this
            # process dies in between.
            stale_trial_callback(study, frozen)
    return failed


class HeartbeatThread:
    """One daemon thread per storage client that beats for every registered running trial.

    A trial whose heartbeat write is refused because it is no longer running (another worker reaped it) is
    dropped and its ``on_lost`` callback runs, so the objective can stop with a StaleTrialError.
    """

    _instances: ClassVar[weakref.WeakKeyDictionary[BaseStorage, HeartbeatThread]] = weakref.WeakKeyDictionary()
    _instances_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, storage: BaseStorage, interval: float) -> None:
        self._storage_ref = weakref.ref(storage)
        self._interval = interval
        self._trials: dict[int, Callable[[], None]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def of(cls, storage: BaseStorage, interval: float) -> HeartbeatThread:
        """Return the heartbeat thread of ``storage``, creating it on first use."""
        with cls._instances_lock:
            beat = cls._instances.get(storage)
            if beat is None:
                beat = cls._instances[storage] = cls(storage, interval)
            return beat

    def register(self, trial_id: int, on_lost: Callable[[], None]) -> None:
        """Beat for ``trial_id`` now and then every interval until ``unregister``."""
        storage = self._storage_ref()
        assert storage is not None
        storage.record_heartbeat(trial_id)
        with self._lock:
            self._trials[trial_id] = on_lost
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="albacore-heartbeat", daemon=True)
                self._thread.start()

    def unregister(self, trial_id: int) -> None:
        """Stop beating for ``trial_id``."""
        with self._lock:
            self._trials.pop(trial_id, None)

    def _run(self) -> None:
        while True:
            self._wake.wait(self._interval)
            storage = self._storage_ref()
            with self._lock:
                trials = dict(self._trials)
            if storage is None or not trials:
                with self._lock:
                    if not self._trials:
                        self._thread = None
                        return
                continue
            for trial_id, on_lost in trials.items():
                try:
                    storage.record_heartbeat(trial_id)
                except UpdateFinishedTrialError:
                    self.unregister(trial_id)
                    on_lost()
                except Exception as err:  # noqa: BLE001 - a failed beat must not kill the thread; the next may work
                    with contextlib.suppress(Exception):
                        _logger.warning(f"Heartbeat of trial id {trial_id} failed: {err!r}")
