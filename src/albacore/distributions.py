"""Search-space distributions: what a ``suggest_*`` call may return, and their JSON form.

A distribution knows its range and converts between the *external* value the objective sees (``0.01``,
``17``, ``"adam"``) and the *internal* float that storages and samplers use (the value itself for numbers, the
index of the choice for categoricals).

Example:
    >>> from albacore.distributions import FloatDistribution, distribution_to_json, json_to_distribution
    >>> d = FloatDistribution(1e-5, 1e-2, log=True)
    >>> json_to_distribution(distribution_to_json(d)) == d
    True
"""

from __future__ import annotations

import abc
import decimal
import json
import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Union

from albacore._deprecation import warn_deprecated
from albacore.exceptions import IncompatibleDistributionError, InvalidDistributionError

__all__ = [
    "BaseDistribution",
    "CategoricalChoiceType",
    "CategoricalDistribution",
    "DiscreteUniformDistribution",
    "FloatDistribution",
    "IntDistribution",
    "IntLogUniformDistribution",
    "IntUniformDistribution",
    "LogUniformDistribution",
    "UniformDistribution",
    "check_distribution_compatibility",
    "distribution_to_json",
    "json_to_distribution",
]

CategoricalChoiceType = Union[None, bool, int, float, str]  # noqa: UP007 - a runtime alias usable on 3.10


class BaseDistribution(abc.ABC):
    """A range of values for one parameter; immutable, hashable and comparable by value."""

    __slots__ = ()

    @abc.abstractmethod
    def to_external_repr(self, param_value_in_internal_repr: float) -> Any:
        """Return the value the objective sees for an internal float."""

    @abc.abstractmethod
    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        """Return the internal float for a value the objective sees."""

    @abc.abstractmethod
    def single(self) -> bool:
        """Return True when the range holds exactly one value."""

    @abc.abstractmethod
    def _contains(self, param_value_in_internal_repr: float) -> bool:
        """Return True when the internal value lies in the range."""

    @abc.abstractmethod
    def _asdict(self) -> dict[str, Any]:
        """Return the constructor arguments, as stored in JSON."""

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, BaseDistribution)
        return self._asdict() == other._asdict()

    def __hash__(self) -> int:
        return hash((type(self).__name__, json.dumps(self._asdict(), sort_keys=True)))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._asdict().items())
        return f"{type(self).__name__}({args})"


