"""The Parzen estimator of TPE: a weighted mixture of product kernels plus a broad prior kernel.

Each observation gives one kernel: a product over numeric dimensions of normals truncated to [0, 1] (on grid
dimensions the kernel gives each value the mass of its cell) and, over categorical dimensions, a smoothed
one-hot distribution. The prior kernel is centred on the box with the box's width and is uniform over
categories. Every operation is vectorized over candidates, kernels and dimensions; the quadratic part of the
continuous dimensions is two matrix products.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from albacore.samplers._tpe._kernels import log_normal_mass, log_truncated_normal_mass, sample_truncated_normal
from albacore.samplers._tpe._space import CATEGORICAL, DISCRETE, ParamSpec

__all__ = ["ParzenEstimator", "TruncationCache", "bandwidths"]

_HALF_LOG_2PI = 0.5 * float(np.log(2.0 * np.pi))
_PRIOR_CENTER = 0.5
_PRIOR_SIGMA = 1.0
_MAX_SIGMA = 1.0


def bandwidths(
    centers: np.ndarray, weights: np.ndarray, n_dims: int, *, multivariate: bool, consider_endpoints: bool
) -> np.ndarray:
    """Return kernel widths for observation centers (n x d) on the unit box: n x d, or 1 x d when shared.

    Multivariate: Scott's rule per dimension, ``1.06 * spread * n ** (-1 / (d + 4))``, where the spread is the
    weighted standard deviation of the centers blended with the width a uniform spread would have, so that a
    tight cluster of good points narrows the kernels without collapsing them. Univariate: the distance to the
    farther neighbour among the sorted centers (and the box ends when ``consider_endpoints``). Both are then
    clipped below by the "magic clip" ``1 / min(100, n + 1)`` and above by the box width.
    """
    n = centers.shape[0]
    if n == 0:
        return np.ones((1 if multivariate else 0, centers.shape[1]))
    floor = 1.0 / min(100.0, n + 1.0)
    if multivariate:
        total = weights.sum()
        w = weights / total if total > 0 else np.full(n, 1.0 / n)
        mean = w @ centers
        std = np.sqrt(np.maximum(w @ (centers - mean) ** 2, 0.0))
        spread = 0.5 * std + 0.5 * _UNIFORM_STD
        sigma = (1.06 * spread * n ** (-1.0 / (n_dims + 4.0)))[None, :]
        # Widths move a little every trial; rounding them to a 2.5 % grid (in log scale) lets the truncation
        # masses of old kernels be reused (TruncationCache) for many trials at a negligible change of the model.
        sigma = np.exp(np.round(np.log(np.maximum(sigma, floor)) * _WIDTH_GRID) / _WIDTH_GRID)
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
_WIDTH_GRID = 40.0


class TruncationCache:
    """Log truncation masses of observation kernels that share one width per dimension, kept between fits.

    Rows are the rows of a growing observation table; a column is recomputed only when its width changes.
    """

    def __init__(self) -> None:
        self._sigma: np.ndarray | None = None
        self._data = np.empty((0, 0))
        self._size = 0

    def lookup(self, centers: np.ndarray, rows: np.ndarray, sigma: np.ndarray) -> np.ndarray:
        """Return log Z for ``centers[rows]`` (centers: every row of the table) with widths ``sigma`` (d,)."""
        n, d = centers.shape
        if self._sigma is None or self._sigma.shape != sigma.shape:
            self._sigma = sigma.copy()
            self._data = np.empty((max(16, 2 * n), d))
            self._size = 0
        changed = np.nonzero(sigma != self._sigma)[0]
        if changed.size and self._size:
            old = np.nan_to_num(centers[: self._size][:, changed], nan=0.5)
            self._data[: self._size, changed] = log_truncated_normal_mass(old, sigma[changed][None, :])
        self._sigma = sigma.copy()
        if self._size < n:
            if n > self._data.shape[0]:
                grown = np.empty((2 * n, d))
                grown[: self._size] = self._data[: self._size]
                self._data = grown
            fresh = np.nan_to_num(centers[self._size : n], nan=0.5)
            self._data[self._size : n] = log_truncated_normal_mass(fresh, sigma[None, :])
            self._size = n
        return np.asarray(self._data[rows])


# OpenBLAS multithreads products above about 65536 * 4 multiply-adds; on busy machines its threads wait on each
# other for tens of milliseconds, so the products here are cut into column blocks small enough to run on one.
_SINGLE_THREAD_PRODUCT = 200_000


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    block = max(1, _SINGLE_THREAD_PRODUCT // max(1, a.shape[0] * a.shape[1]))
    if b.shape[1] <= block:
        return np.asarray(a @ b)
    out = np.empty((a.shape[0], b.shape[1]))
    for start in range(0, b.shape[1], block):
        out[:, start : start + block] = a @ b[:, start : start + block]
    return out


class ParzenEstimator:
    """A kernel mixture over the encoded box of ``specs``, fitted to weighted observations.

    Args:
        specs: The encoding of each dimension.
        observations: Encoded observations, one row each (n x d).
        weights: Positive weight of each observation.
        prior_weight: Weight of the prior kernel, relative to observation weights.
        multivariate: Choose bandwidths for the joint model (Scott's rule) rather than per dimension.
        consider_endpoints: In univariate mode, count the box ends as neighbours of the extreme centers.
        log_z: Returns the log truncation masses of the observation kernels (n x numeric dimensions) for given
            widths, when the caller keeps them (see :class:`TruncationCache`); computed here when None.
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
        log_z: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        numeric = [i for i, s in enumerate(specs) if s.kind != CATEGORICAL]
        self._numeric = np.array(numeric, dtype=int)
        self._categorical = np.array([i for i, s in enumerate(specs) if s.kind == CATEGORICAL], dtype=int)
        self._all_numeric = len(numeric) == len(specs)
        is_grid = np.array([specs[i].kind == DISCRETE for i in numeric], dtype=bool)
        self._any_grid = bool(is_grid.any())
        self._is_grid = is_grid
        self._cont = ~is_grid
        self._all_cont = not self._any_grid
        self._cells = np.array([max(specs[i].size, 1) for i in numeric], dtype=float)
        n = observations.shape[0]
        self._n = n
        all_weights = np.append(np.asarray(weights, dtype=float), prior_weight)
        all_weights /= all_weights.sum()
        self._log_weights = np.log(all_weights)
        self._cum_weights = np.cumsum(all_weights)

        # Observation kernels. In multivariate mode they share one width per dimension (a row vector), which
        # turns the quadratic form over continuous dimensions into one matrix product.
        mu = observations if self._all_numeric else observations[:, self._numeric]
        sigma = bandwidths(
            mu, all_weights[:n], len(specs), multivariate=multivariate, consider_endpoints=consider_endpoints
        )
        self._mu = mu
        self._sigma = sigma
        if not n:
            kernel_log_z = np.zeros((0, len(numeric)))
        elif log_z is not None:
            kernel_log_z = log_z(sigma)
        else:
            kernel_log_z = log_truncated_normal_mass(mu, sigma)
        self._log_z = kernel_log_z
        cont_mu = mu if self._all_cont else mu[:, self._cont]
        cont_sigma = sigma if self._all_cont else sigma[:, self._cont]
        cont_log_z = kernel_log_z if self._all_cont else kernel_log_z[:, self._cont]
        precision = 1.0 / cont_sigma**2
        self._precision = precision
        self._shared = sigma.shape[0] == 1
        if self._shared:
            self._mu_t = cont_mu.T.copy()
            quad_const = cont_mu**2 @ precision[0]
            log_sigma = float(np.log(cont_sigma).sum()) * np.ones(n)
        else:
            self._mu_t = (cont_mu * precision).T.copy()
            self._quad_t = precision.T.copy()
            quad_const = np.sum(cont_mu**2 * precision, axis=1)
            log_sigma = np.log(cont_sigma).sum(axis=1)
        n_cont = int(self._cont.sum())
        self._const = (
            self._log_weights[:n] - 0.5 * quad_const - log_sigma - n_cont * _HALF_LOG_2PI - cont_log_z.sum(axis=1)
        )
        self._prior_log_z = float(log_truncated_normal_mass(np.array([_PRIOR_CENTER]), np.array([_PRIOR_SIGMA]))[0])

        # Categorical dimensions: one log-probability table (kernels x choices) per dimension; the prior's row
        # is uniform.
        self._log_tables: list[np.ndarray] = []
        for column in self._categorical:
            size = specs[column].size
            table = np.full((n + 1, size), prior_weight / (n + 1.0))
            if n:
                table[np.arange(n), observations[:, column].astype(int)] += 1.0
            table[n] = 1.0
            self._log_tables.append(np.log(table / table.sum(axis=1, keepdims=True)))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` encoded points (size x d) from the mixture."""
        n = self._n
        kernels = np.minimum(np.searchsorted(self._cum_weights, rng.random(size), side="right"), n)
        out = np.empty((size, len(self._numeric) + len(self._categorical)))
        if len(self._numeric):
            from_prior = kernels == n
            rows = np.minimum(kernels, max(n - 1, 0))
            if n:
                mu = np.where(from_prior[:, None], _PRIOR_CENTER, self._mu[rows])
                sigma_rows = self._sigma if self._shared else self._sigma[rows]
                sigma = np.where(from_prior[:, None], _PRIOR_SIGMA, sigma_rows)
            else:
                mu = np.full((size, len(self._numeric)), _PRIOR_CENTER)
                sigma = np.full((size, len(self._numeric)), _PRIOR_SIGMA)
            draws = sample_truncated_normal(mu, sigma, rng.random((size, len(self._numeric))))
            if self._any_grid:
                # Grid dimensions snap to the center of the cell the draw fell in.
                snapped = (np.minimum(np.floor(draws * self._cells), self._cells - 1.0) + 0.5) / self._cells
                draws = np.where(self._is_grid, snapped, draws)
            if self._all_numeric:
                out = draws
            else:
                out[:, self._numeric] = draws
        for column, table in zip(self._categorical, self._log_tables, strict=True):
            probs = np.exp(table[kernels])
            cum = np.cumsum(probs, axis=1)
            picks = (cum < rng.random((size, 1)) * cum[:, -1:]).sum(axis=1)
            out[:, column] = np.minimum(picks, table.shape[1] - 1)
        return out

    def log_pdf(self, points: np.ndarray) -> np.ndarray:
        """Return the log density (log mass on grid and categorical dimensions) of encoded ``points``."""
        numeric = points if self._all_numeric else points[:, self._numeric]
        cont = numeric if self._all_cont else numeric[:, self._cont]
        # The prior kernel, then the observation kernels, one column each.
        prior = -0.5 * np.sum((cont - _PRIOR_CENTER) ** 2, axis=1) / _PRIOR_SIGMA**2 - cont.shape[1] * (
            np.log(_PRIOR_SIGMA) + _HALF_LOG_2PI + self._prior_log_z
        )
        if self._shared:
            scaled = cont * self._precision[0]
            per_kernel = self._const[None, :] + (
                _matmul(scaled, self._mu_t) - 0.5 * (cont * scaled).sum(axis=1)[:, None]
            )
        else:
            per_kernel = self._const[None, :] - 0.5 * _matmul(cont**2, self._quad_t) + _matmul(cont, self._mu_t)
        if self._any_grid:
            grid = numeric[:, self._is_grid]
            half = 0.5 / self._cells[self._is_grid]
            prior_mass = log_normal_mass(
                (grid - half - _PRIOR_CENTER) / _PRIOR_SIGMA, (grid + half - _PRIOR_CENTER) / _PRIOR_SIGMA
            )
            prior = prior + prior_mass.sum(axis=1) - self._is_grid.sum() * self._prior_log_z
            if self._n:
                mu = self._mu[:, self._is_grid][None, :, :]
                sigma = self._sigma[:, self._is_grid][None, :, :]
                lower = ((grid - half)[:, None, :] - mu) / sigma
                upper = ((grid + half)[:, None, :] - mu) / sigma
                log_mass = log_normal_mass(lower, upper) - self._log_z[:, self._is_grid][None, :, :]
                per_kernel = per_kernel + log_mass.sum(axis=2)
        for column, table in zip(self._categorical, self._log_tables, strict=True):
            picked = table[:, points[:, column].astype(int)].T
            per_kernel = per_kernel + picked[:, :-1]
            prior = prior + picked[:, -1]
        per_kernel = np.concatenate((per_kernel, (prior + self._log_weights[-1])[:, None]), axis=1)
        peak = per_kernel.max(axis=1, keepdims=True)
        peak = np.where(np.isfinite(peak), peak, 0.0)
        with np.errstate(divide="ignore"):
            return np.asarray(np.log(np.exp(per_kernel - peak).sum(axis=1)) + peak[:, 0])
