"""Argument handling shared by every trial kind's ``suggest_*`` methods."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from albacore.distributions import (
    BaseDistribution,
    CategoricalChoiceType,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    _validate_choices,
    _validate_float_args,
    _validate_int_args,
    _warn_step_adjusted,
)

__all__ = [
    "categorical_distribution",
    "check_fixed_value",
    "float_distribution",
    "int_distribution",
    "warn_if_outside",
]

# Objectives call suggest_* with the same literal arguments every trial; validating them once per process
# keeps the hot path short. The key includes the parameter name so warnings and messages stay exact.
_FLOAT_CACHE: dict[tuple[Any, ...], FloatDistribution] = {}
_INT_CACHE: dict[tuple[Any, ...], IntDistribution] = {}
_CACHE_LIMIT = 10_000


def _remember(cache: dict[tuple[Any, ...], Any], key: tuple[Any, ...], value: Any) -> None:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value


def float_distribution(name: str, low: float, high: float, step: float | None, log: bool) -> FloatDistribution:
    """Validate ``suggest_float`` arguments (errors name the parameter) and build the distribution."""
    key = (name, type(low), low, type(high), high, step, log)
    dist = _FLOAT_CACHE.get(key)
    if dist is None:
        where = f"suggest_float({name!r})"
        adjusted_high = _validate_float_args(low, high, log, step, where)
        dist = FloatDistribution._trusted(low, adjusted_high, log, step)
        _remember(_FLOAT_CACHE, key, dist)
    elif dist.high != high:  # validated before: warn again on every call, as the first call did
        _warn_step_adjusted(f"suggest_float({name!r})", low, high, step, dist.high, stacklevel=4)
    return dist


def int_distribution(name: str, low: int, high: int, step: int, log: bool) -> IntDistribution:
    """Validate ``suggest_int`` arguments (errors name the parameter) and build the distribution."""
    key = (name, type(low), low, type(high), high, type(step), step, log)
    dist = _INT_CACHE.get(key)
    if dist is None:
        where = f"suggest_int({name!r})"
        adjusted_high = _validate_int_args(low, high, log, step, where)
        dist = IntDistribution._trusted(int(low), adjusted_high, log, int(step))
        _remember(_INT_CACHE, key, dist)
    elif dist.high != high:
        _warn_step_adjusted(f"suggest_int({name!r})", low, high, step, dist.high, stacklevel=4)
    return dist


_CATEGORICAL_CACHE: dict[tuple[Any, ...], CategoricalDistribution] = {}


def categorical_distribution(name: str, choices: Sequence[CategoricalChoiceType]) -> CategoricalDistribution:
    """Validate ``suggest_categorical`` choices (errors name the parameter) and build the distribution."""
    try:
        # Types are part of the key because 1 == True and hash(1) == hash(True), yet they are different choices.
        key: tuple[Any, ...] | None = (name, tuple(choices), tuple(map(type, choices)))
        dist = _CATEGORICAL_CACHE.get(key)  # type: ignore[arg-type]
        if dist is not None:
            return dist
    except TypeError:  # unhashable choices: validation below names the offending one
        key = None
    dist = CategoricalDistribution._trusted(_validate_choices(choices, f"suggest_categorical({name!r})"))
    if key is not None:
        _remember(_CATEGORICAL_CACHE, key, dist)
    return dist


def check_fixed_value(name: str, value: Any, dist: BaseDistribution) -> float:
    """Return the internal form of a fixed (enqueued) value, warning when it lies outside the range."""
    return warn_if_outside(name, value, dist, "fixed value", stacklevel=6)


def warn_if_outside(name: str, value: Any, dist: BaseDistribution, what: str, stacklevel: int = 5) -> float:
    """Return the internal form of a given ``value`` of parameter ``name``, warning when ``dist`` does not
    contain it (the value is used as given)."""
    internal = dist.to_internal_repr(value)
    if not dist._contains(internal):
        warnings.warn(
            f"The {what} {value!r} of parameter {name!r} lies outside {dist!r}; it is used as given.",
            UserWarning,
            stacklevel=stacklevel,
        )
    return internal
