"""One-dimensional Parzen densities on a grid of cells, and the Pearson divergence between two of them.

PED-ANOVA compares, one parameter at a time, where the top trials lie with where the trials of the region lie.
Each parameter's axis is cut into cells: 64 equal cells of the unit interval for a continuous parameter (after
``log`` for log-scaled ones), one cell per value for a discrete parameter with at most 64 values, one cell per
choice for a categorical one. A set of points becomes a density over the cells: a Gaussian kernel per point
(width from Scott's rule) for numeric axes, the plain counts for categorical ones, each mixed with one uniform
pseudo-point so that no cell has zero mass and a handful of points does not give an infinite divergence.

Example:
    >>> import numpy as np
    >>> from albacore.distributions import FloatDistribution
    >>> axis = Axis(FloatDistribution(0.0, 1.0))
    >>> near_zero = axis.density(np.array([0.05, 0.1, 0.12]))
    >>> spread = axis.density(np.linspace(0.0, 1.0, 50))
    >>> pearson_divergence(near_zero, spread) > pearson_divergence(spread, spread)
    True
"""

from __future__ import annotations

import math

import numpy as np

from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.samplers._transform import SearchSpaceTransform

__all__ = ["Axis", "pearson_divergence"]

CONTINUOUS_CELLS = 64
"""Cells of a continuous axis. Scott's bandwidth for up to ~10^5 points spans at least one cell of this size."""

_SCOTT = 1.059
_IQR_TO_SIGMA = 1.349


class Axis:
    """The cells of one parameter's axis, and densities of point sets over them.

    Args:
        dist: The parameter's distribution (not a single-valued one).
    """

    def __init__(self, dist: BaseDistribution) -> None:
        self.categorical = isinstance(dist, CategoricalDistribution)
        if isinstance(dist, CategoricalDistribution):
            self.n_cells = len(dist.choices)
            self.positions = np.arange(self.n_cells, dtype=float)
            return
        self._transform = SearchSpaceTransform({"x": dist}, one_hot=False)
        grid = _small_grid(dist)
        if grid is not None:
            self.positions = self._transform.encode(grid[:, None])[:, 0]
        else:
            self.positions = (np.arange(CONTINUOUS_CELLS) + 0.5) / CONTINUOUS_CELLS
        self.n_cells = self.positions.size
        self._edges = 0.5 * (self.positions[1:] + self.positions[:-1])

    def uniform(self) -> np.ndarray:
        """The density that gives every cell the same mass."""
        return np.full(self.n_cells, 1.0 / self.n_cells)

    def density(self, internal: np.ndarray) -> np.ndarray:
        """Return the Parzen density (cell masses, summing to 1) of points given as internal values."""
        n = internal.size
        if self.categorical:
            counts = np.bincount(internal.astype(np.int64), minlength=self.n_cells).astype(float)
            return np.asarray((counts + self.uniform()) / (n + 1))
        unit = self._transform.encode(internal[:, None])[:, 0]
        cells = np.searchsorted(self._edges, unit)
        counts = np.bincount(cells, minlength=self.n_cells).astype(float)
        occupied = np.nonzero(counts)[0]
        offsets = (self.positions[None, :] - self.positions[occupied, None]) / self._bandwidth(unit)
        kernel = np.exp(-0.5 * offsets * offsets)
        # Each point's kernel is cut to the axis and renormalized there, so no mass falls outside the range.
        kernel /= kernel.sum(axis=1, keepdims=True)
        smoothed = counts[occupied] @ kernel
        return np.asarray((smoothed + self.uniform()) / (n + 1))

    def _bandwidth(self, unit: np.ndarray) -> float:
        n = unit.size
        floor = 0.5 / self.n_cells
        if n < 2:
            return floor
        sigma = float(np.std(unit))
        q25, q75 = np.percentile(unit, [25.0, 75.0])
        iqr_sigma = float(q75 - q25) / _IQR_TO_SIGMA
        if iqr_sigma > 0.0:
            sigma = min(sigma, iqr_sigma)
        return max(_SCOTT * sigma * math.pow(n, -0.2), floor)


def _small_grid(dist: BaseDistribution) -> np.ndarray | None:
    """The internal values of a discrete numeric distribution with at most CONTINUOUS_CELLS values, else None."""
    if isinstance(dist, IntDistribution):
        low, step = float(dist.low), float(dist.step)
        n_points = (dist.high - dist.low) // dist.step + 1
    elif isinstance(dist, FloatDistribution) and dist.step is not None:
        low, step = dist.low, dist.step
        n_points = round((dist.high - dist.low) / dist.step) + 1
    else:
        return None
    if n_points > CONTINUOUS_CELLS:
        return None
    return np.asarray(low + step * np.arange(n_points, dtype=float))


def pearson_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Return the Pearson divergence ``sum_c q_c (p_c / q_c - 1)^2`` of two cell densities (q > 0 everywhere)."""
    return max(float(np.sum(p * p / q)) - 1.0, 0.0)
