"""Truncated normal arithmetic on the unit interval, done in log space so far tails stay finite.

Example:
    >>> import numpy as np
    >>> from albacore.samplers._tpe._kernels import log_normal_mass
    >>> float(np.exp(log_normal_mass(np.array([-np.inf]), np.array([np.inf]))[0]))
    1.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["log_normal_mass", "log_truncated_normal_mass", "sample_truncated_normal"]

_HALF_LOG_2PI = 0.5 * np.log(2.0 * np.pi)
_SMALLEST_UNIFORM = 1e-300


def _special() -> Any:  # scipy ships no type information
    # scipy.special takes a third of `import albacore`: it is loaded once a TPE model is first fitted.
    import scipy.special

    return scipy.special


def log_normal_mass(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return log(Phi(b) - Phi(a)) elementwise for a <= b, accurate even when both lie deep in one tail."""
    # Mirror intervals on the positive side into the negative tail, where Phi keeps its relative precision.
    flip = a > 0.0
    lo = np.where(flip, -b, a)
    hi = np.where(flip, -a, b)
    special = _special()
    log_hi = special.log_ndtr(hi)
    log_lo = special.log_ndtr(lo)
    with np.errstate(divide="ignore"):
        return np.asarray(log_hi + np.log1p(-np.exp(log_lo - log_hi)))


def log_truncated_normal_mass(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Return log of the mass a normal N(mu, sigma) puts on [0, 1] (the truncation normalizer)."""
    a = (0.0 - mu) / sigma
    b = (1.0 - mu) / sigma
    ndtr = _special().ndtr
    plain = ndtr(b) - ndtr(a)
    # The direct difference is exact enough unless the interval lies in a far tail; redo only those in log space.
    safe = plain > 1e-8
    if np.all(safe):
        return np.asarray(np.log(plain))
    out = np.empty_like(plain)
    out[safe] = np.log(plain[safe])
    out[~safe] = log_normal_mass(a[~safe], b[~safe])
    return np.asarray(out)


def sample_truncated_normal(mu: np.ndarray, sigma: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Map uniforms in [0, 1) to draws of N(mu, sigma) truncated to [0, 1] by the inverse CDF, in log space."""
    a = (0.0 - mu) / sigma
    b = (1.0 - mu) / sigma
    flip = a > 0.0
    lo = np.where(flip, -b, a)
    hi = np.where(flip, -a, b)
    special = _special()
    log_lo = special.log_ndtr(lo)
    log_hi = special.log_ndtr(hi)
    u = np.clip(uniform, _SMALLEST_UNIFORM, 1.0)
    # Phi^-1(Phi(lo) + u (Phi(hi) - Phi(lo))), with the sum written relative to Phi(hi) to stay in log space.
    log_p = log_hi + np.log(u + (1.0 - u) * np.exp(log_lo - log_hi))
    z = special.ndtri_exp(np.minimum(log_p, 0.0))
    z = np.where(flip, -z, z)
    return np.asarray(np.clip(mu + sigma * z, 0.0, 1.0))
