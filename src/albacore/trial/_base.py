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
        """Suggest a float in ``[low, high]``, on a log scale or a ``step`` grid if asked.

        The first call with a name defines the parameter and draws its value; later calls with the same name in
        the same trial return that value.

        Args:
            name: The parameter's name, unique within the study.
            low: The lower bound, included; > 0 when ``log=True``.
            high: The upper bound, included (lowered to the last point of the grid when ``step`` does not
                divide the range).
            step: The spacing of a grid of values starting at ``low``; None for a continuous range.
            log: Draw on a log scale (each order of magnitude equally likely); not with ``step``.

        Returns:
            The parameter's value for this trial.

        Raises:
            InvalidDistributionError: ``low > high``, ``log=True`` with ``low <= 0`` or with a ``step``, a
                ``step`` that is not positive, or bounds that are not finite (a ValueError).
            IncompatibleDistributionError: The study recorded ``name`` as another kind of parameter (a
                ValueError).
            UpdateFinishedTrialError: The trial has finished.

        Example:
            >>> import albacore
            >>> def objective(trial):
            ...     lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
            ...     dropout = trial.suggest_float("dropout", 0.0, 0.5, step=0.1)
            ...     return lr + dropout
            >>> study = albacore.create_study()
            >>> study.optimize(objective, n_trials=3)
            >>> 1e-5 <= study.best_params["lr"] <= 1e-1
            True
        """

    @abc.abstractmethod
    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int:
        """Suggest an integer in ``[low, high]``, on a log scale or a ``step`` grid if asked.

        Args:
            name: The parameter's name, unique within the study.
            low: The lower bound, included; >= 1 when ``log=True``.
            high: The upper bound, included (lowered to the last point of the grid when ``step`` does not
                divide the range).
            step: The spacing of the values from ``low``; 1 for every integer. Must be 1 when ``log=True``.
            log: Draw on a log scale (as many values between 1 and 10 as between 10 and 100).

        Returns:
            The parameter's value for this trial.

        Raises:
            InvalidDistributionError: ``low > high``, ``log=True`` with ``low < 1`` or ``step != 1``, a
                ``step`` that is not positive, or a bound that is not an integer (a ValueError).
            IncompatibleDistributionError: The study recorded ``name`` as another kind of parameter (a
                ValueError).
            UpdateFinishedTrialError: The trial has finished.

        Example:
            >>> import albacore
            >>> def objective(trial):
            ...     layers = trial.suggest_int("layers", 1, 4)
            ...     units = trial.suggest_int("units", 8, 512, log=True)
            ...     return layers * units
            >>> study = albacore.create_study()
            >>> study.optimize(objective, n_trials=3)
            >>> 1 <= study.best_params["layers"] <= 4
            True
        """

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
        """Suggest one of ``choices`` (None, bool, int, float or str).

        Prefer ``suggest_float`` or ``suggest_int`` for values with an order: choices are unrelated labels to
        the samplers.

        Args:
            name: The parameter's name, unique within the study.
            choices: The values to choose from; the same list in every trial of the study.

        Returns:
            One of ``choices``.

        Raises:
            InvalidDistributionError: ``choices`` is empty, or a choice is not None, bool, int, float or str
                (a ValueError).
            IncompatibleDistributionError: The study recorded ``name`` with other choices or as another kind
                (a ValueError).
            UpdateFinishedTrialError: The trial has finished.

        Example:
            >>> import albacore
            >>> def objective(trial):
            ...     optimizer = trial.suggest_categorical("optimizer", ["adam", "sgd"])
            ...     return 0.1 if optimizer == "adam" else 0.2
            >>> study = albacore.create_study()
            >>> study.optimize(objective, n_trials=3)
            >>> study.best_params["optimizer"] in ("adam", "sgd")
            True
        """

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
        """Report an intermediate objective value at ``step`` (used by pruners).

        A second report at the same step is ignored with a warning.

        Args:
            value: The objective's value so far (a validation score after an epoch, for instance). In a study
                with several objectives, one value per objective (``[accuracy, size]``), for pruners that
                decide on them (:class:`~albacore.pruners.ParetoSuccessiveHalvingPruner`,
                :class:`~albacore.pruners.ParetoMedianPruner`).
            step: A non-negative integer that grows during the trial (the epoch, the boosting round).

        Raises:
            InvalidArgumentTypeError: ``value`` is not a number or ``step`` is not an integer.
            InvalidArgumentError: ``step`` is negative.
            NotImplementedError: The study has several objectives and ``value`` is a single number.

        Example:
            >>> import albacore
            >>> def objective(trial):
            ...     x = trial.suggest_float("x", 0, 1)
            ...     for epoch in range(5):
            ...         trial.report(x / (epoch + 1), epoch)
            ...         if trial.should_prune():
            ...             raise albacore.TrialPruned()
            ...     return x / 5
            >>> study = albacore.create_study()
            >>> study.optimize(objective, n_trials=3)
            >>> sorted(study.trials[0].intermediate_values)
            [0, 1, 2, 3, 4]
        """

    @abc.abstractmethod
    def should_prune(self) -> bool:
        """Return True when the study's pruner says this trial should stop now.

        Call it after ``report``; when it returns True, ``raise albacore.TrialPruned()`` to end the trial as
        PRUNED (see ``report`` for an example).

        Raises:
            NotImplementedError: The study has several objectives and its pruner decides on one value per step.
        """

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
