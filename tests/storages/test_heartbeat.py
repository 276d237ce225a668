"""Heartbeats and stale-trial reaping (RELIABILITY promise 2) on the in-memory storage with threads.

The same behaviour over the process-sharing storages is tested with real processes in test_heartbeat_processes.
"""

from __future__ import annotations

import datetime
import pathlib
import pickle
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.storages import (
    BaseStorage,
    InMemoryStorage,
    JournalStorage,
    RDBStorage,
    RetryFailedTrialCallback,
    RetryHeartbeatStaleTrialCallback,
    fail_stale_trials,
)
from albacore.storages._heartbeat import BaseHeartbeat, is_heartbeat_enabled
from albacore.storages.journal import JournalFileBackend
from albacore.trial import FrozenTrial, TrialState


def _orphan(study: albacore.Study, x: float, seconds_ago: float = 60.0) -> int:
    """A RUNNING trial whose worker vanished long ago (as after kill -9): it has params and no recent beat."""
    start = datetime.datetime.now() - datetime.timedelta(seconds=seconds_ago)
    template = albacore.create_trial(state=TrialState.WAITING, user_attrs={"orphan": True})
    trial_id = study._storage.create_new_trial(study._study_id, template_trial=template)
    study._storage.set_trial_state_values(trial_id, TrialState.RUNNING)
    from albacore.distributions import FloatDistribution

    study._storage.set_trial_params(trial_id, {"x": (x, FloatDistribution(0, 1))})
    study._storage.set_trial_system_attr(trial_id, "heartbeat", start.timestamp())
    return trial_id


def test_configuration_is_validated() -> None:
    with pytest.raises(InvalidArgumentError, match="needs `heartbeat_interval`"):
        InMemoryStorage(grace_period=10)
    with pytest.raises(InvalidArgumentError, match="positive"):
        InMemoryStorage(heartbeat_interval=0)
    with pytest.raises(InvalidArgumentError, match="longer than"):
        InMemoryStorage(heartbeat_interval=10, grace_period=5)
    assert InMemoryStorage(heartbeat_interval=3).get_heartbeat_config().grace_period == 6  # type: ignore[union-attr]


def test_stale_trial_is_failed_at_the_next_ask_and_retried_with_its_params() -> None:
    storage = InMemoryStorage(
        heartbeat_interval=1, grace_period=5, heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback()
    )
    study = albacore.create_study(storage=storage)
    orphan = _orphan(study, 0.25)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    trials = study.trials
    assert trials[0].state == TrialState.FAIL and trials[0]._trial_id == orphan
    retried = trials[1]
    assert retried.state == TrialState.COMPLETE and retried.params == {"x": 0.25}
    assert RetryHeartbeatStaleTrialCallback.retried_trial_number(retried) == 0
    assert RetryHeartbeatStaleTrialCallback.retry_history(retried) == [0]
    assert retried.user_attrs == {"orphan": True}


def test_no_heartbeat_configured_means_no_reaping() -> None:
    study = albacore.create_study()
    _orphan(study, 0.5)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert study.trials[0].state == TrialState.RUNNING


def test_each_stale_trial_is_failed_exactly_once_under_racing_reapers() -> None:
    calls: list[int] = []
    lock = threading.Lock()

    def callback(study: albacore.Study, trial: albacore.trial.FrozenTrial) -> None:
        with lock:
            calls.append(trial.number)

    storage = InMemoryStorage(heartbeat_interval=1, grace_period=5, heartbeat_stale_trial_callback=callback)
    study = albacore.create_study(storage=storage)
    for i in range(30):
        _orphan(study, i / 30)
    barrier = threading.Barrier(8)
    reaped: list[list[int]] = []

    def reap() -> None:
        barrier.wait()
        reaped.append(fail_stale_trials(study))

    threads = [threading.Thread(target=reap) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(calls) == list(range(30))
    assert sorted(n for r in reaped for n in r) == list(range(30))
    assert all(t.state == TrialState.FAIL for t in study.trials)


def test_retries_stop_at_max_retry_and_can_inherit_reports() -> None:
    storage = InMemoryStorage(
        heartbeat_interval=1,
        grace_period=5,
        heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=1, inherit_intermediate_values=True),
    )
    study = albacore.create_study(storage=storage)
    first = _orphan(study, 0.5)
    study._storage.set_trial_intermediate_value(first, 0, 0.9)
    assert fail_stale_trials(study) == [0]
    retry_id = study._storage.claim_waiting_trial(study._study_id)
    assert retry_id is not None
    assert study._storage.get_trial(retry_id).intermediate_values == {0: 0.9}
    old = time.time() - 60
    study._storage.set_trial_system_attr(retry_id, "heartbeat", old)
    assert fail_stale_trials(study) == [1]
    assert study._storage.get_n_trials(study._study_id, TrialState.WAITING) == 0  # max_retry reached


def test_a_slow_but_healthy_worker_is_never_failed() -> None:
    storage = InMemoryStorage(heartbeat_interval=0.05, grace_period=1.0)
    study = albacore.create_study(storage=storage)
    stop = threading.Event()

    def reaper() -> None:
        while not stop.is_set():
            fail_stale_trials(study)
            time.sleep(0.01)

    thread = threading.Thread(target=reaper)
    thread.start()
    try:

        def slow(trial: albacore.Trial) -> float:
            x = trial.suggest_float("x", 0, 1)
            for step in range(25):
                time.sleep(0.1)  # 2.5 s in all: far beyond the grace period
                trial.report(x, step)
            return x

        study.optimize(slow, n_trials=1)
    finally:
        stop.set()
        thread.join()
    assert [t.state for t in study.trials] == [TrialState.COMPLETE]


