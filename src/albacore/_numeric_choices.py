"""Categorical choices that are all numbers: how they are spaced, the suggest call they stand for, their order.

``suggest_categorical("lr", [1e-5, 1e-4, 1e-3])`` hides an order: samplers that see labels cannot learn that
1e-4 lies between its neighbours. The trial warns about it (:func:`advice` names the call to use instead) and
TPE models such choices by rank (:func:`order_of`), which is a log scale for a geometric progression and a
linear one for an arithmetic progression.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from albacore.distributions import CategoricalDistribution, IntDistribution

__all__ = ["RankedChoices", "advice", "numeric_values", "order_of", "progression"]

_REL_TOL = 1e-9


def numeric_values(choices: Sequence[Any]) -> list[float] | None:
    """The choices as floats when there are three or more, all finite ints or floats (bool is a label); else None.

    Two choices have no order worth keeping: any model of them is a model of one switch.
    """
    if len(choices) < 3:
        return None
    values: list[float] = []
    for choice in choices:
        if isinstance(choice, bool) or not isinstance(choice, (int, float)):
            return None
        value = float(choice)
        if not math.isfinite(value):
            return None
        values.append(value)
    return values


def progression(values: Sequence[float]) -> str | None:
    """ "arithmetic" or "geometric" when the sorted values are one (three or more of them), else None."""
    ordered = sorted(values)
    if len(ordered) < 3 or len(set(ordered)) != len(ordered):
        return None
    gaps = [b - a for a, b in itertools.pairwise(ordered)]
    if all(math.isclose(g, gaps[0], rel_tol=1e-6, abs_tol=_REL_TOL * abs(gaps[0])) for g in gaps):
        return "arithmetic"
    if ordered[0] > 0:
        ratios = [b / a for a, b in itertools.pairwise(ordered)]
        if all(math.isclose(r, ratios[0], rel_tol=1e-6) for r in ratios):
            return "geometric"
    return None


def advice(name: str, choices: Sequence[Any]) -> str | None:
    """The ``suggest_float`` / ``suggest_int`` call that keeps the order of numeric ``choices``, or None."""
    values = numeric_values(choices)
    if values is None:
        return None
    low, high = min(values), max(values)
    integers = all(isinstance(c, int) for c in choices)
    kind = progression(values)
    method = "suggest_int" if integers else "suggest_float"
    bounds = f"{name!r}, {_show(low, integers)}, {_show(high, integers)}"
    if kind == "geometric":
        return f"{method}({bounds}, log=True)"
    if kind == "arithmetic":
        step = (high - low) / (len(values) - 1)
        if integers and step == 1:
            return f"{method}({bounds})"
        return f"{method}({bounds}, step={_show(step, integers)})"
    if integers or low <= 0 or high / low < 100:
        return f"{method}({bounds})"
    return f"{method}({bounds}, log=True)"


def order_of(choices: Sequence[Any]) -> list[int] | None:
    """The rank of each choice by value when three or more choices are all distinct numbers, else None."""
    values = numeric_values(choices)
    if values is None or len(set(values)) != len(values):
        return None
    by_value = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0] * len(values)
    for rank, index in enumerate(by_value):
        ranks[index] = rank
    return ranks


@dataclass(frozen=True)
class RankedChoices:
    """A numeric categorical seen as the integer rank of its value: ``modelled`` is ``IntDistribution(0, k - 1)``."""

    distribution: CategoricalDistribution
    ranks: tuple[int, ...]
    modelled: IntDistribution

    @classmethod
    def of(cls, dist: CategoricalDistribution) -> RankedChoices | None:
        """The ranked view of ``dist`` when its choices are three or more distinct numbers, else None."""
        ranks = order_of(dist.choices)
        if ranks is None:
            return None
        return cls(dist, tuple(ranks), IntDistribution(0, len(ranks) - 1))

    def rank(self, value: Any) -> int:
        """The rank of choice ``value``."""
        return self.ranks[int(self.distribution.to_internal_repr(value))]

    def choice(self, rank: Any) -> Any:
        """The choice of rank ``rank``."""
        return self.distribution.choices[self.ranks.index(int(rank))]


def _show(value: float, integer: bool) -> str:
    return str(round(value)) if integer else f"{value:g}"
