"""Constraint values kept in trial system attributes, and feasibility."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["CONSTRAINT_PREFIX", "LEGACY_CONSTRAINTS_KEY", "constraints_of", "is_feasible"]

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
    return all(v <= 0.0 and not math.isnan(v) for v in constraints_of(system_attrs).values())