def test_a_worker_whose_trial_was_reaped_stops_it_and_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    storage = InMemoryStorage(heartbeat_interval=0.02, grace_period=0.1)
    study = albacore.create_study(storage=storage)

    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        if trial.number == 0:
            # Another worker decides this trial is stale (e.g. after a long GC pause) and fails it.
            storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
            deadline = time.monotonic() + 10
            while not trial._lost and time.monotonic() < deadline:  # the heartbeat thread notices at its next beat
                time.sleep(0.01)
            trial.report(x, 0)
            raise AssertionError("report() must raise StaleTrialError")
        return x

    study.optimize(objective, n_trials=3)
    assert [t.state for t in study.trials] == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE]
    assert "heartbeat went stale" in caplog.text


def test_ask_and_tell_trials_get_heartbeats_too() -> None:
    storage = InMemoryStorage(heartbeat_interval=0.05, grace_period=0.3)
    study = albacore.create_study(storage=storage)
    # As in Optuna, asking for a trial yourself from a storage with heartbeats warns (optimize does not).
    with pytest.warns(UserWarning, match="stays RUNNING"):
        trial = study.ask()
    first = study._storage.get_trial(trial._trial_id).system_attrs["heartbeat"]
    time.sleep(0.2)
    later = study._storage.get_trial(trial._trial_id).system_attrs["heartbeat"]
    assert later > first
    study.tell(trial, 1.0)
    assert study.trials[0].state == TrialState.COMPLETE


@pytest.fixture(params=["inmemory", "rdb", "journal"])
def make_storage(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Callable[..., BaseStorage]:
    """A constructor of each storage class, taking the heartbeat arguments."""
    if request.param == "inmemory":
        return InMemoryStorage
    if request.param == "rdb":
        return lambda **kwargs: RDBStorage(f"sqlite:///{tmp_path / 'hb.db'}", **kwargs)
    return lambda **kwargs: JournalStorage(JournalFileBackend(str(tmp_path / "hb.log")), **kwargs)


def _callback(study: albacore.Study, trial: FrozenTrial) -> None:
    pass


def test_every_storage_has_the_heartbeat_interface(make_storage: Callable[..., BaseStorage]) -> None:
    off = make_storage()
    assert isinstance(off, BaseHeartbeat) and not is_heartbeat_enabled(off)
    assert off.get_heartbeat_interval() is None and off.get_heartbeat_stale_trial_callback() is None
    on = make_storage(heartbeat_interval=2, heartbeat_stale_trial_callback=_callback)
    assert is_heartbeat_enabled(on)
    assert on.get_heartbeat_interval() == 2 and on.get_heartbeat_stale_trial_callback() is _callback
    with pytest.warns(FutureWarning, match="get_heartbeat_stale_trial_callback"):
        assert on.get_failed_trial_callback() is _callback
    assert not is_heartbeat_enabled(object())


def test_failed_trial_callback_is_the_deprecated_name(make_storage: Callable[..., BaseStorage]) -> None:
    with pytest.warns(FutureWarning, match="heartbeat_stale_trial_callback"):
        storage = make_storage(heartbeat_interval=2, failed_trial_callback=_callback)
    assert storage.get_heartbeat_stale_trial_callback() is _callback
    with pytest.raises(InvalidArgumentError, match="got both"), warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        make_storage(heartbeat_interval=2, heartbeat_stale_trial_callback=_callback, failed_trial_callback=_callback)


def test_a_storage_copy_keeps_its_heartbeat_settings(make_storage: Callable[..., BaseStorage]) -> None:
    storage = make_storage(heartbeat_interval=2, grace_period=7)
    restored = pickle.loads(pickle.dumps(storage))
    assert restored.get_heartbeat_config() == (2, 7, None)


def test_retry_failed_trial_callback_is_the_deprecated_name() -> None:
    with pytest.warns(FutureWarning, match="RetryHeartbeatStaleTrialCallback"):
        callback: Any = RetryFailedTrialCallback(max_retry=2)
    assert isinstance(callback, RetryHeartbeatStaleTrialCallback)
    storage = InMemoryStorage(heartbeat_interval=1, grace_period=5, heartbeat_stale_trial_callback=callback)
    study = albacore.create_study(storage=storage)
    _orphan(study, 0.75)
    assert fail_stale_trials(study) == [0]
    # The old name is special-cased like the new one: its retry is added in the write that fails the trial.
    assert [(t.state, t.params) for t in study.trials] == [
        (TrialState.FAIL, {"x": 0.75}),
        (TrialState.WAITING, {"x": 0.75}),
    ]


def test_heartbeats_set_on_an_rdb_storage_afterwards_reap_its_stale_trials(tmp_path: pathlib.Path) -> None:
    reaped: list[int] = []
    storage = RDBStorage(f"sqlite:///{tmp_path / 'late.db'}")
    study = albacore.create_study(storage=storage)
    _orphan(study, 0.5)
    assert fail_stale_trials(study) == []  # heartbeats off: nothing is stale
    storage.heartbeat_interval = 1
    storage.grace_period = 5
    storage.heartbeat_stale_trial_callback = lambda s, t: reaped.append(t.number)
    assert fail_stale_trials(study) == [0]
    assert reaped == [0] and study.trials[0].state == TrialState.FAIL


def test_optimize_does_not_warn_about_heartbeats() -> None:
    study = albacore.create_study(storage=InMemoryStorage(heartbeat_interval=60))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert len(study.trials) == 2
