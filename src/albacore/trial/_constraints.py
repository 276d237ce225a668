"""Constraint values kept in trial system attributes, and feasibility."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping
from typing import Any

from albacore.exceptions import InvalidArgumentError, InvalidArgumentTypeError

__all__ = [
    "CONSTRAINT_PREFIX",
    "LEGACY_CONSTRAINTS_KEY",
    "constraint_attr",
    "constraint_value",
    "constraints_of",
    "is_feasible",
]

CONSTRAINT_PREFIX = "constraints:"
LEGACY_CONSTRAINTS_KEY = "constraints"
"""Where samplers' ``constraints_func`` results are stored, as a list of floats."""


def constraints_of(system_attrs: Mapping[str, Any]) -> dict[str, float]:
    """Return every constraint value recorded in ``system_attrs``, keyed by constraint name."""
    found = {k[len(CONSTRAINT_PREFIX) :]: float(v) for k, v in system_attrs.items() if k.startswith(CONSTRAINT_PREFIX)}
    legacy = system_attrs.get(LEGACY_CONSTRAINTS_KEY)
    if legacy is not None:
        for i, v in enumerate(legacy):
            found.setdefault(str(i), float(v))
    return found


def is_feasible(system_attrs: Mapping[str, Any]) -> bool:
    """A trial is feasible when every constraint value is <= 0; a trial without constraints is feasible."""
    if not system_attrs:  # most trials: nothing to look through (the log line of every trial asks)
        return True
    return all(v <= 0.0 and not math.isnan(v) for v in constraints_of(system_attrs).values())


def constraint_value(key: str, value: Any) -> float:
    """Check a constraint value given by the user and return it as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidArgumentTypeError(
            f"Constraint {key!r} must be a float, got {value!r} of type {type(value).__name__}."
        )
    if math.isnan(value):
        raise InvalidArgumentError(f"Constraint {key!r} cannot be NaN; use a large positive value instead.")
    return float(value)


def constraint_attr(key: str, value: Any, system_attrs: Mapping[str, Any], number: int) -> tuple[str, float] | None:
    """The system attribute that records constraint ``key`` of trial ``number``, or None (with a warning) when the
    trial already has a value for it: the first value set is kept."""
    checked = constraint_value(key, value)
    attr = CONSTRAINT_PREFIX + key
    if attr in system_attrs:
        warnings.warn(
            f"Constraint {key!r} of trial #{number} is already set to {system_attrs[attr]}; {checked} is ignored "
            "(the first value is kept).",
            UserWarning,
            stacklevel=3,
        )
        return None
    return attr, checked
