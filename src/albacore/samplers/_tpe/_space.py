"""How TPE sees one parameter: a coordinate in [0, 1] (continuous or on a grid of cells) or a category index.

The coordinates are those of the shared :class:`~albacore.samplers._transform.SearchSpaceTransform`: floats
(and log-scaled ints) are continuous on [0, 1] after an optional log transform; stepped floats and ints are
grids of ``n`` cells of width ``1 / n`` centred on the admissible values, and TPE's kernels give each value the
mass of its cell; categoricals are indices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from albacore._numeric_choices import order_of
from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.samplers._transform import SearchSpaceTransform, _numeric_layout

__all__ = ["CATEGORICAL", "CONTINUOUS", "DISCRETE", "ParamSpec", "SpaceEncoding", "spec_of"]

CONTINUOUS = 0
DISCRETE = 1
CATEGORICAL = 2

_TINY = 1e-300


@dataclass(frozen=True)
class ParamSpec:
    """How TPE models one distribution: its kind and ``size`` (number of grid cells or of choices)."""

    distribution: BaseDistribution
    kind: int
    size: int

    @cached_property
    def transform(self) -> SearchSpaceTransform:
        """The shared unit-box encoding of this one parameter (categoricals as indices)."""
        return SearchSpaceTransform({"_": self.distribution}, one_hot=False)

    def encode(self, internal: np.ndarray) -> np.ndarray:
        """Map internal values (NaN for missing) to model coordinates (category indices stay indices)."""
        dist = self.distribution
        if getattr(dist, "log", False):
            # Values recorded under another range may not be positive; they only need to stay finite.
            internal = np.where(np.isnan(internal), np.nan, np.maximum(internal, _TINY))
        return np.asarray(self.transform.encode(internal[:, None])[:, 0])

    def decode(self, coordinate: float) -> float:
        """Map one model coordinate back to the parameter's internal value."""
        return float(self.transform.decode_internal(np.array([[coordinate]]))[0, 0])


def spec_of(dist: BaseDistribution) -> ParamSpec:
    """Return the encoding TPE uses for ``dist``."""
    if isinstance(dist, CategoricalDistribution):
        return ParamSpec(dist, CATEGORICAL, len(dist.choices))
    if isinstance(dist, IntDistribution):
        if dist.log:
            # Continuous in log space, where each integer k owns the cell [log(k - 0.5), log(k + 0.5)].
            return ParamSpec(dist, CONTINUOUS, 0)
        return ParamSpec(dist, DISCRETE, (dist.high - dist.low) // dist.step + 1)
    assert isinstance(dist, FloatDistribution)
    if dist.step is not None:
        return ParamSpec(dist, DISCRETE, round((dist.high - dist.low) / dist.step) + 1)
    return ParamSpec(dist, CONTINUOUS, 0)


class SpaceEncoding:
    """The encoding of an ordered set of parameters, all columns at once.

    A categorical whose three or more choices are all numbers is modelled, when ``ordered`` (the default), as
    a grid over the ranks of its choices by value: neighbouring values share kernel mass as neighbouring
    integers do, on a log scale for a geometric progression (``[1e-4, 1e-3, 1e-2]``) and a linear one for an
    arithmetic progression. Internal values stay choice indices, so suggested values are exactly the choices.

    Args:
        space: Parameter name -> distribution, in column order.
        ordered: Model numeric categorical choices by their order rather than as unrelated labels.
    """

    def __init__(self, space: dict[str, BaseDistribution], *, ordered: bool = True) -> None:
        self.names = list(space)
        self.distributions = list(space.values())
        # Column -> (rank of each choice index, choice index of each rank), for numeric categoricals.
        self._ranks: dict[int, tuple[np.ndarray, list[int]]] = {}
        modelled: dict[str, BaseDistribution] = {}
        for column, (name, dist) in enumerate(space.items()):
            ranks = order_of(dist.choices) if ordered and isinstance(dist, CategoricalDistribution) else None
            if ranks is None:
                modelled[name] = dist
                continue
            by_rank = sorted(range(len(ranks)), key=ranks.__getitem__)
            self._ranks[column] = (np.array(ranks, dtype=float), by_rank)
            modelled[name] = IntDistribution(0, len(ranks) - 1)
        self._modelled = list(modelled.values())
        self.specs = [spec_of(d) for d in self._modelled]
        self._transform = SearchSpaceTransform(modelled, one_hot=False)
        self._log_columns = np.array([bool(getattr(d, "log", False)) for d in self._modelled], dtype=bool)
        self.numeric_columns = np.array([i for i, s in enumerate(self.specs) if s.kind != CATEGORICAL], dtype=int)
        self._layouts = [None if s.kind == CATEGORICAL else _numeric_layout(s.distribution) for s in self.specs]

    def encode(self, internal: np.ndarray) -> np.ndarray:
        """Map rows of internal values (NaN for missing) to model coordinates."""
        if self._log_columns.any() or self._ranks:
            internal = internal.copy()
        if self._log_columns.any():
            # Values recorded under another range may not be positive; they only need to stay finite.
            logged = internal[:, self._log_columns]
            internal[:, self._log_columns] = np.where(np.isnan(logged), np.nan, np.maximum(logged, _TINY))
        for column, (ranks, _) in self._ranks.items():
            values = internal[:, column]
            known = ~np.isnan(values)
            values[known] = ranks[values[known].astype(int)]
        return np.asarray(self._transform.encode(internal))

    def decode(self, point: np.ndarray) -> dict[str, float]:
        """Map one point of model coordinates back to internal values by parameter name.

        The same arithmetic as :meth:`SearchSpaceTransform.decode_internal`, on Python floats: for the single
        point a trial needs, array calls per parameter would cost more than the arithmetic.
        """
        out: dict[str, float] = {}
        for name, dist, layout, u in zip(self.names, self._modelled, self._layouts, point.tolist(), strict=True):
            out[name] = _decode_one(dist, layout, u)
        for column, (_, by_rank) in self._ranks.items():
            name = self.names[column]
            out[name] = float(by_rank[int(out[name])])
        return out


def _decode_one(dist: BaseDistribution, layout: tuple[float, float, int, bool] | None, u: float) -> float:
    if layout is None:
        assert isinstance(dist, CategoricalDistribution)
        return float(min(max(round(u), 0), len(dist.choices) - 1))
    lo, hi, n_points, log = layout
    value = lo + min(max(u, 0.0), 1.0) * (hi - lo)
    if log:
        value = math.exp(value)
    if isinstance(dist, IntDistribution):
        if dist.log:
            return float(min(max(round(value), dist.low), dist.high))
        k = min(max(round((value - dist.low) / dist.step), 0), n_points - 1)
        return float(dist.low + k * dist.step)
    assert isinstance(dist, FloatDistribution)
    if dist.step is not None:
        k = min(max(round((value - dist.low) / dist.step), 0), n_points - 1)
        return float(min(dist.low + k * dist.step, dist.high))
    return float(min(max(value, dist.low), dist.high))
