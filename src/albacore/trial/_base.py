"""The interface every trial kind shares: what an objective may call."""

from __future__ import annotations

import abc
import datetime
from collections.abc import Sequence
from typing import Any, overload

from albacore._deprecation import warn_deprecated
from albacore.distributions import BaseDistribution, CategoricalChoiceType
from albacore.trial._constraints import constraints_of

__all__ = ["BaseTrial", "RecordedTrialViews"]


class BaseTrial(abc.ABC):
    """What an objective function may ask of its trial: suggestions, reports and attributes."""

    __slots__ = ()

    @abc.abstractmethod
    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        """Suggest a float in ``[low, high]``, on a log scale or a ``step`` grid if asked."""

    @abc.abstractmethod
    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int:
        """Suggest an integer in ``[low, high]``, on a log scale or a ``step`` grid if asked."""

    @overload
    def suggest_categorical(self, name: str, choices: Sequence[None]) -> None: ...
    @overload
    def suggest_categorical(self, name: str, choices: Sequence[bool]) -> bool: ...
    @overload
    def suggest_categorical(self, name: str, choices: Sequence[int]) -> int: ...
    @overload
    def suggest_categorical(self, name: str, choices: Sequence[float]) -> float: ...
    @overload
    def suggest_categorical(self, name: str, choices: Sequence[str]) -> str: ...
    @overload
    def suggest_categorical(self, name: str, choices: Sequence[CategoricalChoiceType]) -> CategoricalChoiceType: ...

    @abc.abstractmethod
    def suggest_categorical(self, name: str, choices: Sequence[CategoricalChoiceType]) -> CategoricalChoiceType:
        """Suggest one of ``choices`` (None, bool, int, float or str)."""

    def suggest_uniform(self, name: str, low: float, high: float) -> float:
        """Deprecated spelling of ``suggest_float(name, low, high)``."""
        _warn_old_suggest("suggest_uniform", "suggest_float(name, low, high)")
        return self.suggest_float(name, low, high)

    def suggest_loguniform(self, name: str, low: float, high: float) -> float:
        """Deprecated spelling of ``suggest_float(name, low, high, log=True)``."""
        warn_deprecated(
            "suggest_loguniform", since="3.0.0", removed_in="6.0.0", instead="suggest_float(name, low, high, log=True)"
        )
        return self.suggest_float(name, low, high, log=True)

    def suggest_discrete_uniform(self, name: str, low: float, high: float, q: float) -> float:
        """Deprecated spelling of ``suggest_float(name, low, high, step=q)``."""
        warn_deprecated(
            "suggest_discrete_uniform",
            since="3.0.0",
            removed_in="6.0.0",
            instead="suggest_float(name, low, high, step=q)",
        )
        return self.suggest_float(name, low, high, step=q)

    @abc.abstractmethod
    def report(self, value: float, step: int) -> None:
        """Report an intermediate objective value at ``step`` (used by pruners)."""

    @abc.abstractmethod
    def should_prune(self) -> bool:
        """Return True when the study's pruner says this trial should stop now."""

    @abc.abstractmethod
    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serializable value to the trial under ``key``."""

    @abc.abstractmethod
    def set_constraint(self, key: str, value: float) -> None:
        """Record a constraint value; the trial is feasible when every constraint is <= 0."""

    @property
    @abc.abstractmethod
    def params(self) -> dict[str, Any]:
        """Parameters suggested so far, by name."""

    @property
    @abc.abstractmethod
    def distributions(self) -> dict[str, BaseDistribution]:
        """Distributions of the parameters suggested so far, by name."""

    @property
    @abc.abstractmethod
    def user_attrs(self) -> dict[str, Any]:
        """User attributes set so far."""

    @property
    @abc.abstractmethod
    def constraints(self) -> dict[str, float]:
        """Constraint values set so far."""

    @property
    @abc.abstractmethod
    def datetime_start(self) -> datetime.datetime | None:
        """When the trial started running."""

    @property
    @abc.abstractmethod
    def number(self) -> int:
        """The trial's number within its study: 0, 1, 2, ... with no gaps."""


def _warn_old_suggest(name: str, instead: str) -> None:
    warn_deprecated(name, since="3.0.0", removed_in="6.0.0", instead=instead, stacklevel=4)


class RecordedTrialViews(BaseTrial):
    """Read-only views shared by the trial kinds that keep their own dicts (Trial and FixedTrial).

    Subclasses set ``_number``, ``_params``, ``_distributions``, ``_user_attrs``, ``_system_attrs`` and
    ``_datetime_start``; the views return copies, so callers cannot change the trial by mutating them.
    """

    _number: int
    _params: dict[str, Any]
    _distributions: dict[str, BaseDistribution]
    _user_attrs: dict[str, Any]
    _system_attrs: dict[str, Any]
    _datetime_start: datetime.datetime | None

    @property
    def number(self) -> int:
        return self._number

    @property
    def params(self) -> dict[str, Any]:
        return dict(self._params)

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        return dict(self._distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        return dict(self._user_attrs)

    @property
    def system_attrs(self) -> dict[str, Any]:
        """System attributes of the trial."""
        return dict(self._system_attrs)

    @property
    def constraints(self) -> dict[str, float]:
        return constraints_of(self._system_attrs)

    @property
    def datetime_start(self) -> datetime.datetime | None:
        return self._datetime_start
