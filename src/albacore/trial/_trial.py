"""Trial: the define-by-run handle an objective receives from ``Study.optimize`` or ``Study.ask``."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from albacore.distributions import (
    _CURRENT,
    BaseDistribution,
    CategoricalChoiceType,
    CategoricalDistribution,
    _to_current,
    check_distribution_compatibility,
)
from albacore.exceptions import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    StaleTrialError,
    UpdateFinishedTrialError,
)
from albacore.trial._base import RecordedTrialViews
from albacore.trial._constraints import constraint_attr
from albacore.trial._frozen import FrozenTrial
from albacore.trial._seed import SEED_ATTR, trial_seed
from albacore.trial._state import TrialState
from albacore.trial._suggest import (
    categorical_distribution,
    check_fixed_value,
    float_distribution,
    int_distribution,
)
from albacore.trial._vector_reports import REPORT_PREFIX, check_vector, stored

if TYPE_CHECKING:
    from albacore.storages._base import BaseStorage
    from albacore.storages._heartbeat import HeartbeatThread
    from albacore.study._study import Study

__all__ = ["FIXED_PARAMS_KEY", "Trial"]

_RUNNING = TrialState.RUNNING  # read once: an enum member read goes through the enum metaclass on Python 3.11

FIXED_PARAMS_KEY = "fixed_params"
"""System attribute holding the parameters of an enqueued trial (name -> external value)."""

_FLUSH_BOUND = 64
"""Buffered parameter writes are sent to the storage once this many are pending."""


class Trial(RecordedTrialViews):
    """A running trial: ask it for hyperparameters where your objective needs them.

    Parameters are decided by the study's sampler the first time each name is suggested; suggesting the same
    name again in the trial returns the same value. Writes to the storage are batched: parameters are sent
    at the next ``report``, ``should_prune``, attribute write or at the end of the trial.

    Args:
        study: The study the trial belongs to.
        trial_id: The storage's id of a RUNNING trial (``Study.ask`` creates one; user code does not).

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        ...     layers = trial.suggest_int("layers", 1, 4)
        ...     act = trial.suggest_categorical("act", ["relu", "tanh"])
        ...     return lr * layers
        >>> study = albacore.create_study()
        >>> study.optimize(objective, n_trials=3)
    """

    def __init__(self, study: Study, trial_id: int) -> None:
        self.study = study
        self._trial_id = trial_id
        self._storage = study._storage
        frozen = self._storage.get_trial(trial_id)
        # The fields themselves rather than their properties: one trial is made per trial run.
        self._number = frozen._number
        self._datetime_start = frozen._datetime_start
        self._params: dict[str, Any] = frozen._params.copy()
        self._distributions: dict[str, BaseDistribution] = frozen._distributions.copy()
        self._user_attrs: dict[str, Any] = frozen._user_attrs.copy()
        self._system_attrs: dict[str, Any] = frozen.system_attrs.copy()
        self._intermediate_values: dict[int, float] = frozen.intermediate_values.copy()
        self._fixed_params: dict[str, Any] = self._system_attrs.get(FIXED_PARAMS_KEY) or {}
        self._pending: dict[str, tuple[float, BaseDistribution]] = {}
        self._finished = False
        self._lost = False
        self._frozen_view: FrozenTrial | None = None
        heartbeat = self._storage.get_heartbeat_config()
        self._heartbeat: HeartbeatThread | None = None
        if heartbeat is not None:
            from albacore.storages._heartbeat import HeartbeatThread

            self._heartbeat = HeartbeatThread.of(self._storage, heartbeat.interval)
            self._heartbeat.register(trial_id, self._mark_lost)
        sampler = study.sampler
        # The pruner may narrow what the sampler learns from (Hyperband: the trial's own bracket).
        view = self._as_frozen()
        self._sampler_study = study.pruner._study_for_sampler(study, view)
        sampler_study = self._sampler_study
        sampler.before_trial(sampler_study, view)
        self.relative_search_space = sampler.infer_relative_search_space(sampler_study, view)
        # Called even for an empty space, as Optuna does: a sampler may keep per-trial bookkeeping there.
        self._relative_params = sampler.sample_relative(sampler_study, view, self.relative_search_space)
        # Relative parameters not suggested yet: once the last is, they are written at once (see _suggest).
        self._relative_unsuggested = set(self._relative_params)

    # --- suggestions -------------------------------------------------------------------------------------

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        return float(self._suggest(name, float_distribution(name, low, high, step, log)))

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int:
        return int(self._suggest(name, int_distribution(name, low, high, step, log)))

    def suggest_categorical(self, name: str, choices: Sequence[CategoricalChoiceType]) -> Any:
        dist = categorical_distribution(name, choices)
        study = self.study
        # The study's record of choices found fine, read here: one call fewer on every trial's usual path.
        if name not in self._distributions and study._numeric_categoricals_fine.get(name) is not dist:
            study._warn_numeric_categorical(name, dist)
        return self._suggest(name, dist)

    def _suggest(self, name: str, dist: BaseDistribution) -> Any:
        if type(dist) not in _CURRENT:  # a deprecated class (ask's fixed_distributions): converted, with a warning
            dist = _to_current(dist)
        if self._finished:
            raise UpdateFinishedTrialError(f"Trial #{self._number} is finished; it cannot suggest {name!r}.")
        known = self._distributions.get(name)
        if known is not None:
            if known is not dist and known != dist:
                check_distribution_compatibility(known, dist)
                warnings.warn(
                    f"Parameter {name!r} of trial #{self._number} was suggested from {known!r} and now from "
                    f"{dist!r}; the first value ({self._params[name]!r}) is kept. Suggesting the same name again "
                    "returns its first value, so a different range here is probably a mistake.",
                    UserWarning,
                    stacklevel=3,
                )
            return self._params[name]
        # Fails here, before anything is written, rather than at tell (a categorical's choices are fixed). The study
        # has usually recorded this very object (suggest_* hand out cached ones): nothing to check then.
        study = self.study
        if study._recorded_distributions.get(name) is not dist:
            study._check_against_recorded(name, dist, self)
        if name in self._fixed_params:
            internal = check_fixed_value(name, self._fixed_params[name], dist)
        elif dist.single():
            internal = 0.0 if isinstance(dist, CategoricalDistribution) else float(dist.low)  # type: ignore[attr-defined]
        elif self._relative_params and name in self._relative_params and self._fits_relative(name, dist):
            internal = dist.to_internal_repr(self._relative_params[name])
        else:
            view = self._frozen_view or self._as_frozen()  # made once per trial, by __init__
            value = study.sampler.sample_independent(self._sampler_study, view, name, dist)
            internal = dist.to_internal_repr(value)
        external = dist.to_external_repr(internal)
        self._params[name] = external
        self._distributions[name] = dist
        self._pending[name] = (internal, dist)
        unsuggested = self._relative_unsuggested
        if name in unsuggested:
            unsuggested.discard(name)
            if not unsuggested:
                # The sampler's joint proposal is complete: write it now rather than at the end, so that other
                # workers' samplers see where this running trial is (the GP's kriging believer, TPE's constant
                # liar). One write per trial, and only for trials a model-based sampler proposed.
                self._flush()
        if len(self._pending) >= _FLUSH_BOUND:
            self._flush()
        return external

    def _fits_relative(self, name: str, dist: BaseDistribution) -> bool:
        relative = self.relative_search_space.get(name)
        if relative is None:
            raise InvalidArgumentError(
                f"The sampler {type(self.study.sampler).__name__} returned parameter {name!r} from sample_relative, "
                f"but its relative search space has no such parameter (it has {sorted(self.relative_search_space)})."
            )
        if relative == dist:
            return True
        check_distribution_compatibility(relative, dist)
        return dist._contains(dist.to_internal_repr(self._relative_params[name]))

    # --- heartbeat ---------------------------------------------------------------------------------------

    def _mark_lost(self) -> None:
        self._lost = True

    def _stop_heartbeat(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.unregister(self._trial_id)
            self._heartbeat = None

    def _raise_if_lost(self) -> None:
        if self._lost:
            raise StaleTrialError(
                f"Trial #{self._number} was marked FAIL by another worker because its heartbeat went stale; "
                "this worker stops it and goes on. Raise `grace_period` if the worker was only slow."
            )

    # --- reports and pruning -----------------------------------------------------------------------------

    def report(self, value: float | Sequence[float], step: int) -> None:
        n_objectives = len(self.study.directions)
        if n_objectives > 1 and not hasattr(value, "__len__"):
            raise NotImplementedError(
                "Trial.report takes one value per objective in a study with several objectives "
                "(trial.report([v1, v2], step)); a single value there is not supported."
            )
        if n_objectives > 1:
            self._report_vector(check_vector(value, n_objectives), self._checked_step(step))
            return
        try:
            value = float(value)  # type: ignore[arg-type]  # a sequence here fails with the typed error below
        except (TypeError, ValueError):
            raise InvalidArgumentTypeError(
                f"`value` of report() must be a float, got {value!r} of type {type(value).__name__}."
            ) from None
        step = self._checked_step(step)
        if step in self._intermediate_values:
            warnings.warn(
                f"Trial #{self._number} already reported a value at step {step}; the first value "
                f"({self._intermediate_values[step]}) is kept and {value} is ignored.",
                UserWarning,
                stacklevel=2,
            )
            return
        self._raise_if_lost()
        self._flush()
        self._storage.set_trial_intermediate_value(self._trial_id, step, value)
        self._intermediate_values[step] = value

    @staticmethod
    def _checked_step(step: Any) -> int:
        try:
            whole = int(step)
            fractional = whole != step
        except (TypeError, ValueError):
            whole, fractional = 0, True
        if fractional:  # 1.0 and numpy integers are steps; 1.5 is not, rather than silently step 1
            raise InvalidArgumentTypeError(
                f"`step` of report() must be an integer, got {step!r} of type {type(step).__name__}."
            )
        if whole < 0:
            raise InvalidArgumentError(f"`step` of report() must be >= 0, got {whole}.")
        return whole

    def _report_vector(self, values: list[float], step: int) -> None:
        key = f"{REPORT_PREFIX}{step}"
        if key in self._system_attrs:
            warnings.warn(
                f"Trial #{self._number} already reported values at step {step}; the first "
                f"({self._system_attrs[key]}) are kept and {values} are ignored.",
                UserWarning,
                stacklevel=3,
            )
            return
        self._raise_if_lost()
        self.set_system_attr(key, stored(values))

    def should_prune(self) -> bool:
        if len(self.study.directions) > 1 and not getattr(self.study.pruner, "multi_objective", False):
            raise NotImplementedError(
                "Trial.should_prune is not supported for studies with several objectives, except with a pruner "
                "that decides on several objectives' reports (albacore.pruners.ParetoSuccessiveHalvingPruner, "
                "ParetoMedianPruner or ParetoPercentilePruner)."
            )
        self._raise_if_lost()
        self._flush()
        return self.study.pruner.prune(self.study, self._as_frozen())

    # --- attributes --------------------------------------------------------------------------------------

    def set_user_attr(self, key: str, value: Any) -> None:
        self._flush()
        self._storage.set_trial_user_attr(self._trial_id, key, value)
        self._user_attrs[key] = value

    def set_system_attr(self, key: str, value: Any) -> None:
        """Set a system attribute (for samplers, pruners and integrations)."""
        self._flush()
        self._storage.set_trial_system_attr(self._trial_id, key, value)
        self._system_attrs[key] = value

    def set_constraint(self, key: str, value: float) -> None:
        """Record constraint ``key``; the trial is feasible when every constraint is <= 0.

        The first value set for a key is kept; setting it again warns.
        """
        attr = constraint_attr(key, value, self._system_attrs, self._number)
        if attr is not None:
            self.set_system_attr(*attr)

    # --- views -------------------------------------------------------------------------------------------

    def _flush(self) -> None:
        if self._pending:
            self._storage.set_trial_params(self._trial_id, self._pending)
            self._pending = {}

    def _take_pending(self) -> dict[str, tuple[float, BaseDistribution]]:
        pending, self._pending = self._pending, {}
        return pending

    def _as_frozen(self) -> FrozenTrial:
        """A read-only view of this trial as it stands (it shares this trial's dicts, so it stays current)."""
        view = self._frozen_view
        if view is None:
            view = FrozenTrial._of(
                self._number,
                _RUNNING,
                None,
                self._datetime_start,
                None,
                self._params,
                self._distributions,
                self._user_attrs,
                self._system_attrs,
                self._intermediate_values,
                self._trial_id,
            )
            self._frozen_view = view
        return view

    @property
    def seed(self) -> int:
        """A reproducible seed for this trial's random number generators.

        Derived from the study's name and the trial's number, so it is the same in every process, thread and
        restart: a study continued from its storage, or a trial re-run, gets the same seed for the same number,
        while neighbouring trials get unrelated ones. Seed everything random in the objective with it
        (``np.random.default_rng(trial.seed)``, ``torch.manual_seed(trial.seed)``,
        ``random_state=trial.seed``) and a trial's result depends on its parameters only. The seed is recorded
        in the trial, so ``study.best_trial.seed`` gives it back.

        Example:
            >>> import albacore, random
            >>> study = albacore.create_study(study_name="seeded")
            >>> study.optimize(lambda t: random.Random(t.seed).random() + t.suggest_float("x", 0, 1), n_trials=2)
            >>> study.trials[0].seed == albacore.create_study(study_name="seeded").ask().seed
            True
        """
        seed = self._system_attrs.get(SEED_ATTR)
        if seed is None:
            seed = trial_seed(self.study.study_name, self._number)
            self.set_system_attr(SEED_ATTR, seed)
        return int(seed)

    @property
    def storage(self) -> BaseStorage:
        """The storage of the trial's study."""
        return self._storage

    @property
    def relative_params(self) -> dict[str, Any]:
        """Values the sampler chose jointly for this trial, before they are suggested."""
        return dict(self._relative_params)

    def __repr__(self) -> str:
        return f"Trial(number={self._number}, params={self._params!r})"
