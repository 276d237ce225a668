"""The Parzen estimator of TPE: a weighted mixture of product kernels plus a broad prior kernel.

Each observation gives one kernel: a product over numeric dimensions of normals truncated to [0, 1] (on grid
dimensions the kernel gives each value the mass of its cell) and, over categorical dimensions, a smoothed
one-hot distribution. The prior kernel is centred on the box with the box's width and is uniform over
categories. Every operation is vectorized over candidates, kernels and dimensions; the quadratic part of the
continuous dimensions is two matrix products.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import logsumexp

from albacore.samplers._tpe._kernels import log_normal_mass, log_truncated_normal_mass, sample_truncated_normal
from albacore.samplers._tpe._space import CATEGORICAL, DISCRETE, ParamSpec

__all__ = ["ParzenEstimator", "bandwidths"]

_HALF_LOG_2PI = 0.5 * float(np.log(2.0 * np.pi))
_PRIOR_CENTER = 0.5
_PRIOR_SIGMA = 1.0
_MAX_SIGMA = 1.0


def bandwidths(
    centers: np.ndarray, weights: np.ndarray, n_dims: int, *, multivariate: bool, consider_endpoints: bool
) -> np.ndarray:
    """Return kernel widths (n x d) for observation centers (n x d) on the unit box.

    Multivariate: Scott's rule per dimension, ``1.06 * spread * n ** (-1 / (d + 4))``, where the spread is the
    weighted standard deviation of the centers blended with the width a uniform spread would have, so that a
    tight cluster of good points narrows the kernels without collapsing them. Univariate: the distance to the
    farther neighbour among the sorted centers (and the box ends when ``consider_endpoints``). Both are then
    clipped below by the "magic clip" ``1 / min(100, n + 1)`` and above by the box width.
    """
    n = centers.shape[0]
    if n == 0:
        return np.empty_like(centers)
    floor = 1.0 / min(100.0, n + 1.0)
    if multivariate:
        total = weights.sum()
        w = weights / total if total > 0 else np.full(n, 1.0 / n)
        mean = w @ centers
        std = np.sqrt(np.maximum(w @ (centers - mean) ** 2, 0.0))
        spread = 0.5 * std + 0.5 * _UNIFORM_STD
        sigma = np.broadcast_to(1.06 * spread * n ** (-1.0 / (n_dims + 4.0)), centers.shape)
    else:
        order = np.argsort(centers, axis=0, kind="stable")
        ranked = np.take_along_axis(centers, order, axis=0)
        if consider_endpoints:
            padded = np.concatenate((np.zeros((1, centers.shape[1])), ranked, np.ones((1, centers.shape[1]))))
        else:
            padded = np.concatenate((ranked[:1], ranked, ranked[-1:]))
        gaps = np.diff(padded, axis=0)
        widest = np.maximum(gaps[:-1], gaps[1:])
        sigma = np.empty_like(centers)
        np.put_along_axis(sigma, order, widest, axis=0)
    return np.asarray(np.clip(sigma, floor, _MAX_SIGMA))


_UNIFORM_STD = float(np.sqrt(1.0 / 12.0))


class ParzenEstimator:
    """A kernel mixture over the encoded box of ``specs``, fitted to weighted observations.

    Args:
        specs: The encoding of each dimension.
        observations: Encoded observations, one row each (n x d).
        weights: Positive weight of each observation.
        prior_weight: Weight of the prior kernel, relative to observation weights.
        multivariate: Choose bandwidths for the joint model (Scott's rule) rather than per dimension.
        consider_endpoints: In univariate mode, count the box ends as neighbours of the extreme centers.
    """

    def __init__(
        self,
        specs: Sequence[ParamSpec],
        observations: np.ndarray,
        weights: np.ndarray,
        *,
        prior_weight: float,
        multivariate: bool,
        consider_endpoints: bool,
    ) -> None:
        self._numeric = np.array([i for i, s in enumerate(specs) if s.kind != CATEGORICAL], dtype=int)
        self._categorical = np.array([i for i, s in enumerate(specs) if s.kind == CATEGORICAL], dtype=int)
        numeric_specs = [specs[i] for i in self._numeric]
        self._is_grid = np.array([s.kind == DISCRETE for s in numeric_specs], dtype=bool)
        self._cells = np.array([max(s.size, 1) for s in numeric_specs], dtype=float)
        self._sizes = [specs[i].size for i in self._categorical]
        n = observations.shape[0]
        all_weights = np.append(np.asarray(weights, dtype=float), prior_weight)
        self._log_weights = np.log(all_weights / all_weights.sum())
        self._cum_weights = np.cumsum(all_weights / all_weights.sum())

        centers = observations[:, self._numeric]
        sigma = bandwidths(
            centers, all_weights[:n], len(specs), multivariate=multivariate, consider_endpoints=consider_endpoints
        )
        self._mu = np.vstack((centers, np.full((1, centers.shape[1]), _PRIOR_CENTER)))
        self._sigma = np.vstack((sigma, np.full((1, centers.shape[1]), _PRIOR_SIGMA)))
        self._log_z = log_truncated_normal_mass(self._mu, self._sigma)

        # Continuous dimensions: log N(x; mu, sigma) summed over them is const - 0.5 x^2.a + x.b per kernel.
        cont = ~self._is_grid
        mu_c, sigma_c = self._mu[:, cont], self._sigma[:, cont]
        precision = 1.0 / sigma_c**2
        self._quad = precision.T.copy()
        self._lin = (mu_c * precision).T.copy()
        self._const = self._log_weights - np.sum(
            0.5 * mu_c**2 * precision + np.log(sigma_c) + _HALF_LOG_2PI + self._log_z[:, cont], axis=1
        )

        # Categorical dimensions: one log-probability table (kernels x choices) per dimension.
        self._log_tables: list[np.ndarray] = []
        for column, size in zip(self._categorical, self._sizes, strict=True):
            table = np.full((n + 1, size), prior_weight / (n + 1.0))
            if n:
                table[np.arange(n), observations[:, column].astype(int)] += 1.0
            table[n] = 1.0
            self._log_tables.append(np.log(table / table.sum(axis=1, keepdims=True)))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` encoded points (size x d) from the mixture."""
        kernels = np.minimum(np.searchsorted(self._cum_weights, rng.random(size), side="right"), len(self._mu) - 1)
        out = np.empty((size, len(self._numeric) + len(self._categorical)))
        if len(self._numeric):
            uniforms = rng.random((size, len(self._numeric)))
            draws = sample_truncated_normal(self._mu[kernels], self._sigma[kernels], uniforms)
            # Grid dimensions snap to the center of the cell the draw fell in.
            snapped = (np.minimum(np.floor(draws * self._cells), self._cells - 1.0) + 0.5) / self._cells
            out[:, self._numeric] = np.where(self._is_grid, snapped, draws)
        for column, table in zip(self._categorical, self._log_tables, strict=True):
            probs = np.exp(table[kernels])
            cum = np.cumsum(probs, axis=1)
            picks = (cum < rng.random((size, 1)) * cum[:, -1:]).sum(axis=1)
            out[:, column] = np.minimum(picks, table.shape[1] - 1)
        return out

    def log_pdf(self, points: np.ndarray) -> np.ndarray:
        """Return the log density (log mass on grid and categorical dimensions) of encoded ``points``."""
        numeric = points[:, self._numeric]
        cont = numeric[:, ~self._is_grid]
        per_kernel = self._const[None, :] - 0.5 * (cont**2 @ self._quad) + cont @ self._lin
        if self._is_grid.any():
            grid = numeric[:, self._is_grid]
            half = 0.5 / self._cells[self._is_grid]
            mu = self._mu[:, self._is_grid][None, :, :]
            sigma = self._sigma[:, self._is_grid][None, :, :]
            lower = ((grid - half)[:, None, :] - mu) / sigma
            upper = ((grid + half)[:, None, :] - mu) / sigma
            log_mass = log_normal_mass(lower, upper) - self._log_z[:, self._is_grid][None, :, :]
            per_kernel = per_kernel + log_mass.sum(axis=2)
        for column, table in zip(self._categorical, self._log_tables, strict=True):
            per_kernel = per_kernel + table[:, points[:, column].astype(int)].T
        return np.asarray(logsumexp(per_kernel, axis=1))
