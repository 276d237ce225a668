"""``optimize(executor=...)``: trials run on any ``concurrent.futures.Executor``; this process keeps the loop.

The calling process holds the budget, the callbacks, the progress bar and Ctrl-C. For each budget slot it starts
the trial in the storage (claiming the oldest WAITING trial, or creating one) and submits one task with the trial's
id; the task samples, runs the objective and tells the result on the executor's worker, and hands the finished
trial back for the callbacks. At most ``n_jobs`` tasks are in flight (by default as many as the executor has
workers), so tasks do not queue long enough for a started trial's heartbeat to go stale.

Workers reach the study through its storage, so the storage must be one they can reach: a database
(PostgreSQL, MySQL, or SQLite on one machine), a journal file or Redis, ``DaskStorage`` on a Dask cluster, or the
gRPC storage proxy. An in-memory storage is refused for executors other than a ``ThreadPoolExecutor`` (whose
threads share this process's memory): a copy of it in another process would silently be another study.

Each worker process builds the study once per ``optimize`` call (keyed by a token sent with every task), so its
storage cache and its sampler's incremental state live across the trials it runs.

Faults: a task that ends without a result (its worker process died, the executor broke, Dask gave up on a
task whose workers kept dying) has its trial marked FAIL here and the storage's ``heartbeat_stale_trial_callback``
runs for it (``RetryHeartbeatStaleTrialCallback`` re-enqueues it); the budget goes on unless the executor can no
longer run tasks. A task that Dask re-runs on another worker after a worker died takes its trial back while it
is running (this process beats for it meanwhile) and returns the stored trial when it is finished already (the
task had run, and its result was lost with the worker). Ctrl-C marks the trials in flight FAIL
(their workers' late results are then discarded) and cancels the tasks not yet started.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import gc
import os
import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from albacore.exceptions import InvalidArgumentError, UpdateFinishedTrialError
from albacore.logging import get_logger
from albacore.storages._heartbeat import HeartbeatThread
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.pruners._base import BasePruner
    from albacore.samplers._base import BaseSampler
    from albacore.storages._base import BaseStorage
    from albacore.study._optimize import CallbackType, _Budget
    from albacore.study._study import ObjectiveFuncType, Study

__all__ = ["executor_parallelism", "optimize_on_executor"]

_logger = get_logger(__name__)

_WORKER_STUDIES: collections.OrderedDict[str, Study] = collections.OrderedDict()
_WORKER_LOCK = threading.Lock()
_KEPT_STUDIES = 8  # studies of recent optimize calls kept by a worker process


def executor_parallelism(executor: concurrent.futures.Executor) -> int:
    """How many tasks ``executor`` runs at once (its worker count; the cluster's threads for Dask)."""
    client = getattr(executor, "_client", None)
    if client is not None and hasattr(client, "nthreads"):
        with contextlib.suppress(Exception):
            return max(1, int(sum(client.nthreads().values())))
    workers = getattr(executor, "_max_workers", None)
    if isinstance(workers, int) and workers > 0:
        return workers
    return os.cpu_count() or 1


def _check_reachable(storage: BaseStorage, executor: concurrent.futures.Executor) -> None:
    from albacore.storages._in_memory import InMemoryStorage

    in_memory = isinstance(storage, InMemoryStorage)
    backend = getattr(storage, "_backend", None)
    url = str(getattr(backend, "url", "") or "")
    if url in ("sqlite://", "sqlite:///:memory:"):
        in_memory = True
    if in_memory:
        raise InvalidArgumentError(
            f"optimize(executor={type(executor).__name__}) runs trials in other processes, which cannot reach this "
            "study's in-memory storage (a copy there would be another study). Create the study on a storage they "
            "can reach: a database URL ('postgresql://...', 'mysql://...', or 'sqlite:///file.db' on one machine), "
            "a journal file or Redis, albacore.integration.dask.DaskStorage on a Dask cluster, or the gRPC storage "
            "proxy; or keep the in-memory storage and use n_jobs (threads) or n_processes instead."
        )


def _worker_study(token: str, study_name: str, storage: BaseStorage, sampler: BaseSampler, pruner: BasePruner) -> Study:
    from albacore.study._study import Study

    with _WORKER_LOCK:
        study = _WORKER_STUDIES.get(token)
        if study is not None:
            _WORKER_STUDIES.move_to_end(token)
            return study
        study = Study(study_name, storage, sampler=sampler, pruner=pruner)
        _WORKER_STUDIES[token] = study
        while len(_WORKER_STUDIES) > _KEPT_STUDIES:
            _WORKER_STUDIES.popitem(last=False)
        return study


def _run_task(
    token: str,
    study: Study | tuple[str, BaseStorage, BaseSampler, BasePruner],
    func: ObjectiveFuncType,
    catch: tuple[type[Exception], ...],
    trial_id: int,
    gc_after_trial: bool,
) -> tuple[str, Any]:
    """Run one trial on the executor: ("ok", frozen trial) or ("error", the objective's uncaught error)."""
    from albacore.study._optimize import _evaluate, _optimizing
    from albacore.study._processes import _picklable

    if isinstance(study, tuple):
        study = _worker_study(token, *study)
    stored = study._storage.get_trial(trial_id)
    if stored.state.is_finished():
        # Dask runs a task again when the worker holding its result died before the result was fetched: the
        # trial ran already, and its stored outcome is the task's result.
        return "ok", stored
    try:
        with _optimizing(study):
            trial = study._ask(None, trial_id)
            study._running_in_optimize.add(trial._trial_id)
            try:
                frozen = _evaluate(study, trial, func, catch, None)
            finally:
                study._running_in_optimize.discard(trial._trial_id)
    except Exception as err:  # noqa: BLE001 - handed to the calling process, which re-raises it
        return "error", _picklable(err)
    finally:
        if gc_after_trial:
            gc.collect()
    return "ok", frozen


def _start_trial(study: Study, beats: HeartbeatThread | None) -> int:
    """Start the next trial for a task, as ``ask`` would: reap stale trials, claim a WAITING one or create one.

    With heartbeats on, this process beats for the trial until its task ends: a task may wait for a worker (or
    for Dask to run it again after its worker died) longer than the grace period, and its trial must not be
    reaped meanwhile. A task that never ends with a result has its trial failed here instead.
    """
    storage = study._storage
    if beats is not None:
        from albacore.storages._heartbeat import fail_stale_trials

        fail_stale_trials(study)
    trial_id = storage.claim_waiting_trial(study._study_id)
    if trial_id is None:
        trial_id = storage.create_new_trial(study._study_id)
    if beats is not None:
        beats.register(trial_id, lambda: None)
    return trial_id


def _fail(study: Study, trial_id: int, reason: str, *, callback: bool) -> None:
    storage = study._storage
    try:
        storage.set_trial_state_values(trial_id, TrialState.FAIL)
    except UpdateFinishedTrialError:
        return  # it ended on its own meanwhile
    frozen = storage.get_trial(trial_id)
    _logger.warning(f"Trial {frozen.number} is marked FAIL because {reason}.")
    stale_callback = storage.get_heartbeat_stale_trial_callback()
    if callback and stale_callback is not None:
        stale_callback(study, frozen)


def optimize_on_executor(
    study: Study,
    func: ObjectiveFuncType,
    budget: _Budget,
    executor: concurrent.futures.Executor,
    in_flight_limit: int,
    catch: tuple[type[Exception], ...],
    callbacks: list[CallbackType],
    gc_after_trial: bool,
    on_trial: Callable[[FrozenTrial], None],
) -> None:
    """Run trials as tasks of ``executor`` until ``budget`` says stop; see the module docstring."""
    local = isinstance(executor, concurrent.futures.ThreadPoolExecutor)
    if not local:
        _check_reachable(study._storage, executor)
    token = uuid.uuid4().hex
    carried: Study | tuple[str, BaseStorage, BaseSampler, BasePruner] = (
        study if local else (study.study_name, study._storage, study.sampler, study.pruner)
    )
    heartbeat = study._storage.get_heartbeat_config()
    beats = None if heartbeat is None else HeartbeatThread.of(study._storage, heartbeat.interval)
    in_flight: dict[concurrent.futures.Future[tuple[str, Any]], int] = {}
    errors: list[BaseException] = []
    broken = False
    try:
        while True:
            while not errors and not broken and len(in_flight) < in_flight_limit and budget.claim():
                trial_id = _start_trial(study, beats)
                try:
                    future = executor.submit(_run_task, token, carried, func, catch, trial_id, gc_after_trial)
                except BaseException as err:
                    _fail(study, trial_id, f"the executor refused its task: {err!r}", callback=False)
                    raise
                in_flight[future] = trial_id
            if not in_flight:
                break
            done, _ = concurrent.futures.wait(in_flight, timeout=0.5, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                trial_id = in_flight.pop(future)
                if beats is not None:
                    beats.unregister(trial_id)
                try:
                    status, result = future.result()
                except BaseException as err:  # noqa: BLE001 - the task, not the objective, failed
                    broken = broken or isinstance(err, concurrent.futures.BrokenExecutor)
                    _fail(study, trial_id, f"its task ended without a result: {err!r}", callback=True)
                    if broken:
                        errors.append(err)
                    continue
                if status == "error":
                    errors.append(result)
                    budget.stopped = True
                    continue
                for callback in callbacks:
                    callback(study, result)
                on_trial(result)
    except KeyboardInterrupt:
        budget.stopped = True
        for future, trial_id in in_flight.items():
            future.cancel()
            if beats is not None:
                beats.unregister(trial_id)
            with contextlib.suppress(Exception):
                _fail(study, trial_id, "the run was interrupted (KeyboardInterrupt)", callback=False)
        _logger.warning("Interrupted: the trials in flight on the executor are marked FAIL.")
        raise
    except BaseException:
        budget.stopped = True  # a callback raised: the trials in flight end on their own first
        concurrent.futures.wait(in_flight)
        raise
    if errors:
        raise errors[0]
