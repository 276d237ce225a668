"""Acquisition functions on fitted GPs: log expected improvement, log probability of feasibility, log EHVI.

Everything is in the maximization convention (the sampler negates losses before standardizing) and vectorized
over a batch of candidates. Single-objective acquisitions also return gradients for L-BFGS-B.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import scipy.special

from albacore.samplers._gp._regressor import GPRegressor

__all__ = ["Acquisition", "LogEHVI", "LogEI", "non_dominated_boxes"]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_HALF_PI = math.sqrt(0.5 * math.pi)
_ASYMPTOTIC_Z = -1e4


def log_h(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log(phi(z) + z Phi(z)) and its derivative, accurate far into the lower tail (Ament et al., 2023).

    Every branch is evaluated on the whole (small) batch and the right one picked per element: cheaper than
    boolean indexing for the few candidates of a gradient step.
    """
    with np.errstate(all="ignore"):
        # Upper branch: the direct formula, fine for z > -1.
        cdf = scipy.special.ndtr(z)
        h = np.exp(-0.5 * z * z - _LOG_SQRT_2PI) + z * cdf
        upper, upper_grad = np.log(h), cdf / h
        in_upper = z > -1.0
        if bool(np.all(in_upper)):
            return upper, upper_grad  # no candidate in the tails (common near the optimum): skip them
        # Lower tail: Phi(z) / phi(z) through the scaled complementary error function, which does not underflow.
        t = np.maximum(-z, 1.0)
        ratio = _SQRT_HALF_PI * scipy.special.erfcx(t / math.sqrt(2.0))
        rest = -np.expm1(np.log(t) + np.log(ratio))
        tail, tail_grad = -0.5 * t * t - _LOG_SQRT_2PI + np.log(rest), ratio / rest
        in_tail = z > _ASYMPTOTIC_Z
        if bool(np.all(in_tail)):  # nothing in the far tail, the usual case
            return np.where(in_upper, upper, tail), np.where(in_upper, upper_grad, tail_grad)
        # Far tail: the asymptotic expansion, once ``rest`` has lost all precision.
        far, far_grad = -0.5 * t * t - _LOG_SQRT_2PI - 2.0 * np.log(t), t
    out = np.where(in_upper, upper, np.where(in_tail, tail, far))
    grad = np.where(in_upper, upper_grad, np.where(in_tail, tail_grad, far_grad))
    return out, grad


