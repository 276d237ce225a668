"""Process-parallel ``optimize(n_processes=...)``: CPU-bound objectives use every core.

The parent process keeps the study's storage and serves it to the worker processes over pipes, so any storage
works, the in-memory one included: workers call the parent's storage through a thin proxy (one round trip per
storage call, which is negligible next to a CPU-bound objective). Workers sample, run the objective and tell the
result themselves; trial numbering stays atomic because the parent's storage assigns it.

The parent watches the workers. A worker that dies (killed, out of memory, a crash in native code) has its
running trials marked FAIL by the parent (the storage's ``heartbeat_stale_trial_callback`` runs for each, so
``RetryHeartbeatStaleTrialCallback`` re-enqueues them), and a replacement worker is started while trials remain to
be run; ``optimize`` never hangs on a dead worker. An objective error that is not in ``catch`` stops every worker and is
re-raised in the parent, as with threads.

Workers are forked where the platform allows it (Linux), so objectives may be closures or lambdas; elsewhere they
are spawned and the objective, sampler, pruner and callbacks must be picklable.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import pickle
import threading
import traceback
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from albacore.exceptions import AlbacoreError, UpdateFinishedTrialError
from albacore.logging import get_logger
from albacore.storages._base import BaseStorage
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.pruners._base import BasePruner
    from albacore.samplers._base import BaseSampler
    from albacore.study._optimize import CallbackType, _Budget
    from albacore.study._study import ObjectiveFuncType, Study

__all__ = ["optimize_in_processes"]

_logger = get_logger(__name__)

# Storage methods a worker may call; every other attribute access stays local.
_FORWARDED = (
    "create_new_study",
    "delete_study",
    "set_study_user_attr",
    "set_study_system_attr",
    "compare_and_set_study_system_attr",
    "get_study_id_from_name",
    "get_study_name_from_id",
    "get_study_directions",
    "get_study_user_attrs",
    "get_study_system_attrs",
    "get_all_studies",
    "create_new_trial",
    "set_trial_params",
    "get_trial_id_from_study_id_trial_number",
    "get_trial_number_from_id",
    "set_trial_state_values",
    "_end_trial_and_start_next",
    "set_trial_intermediate_value",
    "set_trial_user_attr",
    "set_trial_system_attr",
    "get_trial",
    "get_all_trials",
    "get_n_trials",
    "get_best_trial",
    "claim_waiting_trial",
    "record_heartbeat",
    "get_stale_trial_ids",
)


class _Channel:
    """A request/response pipe shared by a worker's threads."""

    def __init__(self, conn: multiprocessing.connection.Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()

    def request(self, kind: str, *payload: Any) -> Any:
        with self._lock:
            self._conn.send((kind, payload))
            status, result = self._conn.recv()
        if status == "error":
            raise result
        return result


class _ProxyStorage(BaseStorage):
    """The parent's storage, as seen from a worker process."""

    def __init__(self, channel: _Channel, heartbeat: Any) -> None:
        self._channel = channel
        self._heartbeat_config = heartbeat

    def _call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self._channel.request("call", name, args, kwargs)


def _forwarder(name: str) -> Callable[..., Any]:
    def method(self: _ProxyStorage, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, args, kwargs)

    method.__name__ = name
    method.__doc__ = getattr(BaseStorage, name).__doc__
    return method


for _name in _FORWARDED:
    setattr(_ProxyStorage, _name, _forwarder(_name))
_ProxyStorage.__abstractmethods__ = frozenset()


class _RemoteBudget:
    """The parent's trial budget, as seen from a worker process."""

    def __init__(self, channel: _Channel) -> None:
        self._channel = channel

    def claim(self) -> bool:
        return bool(self._channel.request("claim"))

    @property
    def stopped(self) -> bool:
        return False

    @stopped.setter
    def stopped(self, value: bool) -> None:
        if value:
            self._channel.request("stop")


def _worker_main(
    conn: multiprocessing.connection.Connection,
    study_name: str,
    heartbeat: Any,
    sampler: BaseSampler,
    pruner: BasePruner,
    func: ObjectiveFuncType,
    n_jobs: int,
    catch: tuple[type[Exception], ...],
    callbacks: list[CallbackType],
    gc_after_trial: bool,
) -> None:
    from albacore.study._optimize import run_workers
    from albacore.study._study import Study

    channel = _Channel(conn)
    storage = _ProxyStorage(channel, heartbeat)  # type: ignore[abstract]  # methods are attached below the class
    study = Study(study_name, storage, sampler=sampler, pruner=pruner)
    budget = _RemoteBudget(channel)
    study._budgets.append(budget)  # type: ignore[arg-type]  # the parent's budget, reached through the pipe
    try:
        run_workers(
            study, func, budget, n_jobs, catch, callbacks, gc_after_trial, on_trial=lambda _: channel.request("done")
        )
    except BaseException as err:  # noqa: BLE001 - handed to the parent, which re-raises it
        with contextlib.suppress(Exception):
            channel.request("failed", _picklable(err))
        raise SystemExit(1) from None
    channel.request("exit")


def _picklable(err: BaseException) -> BaseException:
    try:
        pickle.dumps(err)
        return err
    except Exception:  # noqa: BLE001 - any pickling failure: send a faithful description instead
        text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        return AlbacoreError(f"A worker process raised an error that cannot be sent back:\n{text}")


class _WorkerHandle:
    """The parent's side of one worker: its process, its pipe server thread and its running trials."""

    def __init__(self, pool: _Pool, index: int) -> None:
        self.pool = pool
        parent_conn, child_conn = pool.context.Pipe()
        self.conn = parent_conn
        self.running: set[int] = set()
        self.process = pool.context.Process(  # type: ignore[attr-defined]  # get_context's type lacks Process
            target=_worker_main,
            args=(child_conn, *pool.worker_args),
            name=f"albacore-process-{index}",
            daemon=True,
        )
        self.process.start()
        child_conn.close()
        self.thread = threading.Thread(target=self._serve, name=f"albacore-serve-{index}", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        storage = self.pool.study._storage
        while True:
            try:
                message = self.conn.recv_bytes()
            except (EOFError, OSError):
                return  # the worker exited or died; the monitor cleans up
            kind = "call"
            try:
                kind, payload = pickle.loads(message)
                result = self._handle(storage, kind, payload)
                self.conn.send(("ok", result))
            except Exception as err:  # noqa: BLE001 - storage errors belong to the worker that called
                self.conn.send(("error", _picklable(err)))
            if kind == "exit":
                return

    def _handle(self, storage: BaseStorage, kind: str, payload: tuple[Any, ...]) -> Any:
        pool = self.pool
        if kind == "call":
            name, args, kwargs = payload
            result = getattr(storage, name)(*args, **kwargs)
            self._track(name, args, kwargs, result)
            return result
        if kind == "claim":
            return pool.budget.claim()
        if kind == "stop":
            pool.budget.stopped = True
            return None
        if kind == "done":
            pool.on_trial_done()
            return None
        if kind == "failed":
            pool.errors.append(payload[0])
            pool.budget.stopped = True
            return None
        return None  # "exit"

    def _track(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
        if name == "create_new_trial":
            template = kwargs.get("template_trial", args[1] if len(args) > 1 else None)
            if template is None:  # a new RUNNING trial; templates are added (finished or waiting) trials
                self.running.add(result)
        elif name == "claim_waiting_trial" and result is not None:
            self.running.add(result)
        elif name == "set_trial_state_values":
            state = args[1] if len(args) > 1 else kwargs["state"]
            if state.is_finished():
                self.running.discard(args[0])
        elif name == "_end_trial_and_start_next":
            self.running.discard(args[0])
            if result is not None:
                self.running.add(result)  # the worker's next trial, which it may not live to ask for


class _Pool:
    def __init__(
        self,
        study: Study,
        budget: _Budget,
        n_processes: int,
        worker_args: tuple[Any, ...],
        on_trial_done: Callable[[], None],
    ) -> None:
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.study = study
        self.budget = budget
        self.worker_args = worker_args
        self.on_trial_done = on_trial_done
        self.errors: list[BaseException] = []
        self.workers = [_WorkerHandle(self, i) for i in range(n_processes)]
        self._next_index = n_processes

    def run(self) -> None:
        try:
            while self.workers:
                sentinels = {w.process.sentinel: w for w in self.workers}
                ready = multiprocessing.connection.wait(list(sentinels), timeout=1.0)
                for sentinel in ready:
                    worker = sentinels[sentinel]
                    worker.process.join()
                    worker.thread.join(timeout=5)
                    self.workers.remove(worker)
                    if worker.process.exitcode != 0 and not self.errors:
                        self._handle_crash(worker)
        except KeyboardInterrupt:
            self.budget.stopped = True
            for worker in self.workers:
                worker.process.terminate()
            for worker in self.workers:
                worker.process.join()
                self._fail_running(worker, "the run was interrupted (KeyboardInterrupt)")
            raise
        if self.errors:
            raise self.errors[0]

    def _handle_crash(self, worker: _WorkerHandle) -> None:
        _logger.warning(
            f"Worker process {worker.process.name} died (exit code {worker.process.exitcode}); "
            f"its running trials are marked FAIL."
        )
        self._fail_running(worker, f"its worker process died with exit code {worker.process.exitcode}")
        if not self.budget.stopped and self.budget.has_room():
            self.workers.append(_WorkerHandle(self, self._next_index))
            self._next_index += 1

    def _fail_running(self, worker: _WorkerHandle, reason: str) -> None:
        storage = self.study._storage
        callback = storage.get_heartbeat_stale_trial_callback()
        for trial_id in sorted(worker.running):
            try:
                storage.set_trial_state_values(trial_id, TrialState.FAIL)
            except UpdateFinishedTrialError:
                continue
            frozen = storage.get_trial(trial_id)
            _logger.warning(f"Trial {frozen.number} failed because {reason}.")
            if callback is not None:
                callback(self.study, frozen)
        worker.running.clear()


def optimize_in_processes(
    study: Study,
    func: ObjectiveFuncType,
    budget: _Budget,
    n_processes: int,
    n_jobs: int,
    catch: tuple[type[Exception], ...],
    callbacks: Iterable[CallbackType],
    gc_after_trial: bool,
    on_trial_done: Callable[[], None],
) -> None:
    """Run the optimization loop in ``n_processes`` worker processes of ``n_jobs`` threads each."""
    worker_args = (
        study.study_name,
        study._storage.get_heartbeat_config(),
        study.sampler,
        study.pruner,
        func,
        n_jobs,
        catch,
        list(callbacks),
        gc_after_trial,
    )
    _Pool(study, budget, n_processes, worker_args, on_trial_done).run()
