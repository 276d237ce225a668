"""FrozenTrial: the immutable record of a trial, as storages return it."""

from __future__ import annotations

import copy
import datetime
import math
from collections.abc import Sequence
from typing import Any

from albacore.distributions import (
    BaseDistribution,
    CategoricalChoiceType,
    _to_current,
    check_distribution_compatibility,
)
from albacore.exceptions import InvalidArgumentError
from albacore.trial._base import BaseTrial
from albacore.trial._constraints import constraint_attr, constraint_value, constraints_of
from albacore.trial._seed import SEED_ATTR
from albacore.trial._state import TrialState
from albacore.trial._suggest import categorical_distribution, float_distribution, int_distribution, warn_if_outside

__all__ = ["FrozenTrial", "create_trial"]

_PRIMITIVE_TYPES = frozenset((str, int, float, bool, type(None)))


class FrozenTrial(BaseTrial):
    """A snapshot of a trial: its state, values, parameters and attributes.

    Its ``suggest_*`` methods return the recorded parameters, so an objective can be replayed on a finished
    trial. Storages treat the object as read-only; build a new one with :func:`create_trial` to add trials.

    Args:
        number: The trial's number within its study.
        state: The trial's state.
        value: The objective value of a single-objective trial (give ``value`` or ``values``, not both).
        datetime_start: When the trial started.
        datetime_complete: When the trial finished.
        params: Parameter values by name, in their external form.
        distributions: The distribution of each parameter.
        user_attrs: User attributes.
        system_attrs: System attributes.
        intermediate_values: Reported values by step.
        trial_id: The storage's id of the trial.
        values: One objective value per objective.
    """

    __slots__ = (
        "_datetime_start",
        "_distributions",
        "_number",
        "_params",
        "_trial_id",
        "_user_attrs",
        "_values",
        "datetime_complete",
        "intermediate_values",
        "state",
        "system_attrs",
    )

    def __init__(
        self,
        number: int,
        state: TrialState,
        value: float | None,
        datetime_start: datetime.datetime | None,
        datetime_complete: datetime.datetime | None,
        params: dict[str, Any],
        distributions: dict[str, BaseDistribution],
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        intermediate_values: dict[int, float],
        trial_id: int,
        *,
        values: Sequence[float] | None = None,
    ) -> None:
        if value is not None and values is not None:
            raise InvalidArgumentError("Give `value` or `values` to FrozenTrial, not both.")
        self._number = number
        self.state = state
        self._values: list[float] | None = (
            [float(value)] if value is not None else (None if values is None else [float(v) for v in values])
        )
        self._datetime_start = datetime_start
        self.datetime_complete = datetime_complete
        self._params = params
        self._distributions = distributions
        self._user_attrs = user_attrs
        self.system_attrs = system_attrs
        self.intermediate_values = intermediate_values
        self._trial_id = trial_id

    # --- values -------------------------------------------------------------------------------------------

    @property
    def value(self) -> float | None:
        """The objective value; raises for a multi-objective trial (use ``values``)."""
        if self._values is None:
            return None
        if len(self._values) > 1:
            raise RuntimeError("`value` is not defined for a trial with several objectives; use `values`.")
        return self._values[0]

    @value.setter
    def value(self, v: float | None) -> None:
        if self._values is not None and len(self._values) > 1:
            raise RuntimeError("`value` cannot be set on a trial with several objectives; set `values` instead.")
        self._values = None if v is None else [float(v)]

    @property
    def values(self) -> list[float] | None:
        """The objective values, one per direction of the study."""
        return self._values

    @values.setter
    def values(self, v: Sequence[float] | None) -> None:
        self._values = None if v is None else [float(x) for x in v]

    # --- parameters --------------------------------------------------------------------------------------

    @property
    def params(self) -> dict[str, Any]:
        return self._params

    @params.setter
    def params(self, params: dict[str, Any]) -> None:
        self._params = params

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        return self._distributions

    @distributions.setter
    def distributions(self, value: dict[str, BaseDistribution]) -> None:
        self._distributions = value

    @property
    def constraints(self) -> dict[str, float]:
        return constraints_of(self.system_attrs)

    @property
    def number(self) -> int:
        """The trial's number within its study."""
        return self._number

    @number.setter
    def number(self, value: int) -> None:
        self._number = value

    @property
    def datetime_start(self) -> datetime.datetime | None:
        """When the trial started running."""
        return self._datetime_start

    @datetime_start.setter
    def datetime_start(self, value: datetime.datetime | None) -> None:
        self._datetime_start = value

    @property
    def user_attrs(self) -> dict[str, Any]:
        """User attributes of the trial."""
        return self._user_attrs

    @user_attrs.setter
    def user_attrs(self, value: dict[str, Any]) -> None:
        self._user_attrs = value

    @property
    def trial_id(self) -> int:
        """The storage-wide id of the trial (unlike ``number``, unique across studies)."""
        return self._trial_id

    @property
    def duration(self) -> datetime.timedelta | None:
        """How long the trial ran, once finished."""
        if self.datetime_start is None or self.datetime_complete is None:
            return None
        return self.datetime_complete - self.datetime_start

    @property
    def seed(self) -> int:
        """The seed the trial's objective read from ``trial.seed`` while it ran.

        Raises:
            InvalidArgumentError: The objective never read ``trial.seed``, so none was recorded.
        """
        seed = self.system_attrs.get(SEED_ATTR)
        if seed is None:
            raise InvalidArgumentError(
                f"Trial #{self._number} recorded no seed: its objective did not read `trial.seed` while it ran. "
                "Read `trial.seed` in the objective to seed its random number generators; it is then recorded."
            )
        return int(seed)

    @property
    def last_step(self) -> int | None:
        """The largest step reported, or None."""
        return max(self.intermediate_values) if self.intermediate_values else None

    # --- replaying an objective --------------------------------------------------------------------------

    def _recorded(self, name: str, dist: BaseDistribution) -> Any:
        if name not in self._params:
            raise InvalidArgumentError(f"The trial has no parameter {name!r}; it has {sorted(self._params)}.")
        recorded = self._distributions.get(name)
        if recorded is not None:
            check_distribution_compatibility(recorded, dist)
        value = self._params[name]
        warn_if_outside(name, value, dist, "recorded value")
        return value

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        return float(self._recorded(name, float_distribution(name, low, high, step, log)))

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int:
        return int(self._recorded(name, int_distribution(name, low, high, step, log)))

    def suggest_categorical(self, name: str, choices: Sequence[CategoricalChoiceType]) -> Any:
        return self._recorded(name, categorical_distribution(name, choices))

    def report(self, value: float, step: int) -> None:
        """Does nothing: a frozen trial's intermediate values are already recorded."""

    def should_prune(self) -> bool:
        """Always False: a frozen trial has already ended."""
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        self.user_attrs[key] = value

    def set_system_attr(self, key: str, value: Any) -> None:
        """Set a system attribute on this record (not in any storage)."""
        self.system_attrs[key] = value

    def set_constraint(self, key: str, value: float) -> None:
        attr = constraint_attr(key, value, self.system_attrs, self.number)
        if attr is not None:
            self.system_attrs[attr[0]] = attr[1]

    # --- identity and copies -----------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in FrozenTrial.__slots__)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.number < other.number

    def __le__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.number <= other.number

    def __hash__(self) -> int:
        return hash((self._trial_id, self.number))

    def __repr__(self) -> str:
        return (
            f"FrozenTrial(number={self.number}, state={self.state!r}, values={self._values!r}, "
            f"datetime_start={self.datetime_start!r}, datetime_complete={self.datetime_complete!r}, "
            f"params={self._params!r}, user_attrs={self.user_attrs!r}, system_attrs={self.system_attrs!r}, "
            f"intermediate_values={self.intermediate_values!r}, trial_id={self._trial_id})"
        )

    def __copy__(self) -> FrozenTrial:
        return self._evolve()

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenTrial:
        # Spelled out: ``study.trials`` deep-copies every trial, so at 100,000 trials this must stay cheap.
        # Parameter values, distributions and intermediate values are immutable, so shallow dict copies suffice.
        new = FrozenTrial.__new__(FrozenTrial)
        new._number = self._number
        new.state = self.state
        new._values = None if self._values is None else self._values.copy()
        new._datetime_start = self._datetime_start
        new.datetime_complete = self.datetime_complete
        new._params = self._params.copy()
        new._distributions = self._distributions.copy()
        new._user_attrs = _copy_attrs(self._user_attrs)
        new.system_attrs = _copy_attrs(self.system_attrs)
        new.intermediate_values = self.intermediate_values.copy()
        new._trial_id = self._trial_id
        return new

    @staticmethod
    def _of(
        number: int,
        state: TrialState,
        values: list[float] | None,
        datetime_start: datetime.datetime | None,
        datetime_complete: datetime.datetime | None,
        params: dict[str, Any],
        distributions: dict[str, BaseDistribution],
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        intermediate_values: dict[int, float],
        trial_id: int,
    ) -> FrozenTrial:
        """The trial ``__init__`` builds from these fields, for fields already in their stored form (``values`` a list
        of floats or None): an in-memory trial makes two per run, and calling a class whose ``__init__`` is Python
        code costs more than these assignments (on Python 3.11, about 600 ns against 250)."""
        new = FrozenTrial.__new__(FrozenTrial)
        new._number = number
        new.state = state
        new._values = values
        new._datetime_start = datetime_start
        new.datetime_complete = datetime_complete
        new._params = params
        new._distributions = distributions
        new._user_attrs = user_attrs
        new.system_attrs = system_attrs
        new.intermediate_values = intermediate_values
        new._trial_id = trial_id
        return new

    def _evolve(self, **changes: Any) -> FrozenTrial:
        """Return a shallow copy with some fields replaced (the storages' copy-on-write)."""
        new = FrozenTrial.__new__(FrozenTrial)
        # Spelled out rather than looped over __slots__: storages call this on every write, so it is hot.
        new._number = self._number
        new.state = self.state
        new._values = self._values
        new._datetime_start = self._datetime_start
        new.datetime_complete = self.datetime_complete
        new._params = self._params
        new._distributions = self._distributions
        new._user_attrs = self._user_attrs
        new.system_attrs = self.system_attrs
        new.intermediate_values = self.intermediate_values
        new._trial_id = self._trial_id
        for key, value in changes.items():
            object.__setattr__(new, _SLOT_OF.get(key, key), value)
        return new

    def _validate(self) -> None:
        """Check that the record is consistent; used where users hand trials in (add_trial, create_trial)."""
        if self.state != TrialState.WAITING and self.datetime_start is None:
            raise InvalidArgumentError(f"`datetime_start` must be set for a trial in state {self.state.name}.")
        if self.state.is_finished() and self.datetime_complete is None:
            raise InvalidArgumentError(f"`datetime_complete` must be set for a trial in state {self.state.name}.")
        if not self.state.is_finished() and self.datetime_complete is not None:
            raise InvalidArgumentError(f"`datetime_complete` must be None for a trial in state {self.state.name}.")
        if self.state == TrialState.FAIL and self._values is not None:
            raise InvalidArgumentError(f"A FAIL trial has no values, got {self._values}.")
        if self.state == TrialState.COMPLETE:
            if self._values is None:
                raise InvalidArgumentError("A COMPLETE trial needs `value` or `values`.")
            if any(math.isnan(v) for v in self._values):
                raise InvalidArgumentError(f"The values of a COMPLETE trial cannot be NaN, got {self._values}.")
        if set(self._params) != set(self._distributions):
            raise InvalidArgumentError(
                f"`params` and `distributions` must have the same keys, got {sorted(self._params)} and "
                f"{sorted(self._distributions)}."
            )
        for name, value in self._params.items():
            dist = self._distributions[name]
            if not dist._contains(dist.to_internal_repr(value)):
                raise InvalidArgumentError(f"The value {value!r} of parameter {name!r} lies outside {dist!r}.")


