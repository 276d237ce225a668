"""Intermediate reports of several objectives: ``trial.report([v1, v2], step)`` in a multi-objective study.

A study's storages keep one float per step as intermediate value, so vector reports live in trial system
attributes, one per step (``albacore:report:<step>`` -> list of floats): every storage keeps them, and no
storage layout changes.
"""

from __future__ import annotations

import math
from typing import Any

from albacore.exceptions import InvalidArgumentError, InvalidArgumentTypeError

__all__ = ["REPORT_PREFIX", "check_vector", "report_at", "stored", "vector_reports"]

REPORT_PREFIX = "albacore:report:"


def check_vector(value: Any, n_objectives: int) -> list[float]:
    """``value`` as one float per objective, or a typed error saying what was expected."""
    if isinstance(value, (str, bytes)) or not (hasattr(value, "__len__") and hasattr(value, "__iter__")):
        raise InvalidArgumentTypeError(
            f"In a study with {n_objectives} objectives, report() takes one value per objective "
            f"(e.g. trial.report([accuracy, size], step)), got {value!r}."
        )
    values = list(value)
    if len(values) != n_objectives:
        raise InvalidArgumentError(f"report() got {len(values)} values for a study with {n_objectives} objectives.")
    try:
        return [float(v) for v in values]
    except (TypeError, ValueError):
        raise InvalidArgumentTypeError(f"report() values must be floats, got {values!r}.") from None


def vector_reports(system_attrs: dict[str, Any]) -> dict[int, list[float]]:
    """The vector reports of a trial, by step (from its system attributes)."""
    out: dict[int, list[float]] = {}
    for key, value in system_attrs.items():
        if key.startswith(REPORT_PREFIX):
            out[int(key[len(REPORT_PREFIX) :])] = [math.nan if v is None else float(v) for v in value]
    return out


def report_at(system_attrs: dict[str, Any], step: int) -> list[float] | None:
    """A trial's vector report at ``step`` (NaN where it reported NaN), or None when it reported nothing there."""
    value = system_attrs.get(f"{REPORT_PREFIX}{step}")
    return None if value is None else [math.nan if v is None else float(v) for v in value]


def stored(values: list[float]) -> list[float | None]:
    """``values`` as stored: NaN becomes None (JSON has no NaN)."""
    return [None if math.isnan(v) else v for v in values]
