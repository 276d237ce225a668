"""BaseSampler: the three-method interface every sampler implements, plus optional hooks.

How a trial gets its parameters:

1. ``before_trial`` runs when the trial is created.
2. ``infer_relative_search_space`` names the parameters the sampler wants to choose jointly, and
   ``sample_relative`` chooses them, once per trial.
3. Each ``suggest_*`` call returns the relative value when there is one, else asks ``sample_independent``.
4. ``after_trial`` runs when the trial ends, before its final state is stored.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from albacore.distributions import BaseDistribution
from albacore.logging import get_logger
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["BaseSampler"]

_logger = get_logger(__name__)


class BaseSampler(abc.ABC):
    """Decides the parameters of each trial. Subclass it to write your own sampler.

    Example:
        >>> import random
        >>> import albacore
        >>> class CoinSampler(albacore.samplers.BaseSampler):
        ...     def infer_relative_search_space(self, study, trial):
        ...         return {}
        ...     def sample_relative(self, study, trial, search_space):
        ...         return {}
        ...     def sample_independent(self, study, trial, param_name, param_distribution):
        ...         return param_distribution.low if random.random() < 0.5 else param_distribution.high
        >>> study = albacore.create_study(sampler=CoinSampler())
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    """

    def __str__(self) -> str:
        return type(self).__name__

    @abc.abstractmethod
    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        """Return the parameters (name -> distribution) that ``sample_relative`` should choose jointly."""

    @abc.abstractmethod
    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        """Choose values (external form) for the relative search space, all at once."""

    @abc.abstractmethod
    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        """Choose a value (external form) for one parameter outside the relative search space."""

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:  # noqa: B027 - optional hook
        """Hook called when a trial is created, before any sampling."""

    def after_trial(  # noqa: B027 - optional hook
        self, study: Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None
    ) -> None:
        """Hook called when a trial ends, before its state and values are stored."""

    def reseed_rng(self) -> None:  # noqa: B027 - optional hook
        """Give the sampler a fresh random seed (used when a sampler is copied into another process)."""

    def _raise_error_if_multi_objective(self, study: Study) -> None:
        if len(study.directions) > 1:
            raise ValueError(f"{self} does not support studies with several objectives.")


def warn_independent_sampling(sampler: BaseSampler, param_name: str, trial: FrozenTrial, reason: str) -> None:
    """Log (at WARNING, as Optuna does) that a parameter of a trial fell back to independent sampling.

    A log record rather than a Python warning: it follows ``albacore.logging.set_verbosity`` and never becomes an
    exception in a test suite run with warnings as errors.
    """
    _logger.warning(f"{sampler} samples parameter {param_name!r} of trial #{trial.number} independently: {reason}.")


def independent_fallback(
    sampler: BaseSampler,
    independent_sampler: BaseSampler,
    study: Study,
    trial: FrozenTrial,
    param_name: str,
    param_distribution: BaseDistribution,
    *,
    warn: bool,
    n_startup_trials: int,
) -> Any:
    """Sample a parameter the model-based ``sampler`` cannot model, with ``independent_sampler``.

    Warns (when ``warn``) once the startup phase is over if the sampler does not model the parameter, since it is
    then sampled blindly.
    """
    if warn:
        n_complete = study._storage.get_n_trials(study._study_id, TrialState.COMPLETE)
        # A parameter of the modelled space is sampled independently only when its trial started during the
        # startup phase (a slow worker can reach suggest after that phase): nothing to warn about then.
        if n_complete >= max(n_startup_trials, 1) and param_name not in sampler.infer_relative_search_space(
            study, trial
        ):
            warn_independent_sampling(sampler, param_name, trial, "the sampler does not model it")
    return independent_sampler.sample_independent(study, trial, param_name, param_distribution)
