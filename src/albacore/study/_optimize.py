"""``Study.optimize``: a loop over the public ask -> objective -> tell API, in one or several threads."""

from __future__ import annotations

import contextlib
import gc
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from albacore._progress_bar import ProgressBar
from albacore.exceptions import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    StaleTrialError,
    TrialPruned,
    UpdateFinishedTrialError,
)
from albacore.logging import get_logger
from albacore.study._max_trials import room_check
from albacore.study._tell import tell_and_start_next
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState
from albacore.trial._trial import Trial

if TYPE_CHECKING:
    from albacore.study._study import ObjectiveFuncType, Study

__all__ = ["optimize", "run_trial"]

_logger = get_logger(__name__)

CallbackType = Callable[["Study", FrozenTrial], None]


class _Budget:
    """Hands out trial slots to the workers of one ``optimize`` call until n_trials or the timeout is reached."""

    def __init__(
        self, n_trials: int | None, timeout: float | None, study_room: Callable[[], bool] | None = None
    ) -> None:
        self._left = n_trials
        self._deadline = None if timeout is None else time.monotonic() + timeout
        self._lock = threading.Lock()
        self._study_room = study_room  # the study-level budget (``_max_trials.py``), when the study has one
        self.stopped = False

    def has_room(self) -> bool:
        """True while more trials may start (without claiming one)."""
        with self._lock:
            if self.stopped or (self._deadline is not None and time.monotonic() >= self._deadline):
                return False
            return self._left is None or self._left > 0

    def claim(self) -> bool:
        lock = self._lock
        lock.acquire()  # not `with`: see InMemoryStorage.get_trial
        try:
            if self.stopped:
                return False
            if self._deadline is not None and time.monotonic() >= self._deadline:
                return False
            if self._left is not None and self._left <= 0:
                return False
            if self._study_room is not None and not self._study_room():
                self.stopped = True
                return False
            if self._left is not None:
                self._left -= 1
            return True
        finally:
            lock.release()


def _normalize_catch(catch: Iterable[type[Exception]] | type[Exception]) -> tuple[type[Exception], ...]:
    if isinstance(catch, type):
        catch = (catch,)
    if not isinstance(catch, Iterable) or isinstance(catch, (str, bytes)):
        raise InvalidArgumentTypeError(f"`catch` must be an exception class or an iterable of them, got {catch!r}.")
    catch = tuple(catch)
    for c in catch:
        if not (isinstance(c, type) and issubclass(c, BaseException)):
            raise InvalidArgumentTypeError(f"`catch` must hold exception classes, got {c!r}.")
    return catch


class _Lookahead:
    """A worker's next trial, decided while its current trial ends.

    A worker without callbacks knows, as soon as its objective returns, whether it will run another trial:
    it claims the budget slot then, and the storage may create that next trial in the same write that ends
    the current one (``BaseStorage._end_trial_and_start_next``), saving a write per trial. Callbacks run after
    the end is stored and may stop the study, so a worker with callbacks decides after them, as before.
    """

    __slots__ = ("_budget", "claimed", "started")

    def __init__(self, budget: _Budget | Any) -> None:
        self._budget = budget
        self.claimed = False  # a budget slot is held for the next trial
        self.started: int | None = None  # the next trial, when the storage created it with the last end

    def claim(self) -> bool:
        self.claimed = self._budget.claim()
        return self.claimed


def run_trial(
    study: Study, func: ObjectiveFuncType, catch: tuple[type[Exception], ...], ahead: _Lookahead | None = None
) -> FrozenTrial:
    """Ask for a trial, run the objective on it and tell the result; re-raise errors not in ``catch``."""
    started = None
    if ahead is not None:
        started, ahead.started, ahead.claimed = ahead.started, None, False
    trial = study._ask(None, started)  # a trial it cannot ask for, it marks FAIL
    study._running_in_optimize.add(trial._trial_id)
    try:
        return _evaluate(study, trial, func, catch, ahead)
    finally:
        study._running_in_optimize.discard(trial._trial_id)
        if ahead is not None and ahead.started is not None:
            study._running_in_optimize.add(ahead.started)