class Acquisition:
    """Sum of a log-improvement term and log probabilities of feasibility, to be maximized.

    Args:
        objective: The GP of the (negated, standardized) objective, or None for "feasibility only".
        best: The best (largest) standardized objective value among feasible trials.
        constraints: GPs of the standardized constraint values, with the standardized threshold of each.
    """

    has_gradient = True

    def __init__(
        self, objective: GPRegressor | None, best: float, constraints: Sequence[tuple[GPRegressor, float]] = ()
    ) -> None:
        self.objective = objective
        self.best = best
        self.constraints = list(constraints)

    def value(self, x: np.ndarray) -> np.ndarray:
        """Acquisition values at the rows of ``x``."""
        total = np.zeros(len(x))
        if self.objective is not None:
            mean, var = self.objective.posterior(x)
            sd = np.sqrt(var)
            total += np.log(sd) + log_h((mean - self.best) / sd)[0]
        for gp, threshold in self.constraints:
            mean, var = gp.posterior(x)
            total += scipy.special.log_ndtr((threshold - mean) / np.sqrt(var))
        return total

    def value_and_grad(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Acquisition values and gradients (b, d) at the rows of ``x``."""
        total = np.zeros(len(x))
        grad = np.zeros_like(x)
        if self.objective is not None:
            mean, var, dmean, dvar = self.objective.posterior_with_grad(x)
            sd = np.sqrt(var)
            dsd = dvar / (2.0 * sd[:, None])
            z = (mean - self.best) / sd
            lh, dlh = log_h(z)
            total += np.log(sd) + lh
            dz = (dmean - z[:, None] * dsd) / sd[:, None]
            grad += dsd / sd[:, None] + dlh[:, None] * dz
        for gp, threshold in self.constraints:
            mean, var, dmean, dvar = gp.posterior_with_grad(x)
            sd = np.sqrt(var)
            dsd = dvar / (2.0 * sd[:, None])
            z = (threshold - mean) / sd
            log_cdf = scipy.special.log_ndtr(z)
            total += log_cdf
            mills = np.exp(-0.5 * z * z - _LOG_SQRT_2PI - log_cdf)
            dz = (-dmean - z[:, None] * dsd) / sd[:, None]
            grad += mills[:, None] * dz
        return total, grad


LogEI = Acquisition


def non_dominated_boxes(front: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split the region below ``ref`` that ``front`` (minimized, p x m) does not dominate into boxes.

    Cells of the grid spanned by the front's coordinates are merged along the last objective, where the
    non-dominated cells of a column always form one interval, giving (p + 1) ** (m - 1) boxes at most. Returns
    (lower, upper) corners; lower corners may be -inf.
    """
    m = front.shape[1]
    grids = [np.concatenate([[-np.inf], np.unique(front[:, k])]) for k in range(m - 1)]
    uppers = [np.concatenate([g[1:], [ref[k]]]) for k, g in enumerate(grids)]
    mesh_lo = np.stack([a.ravel() for a in np.meshgrid(*grids, indexing="ij")], axis=1)
    mesh_hi = np.stack([a.ravel() for a in np.meshgrid(*uppers, indexing="ij")], axis=1)
    # A cell whose lower corner is weakly dominated (in the first m-1 objectives) by a front point is
    # non-dominated in the last objective only below that point's last coordinate.
    covers = np.all(front[None, :, : m - 1] <= mesh_lo[:, None, :], axis=2)
    top = np.min(np.where(covers, front[None, :, m - 1], ref[m - 1]), axis=1)
    top = np.minimum(top, ref[m - 1])
    keep = np.all(mesh_hi > mesh_lo, axis=1) & (top > -np.inf)
    lower = np.concatenate([mesh_lo[keep], np.full((int(keep.sum()), 1), -np.inf)], axis=1)
    upper = np.concatenate([mesh_hi[keep], top[keep, None]], axis=1)
    return lower, upper


class LogEHVI:
    """Monte Carlo log expected hypervolume improvement over independent objective GPs, plus log feasibility.

    Args:
        objectives: One GP per objective, on negated standardized values (so larger is better).
        front: The current Pareto front in the same standardized, maximized units (p x m).
        ref: The reference point, in the same units (every front point is above it).
        constraints: As in :class:`Acquisition`.
        seed: Seed of the quasi-random base samples, shared by every candidate to keep comparisons smooth.
        n_samples: Number of Monte Carlo samples.
    """

    has_gradient = False

    def value_and_grad(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Not available: the Monte Carlo estimate is searched without gradients."""
        raise NotImplementedError("LogEHVI has no gradient; check `has_gradient` first.")

    def __init__(
        self,
        objectives: Sequence[GPRegressor],
        front: np.ndarray,
        ref: np.ndarray,
        constraints: Sequence[tuple[GPRegressor, float]] = (),
        *,
        seed: int = 0,
        n_samples: int = 128,
    ) -> None:
        self.objectives = list(objectives)
        # Boxes live in the minimization frame: negate everything once here.
        self.lower, self.upper = non_dominated_boxes(-front, -ref)
        from scipy.stats import qmc  # scipy.stats takes most of a second to import: only multi-objective studies

        normal = qmc.Sobol(len(objectives), seed=seed).random(n_samples)
        self.eps = scipy.special.ndtri(np.clip(normal, 1e-6, 1 - 1e-6))
        self.feasibility = Acquisition(None, 0.0, constraints)

    def value(self, x: np.ndarray) -> np.ndarray:
        """Acquisition values at the rows of ``x``."""
        stats = [gp.posterior(x) for gp in self.objectives]
        mean = -np.stack([s[0] for s in stats], axis=1)
        sd = np.sqrt(np.stack([s[1] for s in stats], axis=1))
        total = np.zeros(len(x))
        chunk = max(1, 2_000_000 // max(1, len(self.eps) * len(self.lower) * mean.shape[1]))
        for start in range(0, len(x), chunk):
            samples = mean[start : start + chunk, None, :] + sd[start : start + chunk, None, :] * self.eps[None]
            extent = self.upper[None, None] - np.maximum(samples[:, :, None, :], self.lower[None, None])
            volume = np.prod(np.maximum(extent, 0.0), axis=3).sum(axis=2)
            total[start : start + chunk] = np.log(np.mean(volume, axis=1) + 1e-300)
        out: np.ndarray = total + self.feasibility.value(x)
        return out
