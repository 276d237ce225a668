"""Study: a named optimization task whose trials live in a storage."""

from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from albacore._numeric_choices import advice
from albacore._pareto import best_of, pareto_front_trials
from albacore._study_records import StudyDirection
from albacore.distributions import BaseDistribution, CategoricalDistribution, check_distribution_compatibility
from albacore.exceptions import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    NumericCategoricalWarning,
    UpdateFinishedTrialError,
)
from albacore.logging import get_logger
from albacore.pruners._base import BasePruner
from albacore.samplers._base import BaseSampler
from albacore.storages._base import BaseStorage
from albacore.trial._constraints import is_feasible
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState
from albacore.trial._trial import FIXED_PARAMS_KEY, Trial

if TYPE_CHECKING:
    from concurrent.futures import Executor

    import pandas as pd

    from albacore.study._optimize import CallbackType, _Budget

__all__ = ["ObjectiveFuncType", "Study"]

ObjectiveFuncType = Callable[[Trial], "float | Sequence[float]"]

_logger = get_logger(__name__)
_METRIC_NAMES_KEY = "study:metric_names"


class Study:
    """A set of trials in a storage, with the sampler and pruner that decide new ones.

    Create one with :func:`albacore.create_study` or open one with :func:`albacore.load_study` rather than
    calling the constructor.

    Args:
        study_name: The name of an existing study in ``storage``.
        storage: The storage (or its URL) that holds the study.
        sampler: How parameters are chosen; the default picks a strong sampler for the study.
        pruner: How running trials are stopped early; MedianPruner by default.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(direction="minimize")
        >>> study.optimize(lambda trial: (trial.suggest_float("x", -10, 10) - 2) ** 2, n_trials=20)
        >>> study.best_value < 50
        True
    """

    def __init__(
        self,
        study_name: str,
        storage: str | BaseStorage,
        sampler: BaseSampler | None = None,
        pruner: BasePruner | None = None,
    ) -> None:
        from albacore.pruners import MedianPruner
        from albacore.samplers import default_sampler
        from albacore.storages import get_storage

        self.study_name = study_name
        self._storage = get_storage(storage)
        self._study_id = self._storage.get_study_id_from_name(study_name)
        self._directions = self._storage.get_study_directions(self._study_id)
        self.sampler = sampler if sampler is not None else default_sampler(len(self._directions))
        self.pruner = pruner if pruner is not None else MedianPruner()
        # The running optimize calls (several threads may each run one): their budgets, which stop() ends, and
        # the threads running their loops, from which another optimize call would be nested.
        self._budgets: list[_Budget] = []
        self._optimizing: set[int] = set()
        # Time spent in optimize on an in-memory storage, and whether its end has said how to keep the study.
        self._seconds_in_memory = 0.0
        self._persistence_hinted = False
        # Categorical parameters already warned about for having numeric choices (once per study and name).
        self._numeric_categoricals_warned: set[str] = set()
        # The categorical last found to need no such warning, by name: a trial asks for the same distribution
        # object every time (suggest_categorical's cache), so the check is not repeated for every trial.
        self._numeric_categoricals_fine: dict[str, CategoricalDistribution] = {}
        # Trials asked through this object and not yet told, so that tell(number) can flush their buffered
        # parameters. A plain dict: weak references cost more than the rare trial that is never told.
        self._asked: dict[int, Trial] = {}
        self._running_in_optimize: set[int] = set()
        # What the storage has recorded for each parameter name: fixed for the study once recorded.
        self._recorded_distributions: dict[str, BaseDistribution] = {}
        # The last (recorded, suggested) pair of objects found compatible, by name: checked once, not per suggest
        # (another process's trials give the recorded distribution as an object of its own, equal but not ours).
        self._compatible_with_recorded: dict[str, tuple[BaseDistribution, BaseDistribution]] = {}
        # The end of the last trials' log line: the best trial's number, its value (the float object) and the text.
        self._best_log_text: tuple[int, float | None, str] = (-1, None, "")

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for key in (
            "_asked",
            "_budgets",
            "_optimizing",
            "_running_in_optimize",
            "_numeric_categoricals_fine",
            "_best_log_text",
        ):
            del state[key]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._budgets = []
        self._optimizing = set()
        self._asked = {}
        self._running_in_optimize = set()
        self._numeric_categoricals_fine = {}
        self._best_log_text = (-1, None, "")

    # --- directions and best trials ----------------------------------------------------------------------

    @property
    def directions(self) -> list[StudyDirection]:
        """The direction of each objective."""
        return list(self._directions)

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study."""
        if len(self._directions) > 1:
            raise RuntimeError("This study has several objectives; use `Study.directions`.")
        return self._directions[0]

    def _recorded_distribution(self, name: str, asking: Trial | None = None) -> BaseDistribution | None:
        """The distribution the study has recorded for parameter ``name`` (None before any trial has it).

        Until the storage has one, a running trial of this process that suggested ``name`` (its parameters are
        written in batches, so not stored yet) answers for it, so that ``asking`` fails at its suggest call as it
        would once that trial is stored.
        """
        found = self._recorded_distributions.get(name)
        if found is None:
            found = self._storage.get_param_distribution(self._study_id, name)
            if found is not None:
                self._recorded_distributions[name] = found
            else:
                for trial in list(self._asked.values()):
                    if trial is not asking and name in trial._distributions:
                        return trial._distributions[name]
        return found

    def _check_against_recorded(self, name: str, dist: BaseDistribution, asking: Trial) -> None:
        """Raise IncompatibleDistributionError if ``dist`` cannot be suggested for ``name`` in this study."""
        recorded = self._recorded_distribution(name, asking)
        if recorded is None or recorded is dist:
            return
        checked = self._compatible_with_recorded.get(name)
        if checked is not None and checked[0] is recorded and checked[1] is dist:
            return
        check_distribution_compatibility(recorded, dist)
        self._compatible_with_recorded[name] = (recorded, dist)

    def _warn_numeric_categorical(self, name: str, dist: CategoricalDistribution) -> None:
        """Warn, once per study and parameter, that a categorical's numeric choices lose their order."""
        if name in self._numeric_categoricals_warned or self._numeric_categoricals_fine.get(name) is dist:
            return
        choices = dist.choices
        instead = advice(name, choices)
        if instead is None:
            self._numeric_categoricals_fine[name] = dist
            return
        self._numeric_categoricals_warned.add(name)
        warnings.warn(
            f"The choices of categorical parameter {name!r} are all numbers, {list(choices)!r}: as labels they "
            f"lose their order, so samplers cannot learn that neighbouring values behave alike. Use "
            f"`trial.{instead}` instead (albacore's TPE models numeric choices by their order, other samplers "
            "do not). To keep the categorical, filter albacore.exceptions.NumericCategoricalWarning.",
            NumericCategoricalWarning,
            stacklevel=3,
        )

    def _filtered(self, keep: Callable[[int], bool]) -> Study:
        """A read view of this study listing only the trials whose number ``keep`` accepts (Hyperband brackets)."""
        from albacore.study._filtered import FilteredStudy  # a subclass of Study: imported once Study exists

        return FilteredStudy(self, keep)

    def _is_multi_objective(self) -> bool:
        return len(self._directions) > 1

    @property
    def best_trial(self) -> FrozenTrial:
        """The best COMPLETE feasible trial; raises ValueError when there is none yet."""
        if self._is_multi_objective():
            raise RuntimeError("A study with several objectives has no single best trial; use `best_trials`.")
        best = self._storage.get_best_trial(self._study_id)
        if is_feasible(best.system_attrs):
            return copy.deepcopy(best)
        feasible = [
            t for t in self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if is_feasible(t.system_attrs)
        ]
        found = best_of(feasible, self.direction)
        if found is None:
            raise ValueError("No feasible trials are completed yet.")
        return copy.deepcopy(found)

    @property
    def best_value(self) -> float:
        """The value of ``best_trial``."""
        value = self.best_trial.value
        assert value is not None
        return value

    @property
    def best_params(self) -> dict[str, Any]:
        """The parameters of ``best_trial``."""
        return self.best_trial.params

    @property
    def best_trials(self) -> list[FrozenTrial]:
        """The COMPLETE trials on the Pareto front (feasible ones only, when constraints are set)."""
        completed = self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        return [copy.deepcopy(t) for t in pareto_front_trials(completed, self._directions)]

    # --- trials ------------------------------------------------------------------------------------------

    @property
    def trials(self) -> list[FrozenTrial]:
        """Every trial of the study, ordered by number (deep copies)."""
        return self.get_trials(deepcopy=True)

    def get_trials(self, deepcopy: bool = True, states: Container[TrialState] | None = None) -> list[FrozenTrial]:
        """Return the study's trials ordered by number, optionally only those in ``states``.

        Pass ``deepcopy=False`` for speed when you will not modify the returned trials.
        """
        return self._storage.get_all_trials(self._study_id, deepcopy=deepcopy, states=states)

    # --- attributes --------------------------------------------------------------------------------------

    @property
    def user_attrs(self) -> dict[str, Any]:
        """User attributes of the study."""
        return copy.deepcopy(self._storage.get_study_user_attrs(self._study_id))

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serializable value to the study under ``key``."""
        self._storage.set_study_user_attr(self._study_id, key, value)

    @property
    def system_attrs(self) -> dict[str, Any]:
        """System attributes of the study (used by samplers and albacore itself)."""
        return copy.deepcopy(self._storage.get_study_system_attrs(self._study_id))

    def set_system_attr(self, key: str, value: Any) -> None:
        """Set a system attribute of the study (for samplers and integrations)."""
        self._storage.set_study_system_attr(self._study_id, key, value)

    @property
    def metric_names(self) -> list[str] | None:
        """Names of the objectives, when set with ``set_metric_names``."""
        return self._storage.get_study_system_attrs(self._study_id).get(_METRIC_NAMES_KEY)

    def set_metric_names(self, metric_names: list[str]) -> None:
        """Name the objectives (shown in ``trials_dataframe`` and plots)."""
        if len(metric_names) != len(self._directions):
            raise InvalidArgumentError(
                f"`metric_names` must have one name per objective ({len(self._directions)}), got {metric_names!r}."
            )
        self._storage.set_study_system_attr(self._study_id, _METRIC_NAMES_KEY, list(metric_names))

    # --- running trials ----------------------------------------------------------------------------------

    def optimize(
        self,
        func: ObjectiveFuncType,
        n_trials: int | None = None,
        timeout: float | None = None,
        n_jobs: int = 1,
        catch: Iterable[type[Exception]] | type[Exception] = (),
        callbacks: Iterable[CallbackType] | None = None,
        gc_after_trial: bool = False,
        show_progress_bar: bool = False,
        *,
        n_processes: int | None = None,
        executor: Executor | None = None,
    ) -> None:
        """Run trials of ``func`` until ``n_trials`` have run, ``timeout`` seconds passed, or ``stop()``.

        Args:
            func: The objective: takes a Trial, returns a float (or one float per objective).
            n_trials: How many trials to run in this call (all threads together); None for no limit.
            timeout: Stop starting trials after this many seconds; None for no limit.
            n_jobs: Threads running trials at once; -1 for one per CPU core.
            catch: Exception types that fail the trial but let the study go on; others fail the trial and
                are re-raised.
            callbacks: Called as ``callback(study, frozen_trial)`` after every trial.
            gc_after_trial: Run the garbage collector after every trial.
            show_progress_bar: Show a tqdm progress bar with the best value so far.
            n_processes: Run trials in this many worker processes (-1: one per CPU core), each with ``n_jobs``
                threads. Threads share Python's GIL, so use processes for CPU-bound objectives. Works with every
                storage, the in-memory one included: workers reach this process's storage through pipes. A
                worker that dies has its running trials marked FAIL and is replaced.
            executor: Run each trial as a task of this ``concurrent.futures.Executor`` (Dask's
                ``client.get_executor()``, a ``ProcessPoolExecutor``, ...) while this process keeps the budget,
                callbacks, progress bar and Ctrl-C; ``n_jobs`` is then the number of trials in flight (default: the
                executor's worker count). The workers reach the study through its storage, so it must be one they
                can reach (a database, a journal, ``DaskStorage``, the gRPC proxy): an in-memory study is refused
                unless the executor is a ``ThreadPoolExecutor``. A trial whose task dies is marked FAIL.

        Raises:
            InvalidArgumentError: A negative ``n_trials`` or ``timeout``, a worker count that is neither positive
                nor -1, or both ``executor`` and ``n_processes``.
            InvalidArgumentTypeError: A ``catch`` entry that is not an exception class.
            RuntimeError: ``optimize`` was called from an objective or callback of the same study's
                ``optimize`` in the same thread.
            Exception: Whatever the objective raised, when it is not an instance of ``catch`` (the trial is
                marked FAIL first).

        Example:
            >>> import albacore
            >>> def objective(trial):
            ...     x = trial.suggest_float("x", -10, 10)
            ...     return (x - 2) ** 2
            >>> study = albacore.create_study()
            >>> study.optimize(objective, n_trials=10, n_jobs=2)
            >>> len(study.trials)
            10
        """
        from albacore.study._optimize import optimize

        optimize(
            self,
            func,
            n_trials,
            timeout,
            n_jobs,
            catch,
            callbacks,
            gc_after_trial,
            show_progress_bar,
            n_processes,
            executor,
        )

    def stop(self) -> None:
        """Stop ``optimize`` after the running trials finish (call it from an objective or callback)."""
        budgets = list(self._budgets)
        if not budgets:
            raise RuntimeError("Study.stop() works only while Study.optimize is running.")
        for budget in budgets:
            budget.stopped = True

    @property
    def _budget(self) -> _Budget | None:
        """The budget of a running ``optimize`` call (the first, when several threads run one), or None."""
        budgets = self._budgets
        return budgets[0] if budgets else None

    def ask(self, fixed_distributions: Mapping[str, BaseDistribution] | None = None) -> Trial:
        """Start a new trial (or the oldest enqueued one) and return it; finish it with ``tell``.

        Args:
            fixed_distributions: Parameters to suggest at once, by name, as if the objective had asked.

        Returns:
            The running trial; its ``suggest_*`` calls work as in an objective.

        Raises:
            InvalidArgumentTypeError: ``fixed_distributions`` maps a name to something that is not a
                distribution.

        Warns:
            UserWarning: The storage writes heartbeats, which keep the trial RUNNING until it is told.

        Example:
            >>> import albacore
            >>> study = albacore.create_study()
            >>> trial = study.ask()
            >>> x = trial.suggest_float("x", -1, 1)
            >>> study.tell(trial, x**2).state.name
            'COMPLETE'
            >>> space = {"y": albacore.distributions.IntDistribution(0, 3)}
            >>> trial = study.ask(space)
            >>> sorted(trial.params)
            ['y']
        """
        for name, dist in (fixed_distributions or {}).items():
            if not isinstance(dist, BaseDistribution):
                raise InvalidArgumentTypeError(
                    f"`fixed_distributions` maps names to distributions; {name!r} maps to {dist!r} of type "
                    f"{type(dist).__name__}."
                )
        if self._storage.get_heartbeat_config() is not None:
            from albacore.storages._heartbeat import warn_ask_with_heartbeat

            warn_ask_with_heartbeat()
        return self._ask(fixed_distributions)

    def _ask(self, fixed_distributions: Mapping[str, BaseDistribution] | None, started: int | None = None) -> Trial:
        """``ask``; ``started`` is a trial that the storage already created for this caller (see ``optimize``)."""
        if self._storage.get_heartbeat_config() is not None:
            from albacore.storages._heartbeat import fail_stale_trials

            fail_stale_trials(self)
        trial_id = started
        if trial_id is None:
            trial_id = self._storage.claim_waiting_trial(self._study_id)
        if trial_id is None:
            trial_id = self._storage.create_new_trial(self._study_id)
        try:
            trial = Trial(self, trial_id)
            self._asked[trial_id] = trial
            if fixed_distributions:
                for name, dist in fixed_distributions.items():
                    trial._suggest(name, dist)
        except BaseException as err:
            self._fail_unasked(trial_id, f"asking for it failed: {err!r}")
            raise
        return trial

    def _fail_unasked(self, trial_id: int, because: str) -> None:
        """Mark FAIL a trial started for this caller but never handed to an objective, so that it is not left
        RUNNING (its ``ask`` failed, or its worker stopped first); an error doing so is logged, not raised, to
        leave the caller's own error the one that propagates."""
        self._asked.pop(trial_id, None)
        heartbeat = self._storage.get_heartbeat_config()
        if heartbeat is not None:
            from albacore.storages._heartbeat import HeartbeatThread

            HeartbeatThread.of(self._storage, heartbeat.interval).unregister(trial_id)
        try:
            with contextlib.suppress(UpdateFinishedTrialError):
                self._storage.set_trial_state_values(trial_id, TrialState.FAIL)
            number = self._storage.get_trial_number_from_id(trial_id)
        except Exception as failed:  # noqa: BLE001 - the caller's own error is the one to raise
            _logger.warning(
                f"Trial id {trial_id} could not be marked FAIL ({failed!r}); it was to be because {because}."
            )
            return
        _logger.warning(f"Trial {number} is marked FAIL because {because}.")

    def tell(
        self,
        trial: Trial | int,
        values: float | Sequence[float] | None = None,
        state: TrialState | None = None,
        skip_if_finished: bool = False,
    ) -> FrozenTrial:
        """Finish a trial started with ``ask`` and return its stored record.

        Values that are None, NaN, infinite or of the wrong count mark the trial FAIL with a warning.

        Args:
            trial: The Trial, or its number.
            values: The objective value, or one value per objective.
            state: COMPLETE (the default when values are given), PRUNED or FAIL.
            skip_if_finished: Return quietly when the trial is already finished instead of raising.

        Returns:
            The trial as stored, finished.

        Raises:
            TrialAlreadyFinishedError: The trial is finished and ``skip_if_finished`` is False.
            InvalidArgumentError: The study has no trial of that number, the trial is WAITING (enqueued, never
                asked for), ``state`` is not COMPLETE, PRUNED or FAIL, or COMPLETE comes without valid values.
            InvalidArgumentTypeError: ``trial`` is neither a Trial nor a trial number.

        Example:
            >>> import albacore
            >>> study = albacore.create_study()
            >>> trial = study.ask()
            >>> study.tell(trial.number, trial.suggest_float("x", 0, 1)).state.name
            'COMPLETE'
            >>> study.tell(study.ask(), state=albacore.trial.TrialState.PRUNED).state.name
            'PRUNED'
        """
        from albacore.study._tell import tell

        return tell(self, trial, values, state, skip_if_finished)

    def enqueue_trial(
        self, params: dict[str, Any], user_attrs: dict[str, Any] | None = None, skip_if_exists: bool = False
    ) -> None:
        """Queue a trial with these parameters; the next ``ask`` (or trial of ``optimize``) runs it.

        Parameters the objective asks for but ``params`` lacks are chosen by the sampler.

        Args:
            params: Parameter values by name.
            user_attrs: User attributes to give the trial.
            skip_if_exists: Do nothing if a trial with the same parameters is already queued or was run.
        """
        if skip_if_exists and self._has_trial_with_params(params):
            _logger.info(f"Trial with params {params} already exists; it is not enqueued again.")
            return
        from albacore.trial._frozen import create_trial

        template = create_trial(
            state=TrialState.WAITING, system_attrs={FIXED_PARAMS_KEY: dict(params)}, user_attrs=user_attrs
        )
        self._storage.create_new_trial(self._study_id, template_trial=template)

    def _has_trial_with_params(self, params: dict[str, Any]) -> bool:
        from albacore.distributions import _same_choice

        for trial in self.get_trials(deepcopy=False):
            existing = trial.system_attrs.get(FIXED_PARAMS_KEY, trial.params)
            if set(existing) == set(params) and all(_same_choice(existing[k], v) for k, v in params.items()):
                return True
        return False

    def add_trial(self, trial: FrozenTrial) -> None:
        """Add a finished (or waiting) trial made with :func:`albacore.create_trial`."""
        trial._validate()
        if trial.values is not None and len(trial.values) != len(self._directions):
            raise InvalidArgumentError(
                f"The trial has {len(trial.values)} value(s) but the study has {len(self._directions)} objective(s)."
            )
        self._storage.create_new_trial(self._study_id, template_trial=trial)

    def add_trials(self, trials: Iterable[FrozenTrial]) -> None:
        """Add several trials made with :func:`albacore.create_trial`."""
        for trial in trials:
            self.add_trial(trial)

    def trials_dataframe(
        self,
        attrs: tuple[str, ...] = (
            "number",
            "value",
            "datetime_start",
            "datetime_complete",
            "duration",
            "params",
            "user_attrs",
            "system_attrs",
            "state",
        ),
        multi_index: bool = False,
    ) -> pd.DataFrame:
        """Return the trials as a pandas DataFrame (needs ``pip install albacore[pandas]``)."""
        from albacore.study._dataframe import trials_dataframe

        return trials_dataframe(self, attrs, multi_index)

    def __repr__(self) -> str:
        return f"Study(study_name={self.study_name!r}, directions={self._directions!r})"