def _evaluate(
    study: Study, trial: Trial, func: ObjectiveFuncType, catch: tuple[type[Exception], ...], ahead: _Lookahead | None
) -> FrozenTrial:
    error: Exception | None = None
    state: TrialState | None = None
    reason: str | None = None
    values = None
    try:
        values = func(trial)
    except TrialPruned:
        state = TrialState.PRUNED
    except StaleTrialError as err:
        trial._stop_heartbeat()
        _logger.warning(str(err))
        return study._storage.get_trial(trial._trial_id)
    except Exception as err:
        error = err
        state = TrialState.FAIL
        reason = f"of the following error: {err!r}"
        _logger.warning(f"Trial {trial.number} raised {type(err).__name__}.", exc_info=err)
    except KeyboardInterrupt:
        _tell_quietly(study, trial, TrialState.FAIL, "the run was interrupted (KeyboardInterrupt)")
        raise
    goes_on = ahead is not None and (error is None or isinstance(error, catch))
    frozen = _tell_quietly(study, trial, state, reason, values, ahead if goes_on else None)
    if error is not None and not isinstance(error, catch):
        raise error
    return frozen


def _tell_quietly(
    study: Study,
    trial: Trial,
    state: TrialState | None,
    reason: str | None,
    values: object = None,
    ahead: _Lookahead | None = None,
) -> FrozenTrial:
    try:
        frozen, started = tell_and_start_next(
            study,
            trial,
            values,  # type: ignore[arg-type]
            state,
            failure_reason=reason,
            start_next=None if ahead is None else ahead.claim,
        )
    except UpdateFinishedTrialError:
        # Another worker failed this trial (its heartbeat went stale, or the run was interrupted); the
        # stored outcome stands and this worker goes on with the next trial.
        frozen = study._storage.get_trial(trial._trial_id)
        _logger.warning(
            f"Trial {trial.number} was already marked {frozen.state.name} by another worker; its result is discarded."
        )
        return frozen
    if ahead is not None:
        ahead.started = started
    return frozen


def _best_of(study: Study) -> tuple[int, float] | None:
    """The best trial's number and value, for the progress bar (None: several objectives, or no best yet)."""
    if len(study.directions) != 1:
        return None
    try:
        best = study.best_trial
    except ValueError:
        return None
    assert best.value is not None
    return best.number, best.value


def optimize(
    study: Study,
    func: ObjectiveFuncType,
    n_trials: int | None,
    timeout: float | None,
    n_jobs: int,
    catch: Iterable[type[Exception]] | type[Exception],
    callbacks: Iterable[CallbackType] | None,
    gc_after_trial: bool,
    show_progress_bar: bool,
    n_processes: int | None = None,
    executor: Executor | None = None,
) -> None:
    """Run the optimization loop; see ``Study.optimize``."""
    if n_trials is not None and (isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 0):
        raise InvalidArgumentError(f"`n_trials` must be a non-negative integer or None, got {n_trials!r}.")
    if timeout is not None and not timeout >= 0:
        raise InvalidArgumentError(f"`timeout` must be a non-negative number of seconds or None, got {timeout!r}.")
    if executor is not None:
        _check_executor(executor, n_processes)
    n_jobs = _resolve_count("n_jobs", n_jobs) if executor is None or n_jobs != -1 else 0
    catch_types = _normalize_catch(catch)
    callback_list = list(callbacks or [])
    if threading.get_ident() in study._optimizing:
        raise RuntimeError(
            "Study.optimize cannot be nested: it was called from an objective or callback of the same study's "
            "optimize. Several threads may each run optimize on one study."
        )
    parallel = n_jobs != 1 or bool(n_processes) or executor is not None
    started = time.monotonic()
    with ProgressBar(show_progress_bar, n_trials, timeout, parallel) as bar, _optimizing(study):
        # The clock starts once the bar is up: its first import can take longer than a short timeout.
        budget = _Budget(n_trials, timeout, room_check(study))
        study._budgets.append(budget)
        try:
            counter = _Counter()

            def on_trial(_: object = None) -> None:
                if bar._bar is not None:  # without a bar there is nothing to count
                    bar.update(counter.increment(), _best_of(study))

            if executor is not None:
                from albacore.study._executor import executor_parallelism, optimize_on_executor

                in_flight = n_jobs if n_jobs > 1 else executor_parallelism(executor)
                optimize_on_executor(
                    study, func, budget, executor, in_flight, catch_types, callback_list, gc_after_trial, on_trial
                )
            elif n_processes is not None:
                from albacore.study._processes import optimize_in_processes

                n_processes = _resolve_count("n_processes", n_processes)
                optimize_in_processes(
                    study, func, budget, n_processes, n_jobs, catch_types, callback_list, gc_after_trial, on_trial
                )
            else:
                run_workers(study, func, budget, n_jobs, catch_types, callback_list, gc_after_trial, on_trial)
        finally:
            study._budgets.remove(budget)
            _hint_persistence(study, time.monotonic() - started)


MEMORY_HINT_AFTER_SECONDS = 600.0
"""Once a study has spent this long in ``optimize`` in memory, the end of ``optimize`` says how to keep the next."""


