"""How TPE sees one parameter: a coordinate in [0, 1] (continuous or on a grid of cells) or a category index.

The coordinates are those of the shared :class:`~albacore.samplers._transform.SearchSpaceTransform`: floats
(and log-scaled ints) are continuous on [0, 1] after an optional log transform; stepped floats and ints are
grids of ``n`` cells of width ``1 / n`` centred on the admissible values, and TPE's kernels give each value the
mass of its cell; categoricals are indices.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.samplers._transform import SearchSpaceTransform

__all__ = ["CATEGORICAL", "CONTINUOUS", "DISCRETE", "ParamSpec", "spec_of"]

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
