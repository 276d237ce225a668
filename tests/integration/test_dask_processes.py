"""DaskStorage and the Dask executor on a LocalCluster of worker processes, including a worker killed mid-trial.

Starting worker processes takes seconds, so these run with the slow tests (ALBACORE_RUN_SLOW=1, as in CI).
"""

from __future__ import annotations

import functools
import os
import pathlib
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest

import albacore
from albacore.storages import InMemoryStorage, RetryHeartbeatStaleTrialCallback
from albacore.trial import TrialState

distributed = pytest.importorskip("distributed")

from albacore.integration.dask import DaskStorage  # noqa: E402

GRACE = 1.5


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """Two worker processes (with nannies, which restart a killed worker), shared by the module."""
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        yield dask_client


def pid_objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -5, 5)
    trial.set_user_attr("pid", os.getpid())
    time.sleep(0.01)
    return x * x


def dies_once(trial: albacore.Trial, marker: pathlib.Path) -> float:
    """Kill this worker process in the middle of trial 3, once (the marker file remembers it)."""
    x = trial.suggest_float("x", -5, 5)
    trial.report(x, 0)  # writes the parameter, which the retry then repeats
    if trial.number == 3 and not marker.exists():
        marker.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.05)
    return x * x


def _heartbeat_storage(client: Any) -> DaskStorage:
    callback = RetryHeartbeatStaleTrialCallback()
    memory = InMemoryStorage(heartbeat_interval=0.5, grace_period=GRACE, heartbeat_stale_trial_callback=callback)
    return DaskStorage(memory, client=client)


@pytest.mark.slow  # worker processes import albacore on their first task: seconds
def test_worker_processes_share_one_study(client: Any) -> None:
    study = albacore.create_study(storage=DaskStorage(client=client), sampler=albacore.samplers.RandomSampler(seed=0))
    futures = [client.submit(study.optimize, pid_objective, n_trials=10, pure=False) for _ in range(2)]
    for future in futures:
        future.result()
    study.optimize(pid_objective, n_trials=10, executor=client.get_executor())
    trials = study.trials
    assert sorted(t.number for t in trials) == list(range(30))
    assert all(t.state == TrialState.COMPLETE for t in trials)
    assert os.getpid() not in {t.user_attrs["pid"] for t in trials}


def _channels_of_this_process() -> tuple[int, list[str]]:
    from albacore.integration._dask import _channel_client

    return os.getpid(), [repr(found) for found in _channel_client._channels.values()]


@pytest.mark.slow
def test_worker_processes_call_through_the_channel(client: Any) -> None:
    study = albacore.create_study(storage=DaskStorage(client=client))
    futures = [client.submit(study.optimize, pid_objective, n_trials=3, pure=False) for _ in range(2)]
    for future in futures:
        future.result()
    assert len(study.trials) == 6
    pids = {t.user_attrs["pid"] for t in study.trials}
    channels = dict(client.run(_channels_of_this_process).values())
    assert pids <= set(channels)
    for pid in pids:  # every worker process that ran a trial called through the channel
        assert any(found.startswith("ChannelClient(") for found in channels[pid])


@pytest.mark.slow  # a killed worker process is restarted by its nanny: seconds
def test_a_killed_worker_leaves_its_trial_failed_by_heartbeat(client: Any, tmp_path: pathlib.Path) -> None:
    marker = tmp_path / "killed"
    objective = functools.partial(dies_once, marker=marker)
    study = albacore.create_study(storage=_heartbeat_storage(client), sampler=albacore.samplers.RandomSampler(seed=0))
    futures = [client.submit(study.optimize, objective, n_trials=8, pure=False) for _ in range(2)]
    for future in futures:
        future.result()  # Dask runs the killed worker's task again elsewhere; it completes
    assert marker.exists()
    time.sleep(GRACE)
    study.optimize(objective, n_trials=2)  # the next ask reaps the silent trial; the one after runs its retry
    killed = study.trials[3]
    assert killed.state == TrialState.FAIL
    retries = [t for t in study.trials if RetryHeartbeatStaleTrialCallback.retried_trial_number(t) == 3]
    assert len(retries) == 1 and retries[0].state == TrialState.COMPLETE
    assert retries[0].params == killed.params
    numbers = [t.number for t in study.trials]
    assert numbers == list(range(len(numbers)))  # nothing lost, nothing numbered twice
    states = [t.state for t in study.trials]
    assert states.count(TrialState.FAIL) == 1 and TrialState.RUNNING not in states


@pytest.mark.slow
def test_the_executor_budget_completes_when_a_worker_is_killed(client: Any, tmp_path: pathlib.Path) -> None:
    marker = tmp_path / "killed"
    objective = functools.partial(dies_once, marker=marker)
    study = albacore.create_study(storage=_heartbeat_storage(client), sampler=albacore.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=10, executor=client.get_executor())
    assert marker.exists()
    # Dask runs the killed worker's task again on another worker, which takes the trial back (still RUNNING:
    # this process beat for it meanwhile) and completes it: nothing lost, nothing run twice under two numbers.
    assert [(t.number, t.state) for t in study.trials] == [(n, TrialState.COMPLETE) for n in range(10)]
