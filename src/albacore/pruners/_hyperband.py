"""HyperbandPruner: several successive-halving brackets run side by side, each with its own aggressiveness.

Each trial belongs to one bracket, chosen from a hash of the study name and the trial number, so every worker
(thread or process) agrees on it without talking to the others. Brackets get trials in proportion to the budget
Hyperband gives them (Li et al. 2018). A trial competes only with the trials of its own bracket, and samplers
see only those trials too, through :meth:`BasePruner._study_for_sampler`.
"""

from __future__ import annotations

import math
import threading
import zlib
from collections.abc import Container
from typing import TYPE_CHECKING, Any

from albacore.exceptions import InvalidArgumentError
from albacore.pruners._base import BasePruner
from albacore.pruners._successive_halving import SuccessiveHalvingPruner, _check_int
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["HyperbandPruner"]

_MAX_RESOURCE_KEY = "hyperband:max_resource"


class HyperbandPruner(BasePruner):
    """Hyperband: successive halving over several brackets, from aggressive to lenient early stopping.

    Args:
        min_resource: Steps a trial gets before its first rung in the most aggressive bracket.
        max_resource: Steps of a full run. ``"auto"`` takes the last step + 1 of the first completed trial (and
            prunes nothing before a trial has completed); the value is kept in the study so that every worker
            uses the same one.
        reduction_factor: As for :class:`SuccessiveHalvingPruner`; also sets the number of brackets,
            ``floor(log(max_resource / min_resource, reduction_factor)) + 1``.
        bootstrap_count: As for :class:`SuccessiveHalvingPruner`, in every bracket; needs an explicit
            ``max_resource``.

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 0, 1)
        ...     for step in range(27):
        ...         trial.report(x + step, step)
        ...         if trial.should_prune():
        ...             raise albacore.TrialPruned()
        ...     return x
        >>> pruner = albacore.pruners.HyperbandPruner(max_resource=27)
        >>> study = albacore.create_study(pruner=pruner, sampler=albacore.samplers.RandomSampler(seed=0))
        >>> study.optimize(objective, n_trials=20)
    """

    def __init__(
        self,
        min_resource: int = 1,
        max_resource: str | int = "auto",
        reduction_factor: int = 3,
        bootstrap_count: int = 0,
    ) -> None:
        _check_int(min_resource, "min_resource", 1)
        _check_int(reduction_factor, "reduction_factor", 2)
        _check_int(bootstrap_count, "bootstrap_count", 0)
        if bootstrap_count > 0 and max_resource == "auto":
            # There are no brackets until a trial completes, so the first trials would run unpruned whatever
            # bootstrap_count says (Optuna refuses the combination too).
            raise InvalidArgumentError(
                f"`bootstrap_count` > 0 needs an explicit `max_resource`, got bootstrap_count={bootstrap_count} "
                "with max_resource='auto'."
            )
        if max_resource != "auto":
            _check_int(max_resource, "max_resource", 1)
            if int(max_resource) < min_resource:
                raise InvalidArgumentError(
                    f"`max_resource` must be >= `min_resource`, got max_resource={max_resource}, "
                    f"min_resource={min_resource}."
                )
        self._min_resource = min_resource
        self._max_resource: int | None = None if max_resource == "auto" else int(max_resource)
        self._reduction_factor = reduction_factor
        self._bootstrap_count = bootstrap_count
        self._brackets: list[SuccessiveHalvingPruner] = []
        self._budgets: list[int] = []
        self._lock = threading.Lock()
        if self._max_resource is not None:
            self._build_brackets(self._max_resource)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def n_brackets(self) -> int | None:
        """The number of brackets, or None while ``max_resource="auto"`` is not known yet."""
        return len(self._brackets) or None

    def _build_brackets(self, max_resource: int) -> None:
        eta = self._reduction_factor
        ratio = max_resource / self._min_resource
        # The small epsilon keeps exact powers (27 / 1 with eta 3) from rounding down a bracket.
        n_brackets = math.floor(math.log(ratio) / math.log(eta) + 1e-9) + 1
        budgets = []
        for bracket in range(n_brackets):
            s = n_brackets - 1 - bracket
            budgets.append(math.ceil(n_brackets * eta**s / (s + 1)))
        self._budgets = budgets
        self._brackets = [
            SuccessiveHalvingPruner(
                min_resource=self._min_resource,
                reduction_factor=eta,
                min_early_stopping_rate=bracket,
                bootstrap_count=self._bootstrap_count,
            )
            for bracket in range(n_brackets)
        ]

    def _ensure_brackets(self, study: Study) -> bool:
        if self._brackets:
            return True
        with self._lock:
            if self._brackets:
                return True
            stored = study._storage.get_study_system_attrs(study._study_id).get(_MAX_RESOURCE_KEY)
            if stored is None:
                completed = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                last_steps = [t.last_step for t in completed if t.last_step is not None]
                if not last_steps:
                    return False
                stored = max(max(last_steps) + 1, self._min_resource)
                study._storage.set_study_system_attr(study._study_id, _MAX_RESOURCE_KEY, stored)
            self._max_resource = int(stored)
            self._build_brackets(self._max_resource)
            return True

    def bracket_of(self, study: Study, trial_number: int) -> int:
        """The bracket of trial ``trial_number`` (0 is the most aggressive); needs the brackets to be known."""
        if not self._ensure_brackets(study):
            raise RuntimeError("HyperbandPruner(max_resource='auto') knows its brackets once a trial has completed.")
        slot = zlib.crc32(f"{study.study_name}_{trial_number}".encode()) % sum(self._budgets)
        for bracket, budget in enumerate(self._budgets):
            if slot < budget:
                return bracket
            slot -= budget
        raise AssertionError("unreachable: the slot is below the total budget")

    def _bracket_trials(self, study: Study, bracket: int, states: Container[TrialState] | None) -> list[FrozenTrial]:
        trials = study.get_trials(deepcopy=False, states=states)
        return [t for t in trials if self.bracket_of(study, t.number) == bracket]

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        if not self._ensure_brackets(study):
            return False
        bracket = self.bracket_of(study, trial.number)
        return self._brackets[bracket]._prune_among(
            study, trial, lambda states: self._bracket_trials(study, bracket, states)
        )

    def _study_for_sampler(self, study: Study, trial: FrozenTrial) -> Study:
        if not self._ensure_brackets(study):
            return study
        bracket = self.bracket_of(study, trial.number)
        return study._filtered(lambda number: self.bracket_of(study, number) == bracket)
