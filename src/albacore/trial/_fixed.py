"""FixedTrial: run an objective with chosen parameters, without a study."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from albacore.distributions import BaseDistribution, CategoricalChoiceType, check_distribution_compatibility
from albacore.exceptions import InvalidArgumentError
from albacore.trial._base import RecordedTrialViews
from albacore.trial._constraints import constraint_attr
from albacore.trial._seed import trial_seed
from albacore.trial._suggest import (
    categorical_distribution,
    check_fixed_value,
    float_distribution,
    int_distribution,
)

__all__ = ["FixedTrial"]


class FixedTrial(RecordedTrialViews):
    """A trial whose parameters are given up front: for testing an objective or re-running the best one.

    Args:
        params: The value each ``suggest_*`` call returns, by parameter name.
        number: The trial number the objective sees.
        seed: The value of ``trial.seed``; None derives one from ``number``.

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     return trial.suggest_float("x", -10, 10) ** 2
        >>> objective(albacore.trial.FixedTrial({"x": 3.0}))
        9.0
    """

    def __init__(self, params: dict[str, Any], number: int = 0, *, seed: int | None = None) -> None:
        self._fixed = dict(params)
        self._number = number
        self._seed = seed
        self._params: dict[str, Any] = {}
        self._distributions: dict[str, BaseDistribution] = {}
        self._user_attrs: dict[str, Any] = {}
        self._system_attrs: dict[str, Any] = {}
        self._intermediate_values: dict[int, float] = {}
        self._datetime_start = datetime.datetime.now()

    def _suggest(self, name: str, dist: BaseDistribution) -> Any:
        if name not in self._fixed:
            raise InvalidArgumentError(
                f"FixedTrial has no value for parameter {name!r}; give it one of: {sorted(self._fixed) or 'none'}."
            )
        if name in self._distributions:
            check_distribution_compatibility(self._distributions[name], dist)
        value = self._fixed[name]
        internal = check_fixed_value(name, value, dist)
        external = dist.to_external_repr(internal)
        self._params[name] = external
        self._distributions[name] = dist
        return external

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        return float(self._suggest(name, float_distribution(name, low, high, step, log)))

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int:
        return int(self._suggest(name, int_distribution(name, low, high, step, log)))

    def suggest_categorical(self, name: str, choices: Sequence[CategoricalChoiceType]) -> Any:
        return self._suggest(name, categorical_distribution(name, choices))

    @property
    def seed(self) -> int:
        """The ``seed`` given, else one derived from ``number`` alone.

        To re-run a study's trial exactly, pass its recorded seed:
        ``FixedTrial(best.params, number=best.number, seed=best.seed)``.
        """
        return self._seed if self._seed is not None else trial_seed("", self._number)

    def report(self, value: float, step: int) -> None:
        self._intermediate_values.setdefault(step, float(value))

    def should_prune(self) -> bool:
        """Always False: a fixed trial has no pruner."""
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        self._user_attrs[key] = value

    def set_system_attr(self, key: str, value: Any) -> None:
        """Set a system attribute (kept for compatibility)."""
        self._system_attrs[key] = value

    def set_constraint(self, key: str, value: float) -> None:
        attr = constraint_attr(key, value, self._system_attrs, self._number)
        if attr is not None:
            self._system_attrs[attr[0]] = attr[1]