def _check_finite_number(value: Any, arg: str, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidDistributionError(
            f"`{arg}` must be a real number for {where}, got {arg}={value!r} of type {type(value).__name__}."
        )
    if not math.isfinite(value):
        raise InvalidDistributionError(f"`{arg}` must be finite for {where}, got {arg}={value!r}.")


def _adjusted_high(low: float, high: float, step: float, where: str) -> float:
    """Return the largest grid point low + k*step that is <= high, warning when it differs from high."""
    with decimal.localcontext() as ctx:
        # Exact for any finite doubles: the quotient of the widest span by the smallest step has about 633
        # digits, and low + n_steps * step needs about as many, so huge ranges with tiny steps stay exact.
        ctx.prec = 800
        span = decimal.Decimal(str(high)) - decimal.Decimal(str(low))
        n_steps = span // decimal.Decimal(str(step))
        adjusted = float(decimal.Decimal(str(low)) + n_steps * decimal.Decimal(str(step)))
    if adjusted != high:
        _warn_step_adjusted(where, low, high, step, adjusted)
    return adjusted


def _warn_step_adjusted(where: str, low: Any, high: Any, step: Any, adjusted: Any, stacklevel: int = 5) -> None:
    """Say that ``step`` does not divide ``[low, high]`` and which upper bound is used instead."""
    warnings.warn(
        f"The range of {where} is not divisible by `step`: low={low}, high={high}, step={step}; "
        f"the upper bound is adjusted to {adjusted}.",
        UserWarning,
        stacklevel=stacklevel,
    )


def _validate_float_args(low: float, high: float, log: bool, step: float | None, where: str) -> float:
    """Check the arguments of a float range and return its (possibly step-adjusted) upper bound."""
    _check_finite_number(low, "low", where)
    _check_finite_number(high, "high", where)
    if low > high:
        raise InvalidDistributionError(f"`low` must be <= `high` for {where}, got low={low}, high={high}.")
    if log and step is not None:
        raise InvalidDistributionError(
            f"`step` and `log` cannot be used together for {where}, got step={step}, log=True; drop one of them."
        )
    if log and low <= 0.0:
        raise InvalidDistributionError(f"`low` must be > 0 when log=True for {where}, got low={low}.")
    if step is not None:
        _check_finite_number(step, "step", where)
        if step <= 0:
            raise InvalidDistributionError(f"`step` must be > 0 for {where}, got step={step}.")
        return _adjusted_high(low, high, step, where)
    return float(high)


def _validate_int_args(low: int, high: int, log: bool, step: int, where: str) -> int:
    """Check the arguments of an integer range and return its (possibly step-adjusted) upper bound."""
    for arg, value in (("low", low), ("high", high), ("step", step)):
        _check_finite_number(value, arg, where)
        if value != int(value):
            raise InvalidDistributionError(f"`{arg}` must be an integer for {where}, got {arg}={value!r}.")
    if low > high:
        raise InvalidDistributionError(f"`low` must be <= `high` for {where}, got low={low}, high={high}.")
    if step <= 0:
        raise InvalidDistributionError(f"`step` must be >= 1 for {where}, got step={step}.")
    if log and step != 1:
        raise InvalidDistributionError(
            f"`step` and `log` cannot be used together for {where}, got step={step}, log=True; drop one of them."
        )
    if log and low < 1:
        raise InvalidDistributionError(f"`low` must be >= 1 when log=True for {where}, got low={low}.")
    if (high - low) % step != 0:
        adjusted = int(low + (high - low) // step * step)
        _warn_step_adjusted(where, low, high, step, adjusted, stacklevel=4)
        return adjusted
    return int(high)


_CHOICE_TYPES = (type(None), bool, int, float, str)


def _validate_choices(choices: Any, where: str) -> tuple[CategoricalChoiceType, ...]:
    """Check categorical choices and return them as a tuple of plain Python values."""
    if isinstance(choices, (str, bytes)) or not hasattr(choices, "__iter__"):
        raise InvalidDistributionError(
            f"`choices` must be a sequence of None, bool, int, float or str for {where}, "
            f"got {choices!r} of type {type(choices).__name__}."
        )
    converted: list[CategoricalChoiceType] = []
    for choice in choices:
        if hasattr(choice, "item") and hasattr(choice, "dtype") and getattr(choice, "ndim", 1) == 0:
            choice = choice.item()  # numpy scalars become their Python twins
        if not isinstance(choice, _CHOICE_TYPES):
            raise InvalidDistributionError(
                f"`choices` may hold only None, bool, int, float or str for {where}, got {choice!r} of type "
                f"{type(choice).__name__}: other types cannot be stored as JSON or compared reliably across "
                "processes. Suggest a string key (or an index) and map it to the object in your objective."
            )
        converted.append(choice)
    if not converted:
        raise InvalidDistributionError(f"`choices` must hold at least one value for {where}, got {choices!r}.")
    return tuple(converted)


class _NumericDistribution(BaseDistribution):
    """What float and integer ranges share: their four fields, JSON form, pickling and number parsing."""

    __slots__ = ("high", "log", "low", "step")

    low: Any
    high: Any
    log: bool
    step: Any
    _kind: str  # "a float" or "an integer", for error messages

    def _set(self, low: Any, high: Any, log: bool, step: Any) -> None:
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        object.__setattr__(self, "log", log)
        object.__setattr__(self, "step", step)

    @classmethod
    @abc.abstractmethod
    def _trusted(cls, low: Any, high: Any, log: bool, step: Any) -> Any:
        """Build without validation; for arguments already checked by the caller (and for unpickling)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self)._trusted, (self.low, self.high, self.log, self.step))

    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        try:
            value = float(param_value_in_external_repr)
        except (TypeError, ValueError) as err:
            raise InvalidDistributionError(
                f"{param_value_in_external_repr!r} is not {self._kind} value of {self!r}."
            ) from err
        if math.isnan(value):
            raise InvalidDistributionError(f"NaN is not a value of {self!r}.")
        if self.log and value <= 0.0:
            raise InvalidDistributionError(f"{value!r} is not a value of {self!r}: a log scale holds only values > 0.")
        return value

    def _asdict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "log": self.log, "step": self.step}


_GRID_TOLERANCE = 1e-8
"""How far from a whole number of steps a float still counts as on the grid of a stepped FloatDistribution."""


class FloatDistribution(_NumericDistribution):
    """A range of floats, optionally on a log scale or on a grid of ``step``.

    Args:
        low: Lower bound, included.
        high: Upper bound, included.
        log: Sample in log space; needs ``low > 0``.
        step: Grid spacing from ``low``; cannot be combined with ``log``.
    """

    __slots__ = ()

    def __init__(self, low: float, high: float, log: bool = False, step: float | None = None) -> None:
        high = _validate_float_args(low, high, log, step, "FloatDistribution")
        self._set(float(low), high, bool(log), None if step is None else float(step))

    @classmethod
    def _trusted(cls, low: float, high: float, log: bool, step: float | None) -> FloatDistribution:
        """Build without validation; for arguments already checked by the caller."""
        dist = cls.__new__(cls)
        dist._set(float(low), float(high), bool(log), None if step is None else float(step))
        return dist

    low: float
    high: float
    step: float | None
    _kind = "a float"

    def to_external_repr(self, param_value_in_internal_repr: float) -> float:
        return float(param_value_in_internal_repr)

    def single(self) -> bool:
        if self.step is None:
            return self.low == self.high
        # A grid of one point: fewer than one whole step fits. The tolerance keeps (0.3 - 0.2) / 0.1, which is
        # 0.9999999999999998 in binary floating point, the one step it is in decimal (as _adjusted_high counts).
        return (self.high - self.low) / self.step < 1.0 - _GRID_TOLERANCE

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        value = param_value_in_internal_repr
        if not self.low <= value <= self.high:
            return False
        if self.step is None:
            return True
        k = (value - self.low) / self.step
        return math.isclose(k, round(k), abs_tol=_GRID_TOLERANCE)


class IntDistribution(_NumericDistribution):
    """A range of integers, optionally on a log scale or on a grid of ``step``.

    Args:
        low: Lower bound, included.
        high: Upper bound, included.
        log: Sample in log space; needs ``low >= 1`` and ``step == 1``.
        step: Grid spacing from ``low``.
    """

    __slots__ = ()

    low: int
    high: int
    step: int
    _kind = "an integer"

    def __init__(self, low: int, high: int, log: bool = False, step: int = 1) -> None:
        high = _validate_int_args(low, high, log, step, "IntDistribution")
        self._set(int(low), high, bool(log), int(step))

    @classmethod
    def _trusted(cls, low: int, high: int, log: bool, step: int) -> IntDistribution:
        """Build without validation; for arguments already checked by the caller."""
        dist = cls.__new__(cls)
        dist._set(int(low), int(high), bool(log), int(step))
        return dist

    def to_external_repr(self, param_value_in_internal_repr: float) -> int:
        return round(param_value_in_internal_repr)

    def single(self) -> bool:
        return self.high - self.low < self.step

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        value = param_value_in_internal_repr
        return self.low <= value <= self.high and (value - self.low) % self.step == 0


class CategoricalDistribution(BaseDistribution):
    """A finite set of unordered choices (None, bool, int, float or str).

    Args:
        choices: The candidates; the internal value of a choice is its index.
    """

    __slots__ = ("_index", "choices")

    choices: tuple[CategoricalChoiceType, ...]
    _index: dict[tuple[type, Any], int] | None

    def __init__(self, choices: Sequence[CategoricalChoiceType]) -> None:
        self._set(_validate_choices(choices, "CategoricalDistribution"))

    def _set(self, choices: tuple[CategoricalChoiceType, ...]) -> None:
        object.__setattr__(self, "choices", choices)
        object.__setattr__(self, "_index", None)

    @classmethod
    def _trusted(cls, choices: tuple[CategoricalChoiceType, ...]) -> CategoricalDistribution:
        """Build without validation; for choices already checked by the caller."""
        dist = cls.__new__(cls)
        dist._set(choices)
        return dist

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self)._trusted, (self.choices,))

    def to_external_repr(self, param_value_in_internal_repr: float) -> CategoricalChoiceType:
        return self.choices[int(param_value_in_internal_repr)]

    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        value = param_value_in_external_repr
        index = self._index
        if index is None:
            # Keyed by type too: 1, 1.0 and True are equal and hash alike, yet they are different choices.
            index = {(type(c), c): i for i, c in reversed(list(enumerate(self.choices))) if c == c}
            object.__setattr__(self, "_index", index)
        try:
            found = index.get((type(value), value))
        except TypeError:  # an unhashable value is not a choice; the scan below says so
            found = None
        if found is not None:
            return float(found)
        for i, choice in enumerate(self.choices):
            if _same_choice(choice, value):
                return float(i)
        raise InvalidDistributionError(f"{value!r} is not among the choices of {self!r}.")

    def single(self) -> bool:
        return len(self.choices) == 1

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        # Internal values are indices; a fractional one names the choice it truncates to (as Optuna reads it).
        return 0 <= int(param_value_in_internal_repr) < len(self.choices)

    def _asdict(self) -> dict[str, Any]:
        return {"choices": list(self.choices)}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CategoricalDistribution):
            return NotImplemented
        return len(self.choices) == len(other.choices) and all(
            _same_choice(a, b) and type(a) is type(b) for a, b in zip(self.choices, other.choices, strict=True)
        )

    def __hash__(self) -> int:
        return hash(("CategoricalDistribution", tuple(repr(c) for c in self.choices)))


def _same_choice(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, bool) != isinstance(b, bool):
        return False  # True == 1 in Python, but they are different choices
    return bool(a == b)


class UniformDistribution(FloatDistribution):
    """Deprecated: ``FloatDistribution(low, high)`` (kept for code written for Optuna 2)."""

    def __init__(self, low: float, high: float) -> None:
        warn_deprecated("UniformDistribution", since="3.0.0", removed_in="6.0.0", instead="FloatDistribution")
        super().__init__(low, high)


class LogUniformDistribution(FloatDistribution):
    """Deprecated: ``FloatDistribution(low, high, log=True)`` (kept for code written for Optuna 2)."""

    def __init__(self, low: float, high: float) -> None:
        warn_deprecated("LogUniformDistribution", since="3.0.0", removed_in="6.0.0", instead="FloatDistribution")
        super().__init__(low, high, log=True)


class DiscreteUniformDistribution(FloatDistribution):
    """Deprecated: ``FloatDistribution(low, high, step=q)`` (kept for code written for Optuna 2)."""

    def __init__(self, low: float, high: float, q: float) -> None:
        warn_deprecated("DiscreteUniformDistribution", since="3.0.0", removed_in="6.0.0", instead="FloatDistribution")
        super().__init__(low, high, step=q)

    @property
    def q(self) -> float:
        """The step between values."""
        assert self.step is not None
        return float(self.step)


class IntUniformDistribution(IntDistribution):
    """Deprecated: ``IntDistribution(low, high, step=step)`` (kept for code written for Optuna 2)."""

    def __init__(self, low: int, high: int, step: int = 1) -> None:
        warn_deprecated("IntUniformDistribution", since="3.0.0", removed_in="6.0.0", instead="IntDistribution")
        super().__init__(low, high, step=step)


class IntLogUniformDistribution(IntDistribution):
    """Deprecated: ``IntDistribution(low, high, log=True)`` (kept for code written for Optuna 2)."""

    def __init__(self, low: int, high: int, step: int = 1) -> None:
        warn_deprecated("IntLogUniformDistribution", since="3.0.0", removed_in="6.0.0", instead="IntDistribution")
        super().__init__(low, high, log=True, step=step)


DISTRIBUTION_CLASSES = (
    IntDistribution,
    IntLogUniformDistribution,
    IntUniformDistribution,
    FloatDistribution,
    UniformDistribution,
    LogUniformDistribution,
    DiscreteUniformDistribution,
    CategoricalDistribution,
)
"""Every distribution class, the deprecated ones included (as Optuna lists them)."""


def _kind(dist: BaseDistribution) -> type[BaseDistribution]:
    """The current class a distribution stands for (a deprecated subclass stands for its base)."""
    for current in (FloatDistribution, IntDistribution, CategoricalDistribution):
        if isinstance(dist, current):
            return current
    return type(dist)


def _to_current(dist: BaseDistribution) -> BaseDistribution:
    """The same distribution as an instance of a current class; a deprecated class is converted with a warning,
    where it enters a trial (``create_trial``, ``Study.ask(fixed_distributions=...)``)."""
    if type(dist) in _CURRENT:
        return dist
    kind = _kind(dist)
    if kind is type(dist):
        return dist
    current = kind._trusted(**dist._asdict())  # type: ignore[attr-defined]
    warn_deprecated(
        type(dist).__name__,
        since="3.0.0",
        removed_in="6.0.0",
        instead=repr(current),
        stacklevel=4,
        see="https://github.com/optuna/optuna/issues/2941",
    )
    return current  # type: ignore[no-any-return]


_CURRENT = frozenset((FloatDistribution, IntDistribution, CategoricalDistribution))

_LEGACY_NAMES: dict[str, Callable[[dict[str, Any]], BaseDistribution]] = {
    "UniformDistribution": lambda a: FloatDistribution(a["low"], a["high"]),
    "LogUniformDistribution": lambda a: FloatDistribution(a["low"], a["high"], log=True),
    "DiscreteUniformDistribution": lambda a: FloatDistribution(a["low"], a["high"], step=a["q"]),
    "IntUniformDistribution": lambda a: IntDistribution(a["low"], a["high"], step=a.get("step", 1)),
    "IntLogUniformDistribution": lambda a: IntDistribution(a["low"], a["high"], log=True),
}


def distribution_to_json(dist: BaseDistribution) -> str:
    """Serialize a distribution to the JSON text used by every storage.

    Args:
        dist: The distribution to serialize.
    """
    return json.dumps({"name": _kind(dist).__name__, "attributes": dist._asdict()})


def json_to_distribution(json_str: str) -> BaseDistribution:
    """Deserialize a distribution written by :func:`distribution_to_json` (or by Optuna).

    The short form that people write by hand (as in the ``ask --search-space`` option of the command line) is
    read too, and checked like the arguments of a constructor:

    Args:
        json_str: A JSON object, as written by :func:`distribution_to_json` or in the short hand-written form.

    Example:
        >>> json_to_distribution('{"type": "float", "low": 1e-5, "high": 1e-2, "log": true}')
        FloatDistribution(low=1e-05, high=0.01, log=True, step=None)
        >>> json_to_distribution('{"type": "categorical", "choices": ["adam", "sgd"]}')
        CategoricalDistribution(choices=['adam', 'sgd'])
    """
    try:
        loaded = json.loads(json_str)
        if isinstance(loaded, dict) and "type" in loaded and "name" not in loaded:
            return _from_short_form(loaded, json_str)
        name, attrs = loaded["name"], loaded["attributes"]
    except (ValueError, KeyError, TypeError) as err:
        if isinstance(err, InvalidDistributionError):
            raise
        raise InvalidDistributionError(f"Not a distribution in JSON: {json_str!r}.") from err
    if name == "FloatDistribution":
        return FloatDistribution._trusted(attrs["low"], attrs["high"], attrs.get("log", False), attrs.get("step"))
    if name == "IntDistribution":
        return IntDistribution._trusted(attrs["low"], attrs["high"], attrs.get("log", False), attrs.get("step", 1))
    if name == "CategoricalDistribution":
        return CategoricalDistribution._trusted(tuple(attrs["choices"]))
    if name in _LEGACY_NAMES:
        return _LEGACY_NAMES[name](attrs)
    raise InvalidDistributionError(f"Unknown distribution {name!r} in JSON: {json_str!r}.")


_SHORT_FORMS: dict[str, tuple[Callable[..., BaseDistribution], frozenset[str]]] = {
    "float": (FloatDistribution, frozenset(("low", "high", "log", "step"))),
    "int": (IntDistribution, frozenset(("low", "high", "log", "step"))),
    "categorical": (CategoricalDistribution, frozenset(("choices",))),
}


def _from_short_form(loaded: dict[str, Any], json_str: str) -> BaseDistribution:
    """``{"type": "int", "low": 1, "high": 9}`` and its kin, validated by the constructor of the distribution."""
    kind = loaded["type"]
    if kind not in _SHORT_FORMS:
        raise InvalidDistributionError(
            f"Unknown distribution type {kind!r} in JSON: {json_str!r}; expected one of {sorted(_SHORT_FORMS)}."
        )
    build, allowed = _SHORT_FORMS[kind]
    args = {key: value for key, value in loaded.items() if key != "type"}
    unknown = set(args) - allowed
    if unknown:
        raise InvalidDistributionError(
            f"Unknown key(s) {sorted(unknown)} for a {kind} distribution in JSON: {json_str!r}; "
            f"expected some of {sorted(allowed)}."
        )
    if kind == "int" and args.get("step") is None:
        args.pop("step", None)  # an integer range always has a step; null means the default of 1
    return build(**args)


def check_distribution_compatibility(dist_old: BaseDistribution, dist_new: BaseDistribution) -> None:
    """Raise when a parameter is re-suggested with a distribution of another kind (or other choices).

    Numeric ranges and steps may change between trials; the kind of distribution, its scale (``log``) and a
    categorical's choices may not.

    Args:
        dist_old: The distribution recorded first for a parameter name.
        dist_new: The distribution now given for the same name.
    """
    if _kind(dist_old) is not _kind(dist_new):
        raise IncompatibleDistributionError(
            f"A parameter cannot change its kind of distribution: it was {dist_old!r}, now {dist_new!r}. "
            "Use another parameter name for the new distribution."
        )
    if isinstance(dist_old, _NumericDistribution) and dist_old.log != dist_new.log:  # type: ignore[attr-defined]
        raise IncompatibleDistributionError(
            f"A parameter cannot change its scale (`log`): it was {dist_old!r}, now {dist_new!r}. "
            "Use another parameter name for the new scale."
        )
    if (
        isinstance(dist_old, CategoricalDistribution)
        and isinstance(dist_new, CategoricalDistribution)
        and (dist_old != dist_new)
    ):
        raise IncompatibleDistributionError(
            f"The choices of a categorical parameter cannot change: they were {dist_old.choices!r}, now "
            f"{dist_new.choices!r}. Use another parameter name for the new set of choices."
        )