_SLOT_OF = {
    name: "_" + name
    for name in ("number", "datetime_start", "user_attrs", "params", "distributions", "values", "trial_id")
}


def _copy_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    for value in attrs.values():
        if type(value) not in _PRIMITIVE_TYPES:
            return copy.deepcopy(attrs)
    return attrs.copy()


def create_trial(
    *,
    state: TrialState = TrialState.COMPLETE,
    value: float | None = None,
    values: Sequence[float] | None = None,
    params: dict[str, Any] | None = None,
    distributions: dict[str, BaseDistribution] | None = None,
    user_attrs: dict[str, Any] | None = None,
    system_attrs: dict[str, Any] | None = None,
    intermediate_values: dict[int, float] | None = None,
    constraints: dict[str, float] | None = None,
) -> FrozenTrial:
    """Build a finished (or waiting) trial to add to a study with ``Study.add_trial``.

    Args:
        state: The trial's state: a finished state, or WAITING.
        value: The objective value of a single-objective study.
        values: One objective value per objective (give ``value`` or ``values``, not both).
        params: Parameter values by name.
        distributions: The distribution of each parameter in ``params``.
        user_attrs: User attributes.
        system_attrs: System attributes.
        intermediate_values: Reported values by step.
        constraints: Constraint values by name; a trial is feasible when every one is ``<= 0``.

    Example:
        >>> import albacore
        >>> from albacore.distributions import FloatDistribution
        >>> t = albacore.create_trial(params={"x": 2.0}, distributions={"x": FloatDistribution(0, 10)}, value=4.0)
        >>> t.value, t.params
        (4.0, {'x': 2.0})
    """
    from albacore.trial._constraints import CONSTRAINT_PREFIX

    now = datetime.datetime.now()
    system_attrs = dict(system_attrs or {})
    for key, c in (constraints or {}).items():
        system_attrs[CONSTRAINT_PREFIX + key] = constraint_value(key, c)
    trial = FrozenTrial(
        number=-1,
        state=state,
        value=value,
        values=values,
        datetime_start=None if state == TrialState.WAITING else now,
        datetime_complete=now if state.is_finished() else None,
        params=dict(params or {}),
        distributions={name: _to_current(d) for name, d in (distributions or {}).items()},
        user_attrs=dict(user_attrs or {}),
        system_attrs=system_attrs,
        intermediate_values=dict(intermediate_values or {}),
        trial_id=-1,
    )
    trial._validate()
    return trial