def _hint_persistence(study: Study, seconds: float) -> None:
    """Say once per study, at the end of ``optimize``, that a long in-memory study is lost with its process."""
    from albacore.storages import InMemoryStorage

    if not isinstance(study._storage, InMemoryStorage):
        return
    study._seconds_in_memory += seconds
    spent = study._seconds_in_memory
    if spent <= MEMORY_HINT_AFTER_SECONDS or study._persistence_hinted:
        return
    study._persistence_hinted = True
    _logger.warning(
        f"Study {study.study_name!r} has run for {spent / 60:.0f} minutes in memory: its trials are lost when this "
        "process ends. To keep the next study, give it a storage "
        '(create_study(storage="sqlite:///albacore.db", study_name=..., load_if_exists=True)) '
        "or set the ALBACORE_STORAGE environment variable to such a URL, which create_study and load_study use "
        "when given no storage."
    )


@contextlib.contextmanager
def _optimizing(study: Study) -> Iterator[None]:
    """Mark the calling thread as running an optimize loop of ``study`` (an optimize call from it is nested)."""
    ident = threading.get_ident()
    added = ident not in study._optimizing
    study._optimizing.add(ident)
    try:
        yield
    finally:
        if added:
            study._optimizing.discard(ident)


def _check_executor(executor: object, n_processes: int | None) -> None:
    if not isinstance(executor, Executor):
        raise InvalidArgumentTypeError(
            f"`executor` must be a concurrent.futures.Executor (such as a ProcessPoolExecutor or Dask's "
            f"client.get_executor()), got {type(executor).__name__}."
        )
    if n_processes is not None:
        raise InvalidArgumentError("Give `executor` or `n_processes`, not both: the executor runs the trials.")


def _resolve_count(name: str, value: int) -> int:
    if value == -1:
        return os.cpu_count() or 1
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"`{name}` must be a positive integer or -1 (one per CPU core), got {value!r}.")
    return value


def run_workers(
    study: Study,
    func: ObjectiveFuncType,
    budget: _Budget | Any,
    n_jobs: int,
    catch: tuple[type[Exception], ...],
    callbacks: list[CallbackType],
    gc_after_trial: bool,
    on_trial: Callable[[FrozenTrial], None],
) -> None:
    """Run trials in ``n_jobs`` threads of this process until ``budget`` says stop."""

    def worker() -> None:
        with _optimizing(study):
            work()

    def work() -> None:
        ahead = None if callbacks else _Lookahead(budget)
        try:
            while (ahead is not None and ahead.claimed) or budget.claim():
                frozen = run_trial(study, func, catch, ahead)
                for callback in callbacks:
                    callback(study, frozen)
                on_trial(frozen)
                if gc_after_trial:
                    gc.collect()
        except BaseException as err:
            if ahead is not None and ahead.started is not None:
                study._running_in_optimize.discard(ahead.started)
                study._fail_unasked(ahead.started, f"its worker stopped before asking for it: {err!r}")
            try:
                study._storage._wait_until_flushed()
            except Exception as flush_error:  # noqa: BLE001 - the error that stopped the worker is the one to raise
                _logger.error(f"While stopping after {err!r}: {flush_error}")
            raise
        # The last trial's end may still be on its way to disk (see BaseStorage._end_trial_and_start_next_flushed_
        # later): optimize returns only once every trial it ran is as durable as a returned tell.
        study._storage._wait_until_flushed()

    if n_jobs == 1:
        worker()
    else:
        _run_threads(study, worker, n_jobs, budget)


class _Counter:
    def __init__(self) -> None:
        self._n = 0
        self._lock = threading.Lock()

    def increment(self) -> int:
        with self._lock:
            self._n += 1
            return self._n


def _run_threads(study: Study, worker: Callable[[], None], n_jobs: int, budget: _Budget) -> None:
    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            worker()
        except BaseException as err:  # noqa: BLE001 - handed to the main thread, which re-raises it
            errors.append(err)
            budget.stopped = True

    threads = [threading.Thread(target=guarded, daemon=True, name=f"albacore-worker-{i}") for i in range(n_jobs)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.1)
    except KeyboardInterrupt:
        budget.stopped = True
        for trial_id in list(study._running_in_optimize):
            with contextlib.suppress(UpdateFinishedTrialError):  # it finished on its own meanwhile
                study._storage.set_trial_state_values(trial_id, TrialState.FAIL)
        _logger.warning("Interrupted: the running trials are marked FAIL.")
        raise
    if errors:
        raise errors[0]
