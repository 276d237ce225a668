"""PartialFixedSampler: hold some parameters at given values and let another sampler choose the rest."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from albacore.distributions import BaseDistribution
from albacore.exceptions import InvalidArgumentError, InvalidDistributionError
from albacore.samplers._base import BaseSampler
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["PartialFixedSampler"]


class PartialFixedSampler(BaseSampler):
    """Return fixed values for some parameters and ask ``base_sampler`` for all the others.

    The fixed parameters are left out of the base sampler's joint (relative) search space, so a model-based
    base sampler keeps modelling the free ones together.

    Args:
        fixed_params: Parameter name -> the value every trial gets. A value outside the range the objective
            asks for is used anyway, with a warning; a categorical value that is not among the choices is an
            error.
        base_sampler: The sampler for the free parameters.

    Example:
        >>> import albacore
        >>> base = albacore.samplers.RandomSampler(seed=0)
        >>> sampler = albacore.samplers.PartialFixedSampler({"y": 0}, base)
        >>> study = albacore.create_study(sampler=sampler)
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2 + t.suggest_int("y", -3, 3), n_trials=5)
        >>> {t.params["y"] for t in study.trials}
        {0}
    """

    def __init__(self, fixed_params: dict[str, Any], base_sampler: BaseSampler) -> None:
        if not isinstance(fixed_params, dict):
            raise InvalidArgumentError(f"`fixed_params` must be a dict of name -> value, got {fixed_params!r}.")
        if not isinstance(base_sampler, BaseSampler):
            raise InvalidArgumentError(f"`base_sampler` must be a BaseSampler, got {base_sampler!r}.")
        self._fixed_params = dict(fixed_params)
        self._base_sampler = base_sampler

    def __str__(self) -> str:
        return f"PartialFixedSampler({self._base_sampler})"

    def reseed_rng(self) -> None:
        self._base_sampler.reseed_rng()

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        space = self._base_sampler.infer_relative_search_space(study, trial)
        return {name: dist for name, dist in space.items() if name not in self._fixed_params}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return self._base_sampler.sample_relative(study, trial, search_space)

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        if param_name not in self._fixed_params:
            return self._base_sampler.sample_independent(study, trial, param_name, param_distribution)
        value = self._fixed_params[param_name]
        try:
            internal = param_distribution.to_internal_repr(value)
        except InvalidDistributionError as err:
            raise InvalidArgumentError(
                f"PartialFixedSampler fixes {param_name!r} to {value!r}, which {param_distribution!r} cannot "
                f"represent: {err}"
            ) from None
        if not param_distribution._contains(internal):
            warnings.warn(
                f"PartialFixedSampler fixes {param_name!r} to {value!r}, outside {param_distribution!r}; the value "
                "is used anyway.",
                UserWarning,
                stacklevel=2,
            )
        return value

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._base_sampler.before_trial(study, trial)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None) -> None:
        self._base_sampler.after_trial(study, trial, state, values)
