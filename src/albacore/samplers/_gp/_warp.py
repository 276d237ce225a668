"""Output warping: a monotone transform of the objective that makes heavy-tailed values easier to model.

Objectives such as Rosenbrock's, or a validation loss that explodes for bad learning rates, span orders of
magnitude: a GP fitted to the raw values spends its whole output scale on the few disastrous trials and sees the
region near the best as flat. The warp measures each value by its distance ``d`` from the best one seen and maps
it to ``-log1p(d / s)``, which keeps the order of the trials (so the best trial stays the best) and compresses
the tail. The scale ``s`` is chosen by maximum likelihood, as in the Box-Cox method: the warped values are
scored as a Gaussian sample, plus the log-Jacobian of the warp, and the identity competes on the same footing.
Values that are already Gaussian-looking (Ackley, Hartmann) keep the identity or a mild warp; heavy tails get
a strong one.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["warp_gains"]

# Candidate scales, as multiples of the median distance from the best value; the identity is a candidate too.
_SCALE_MULTIPLES = (1.0, 10.0)


def _gaussian_log_likelihood(z: np.ndarray) -> float:
    # Profile likelihood of a Gaussian sample (mean and variance at their estimates), up to a constant.
    var = float(np.var(z))
    return -0.5 * len(z) * math.log(var) if var > 0.0 else -math.inf


def warp_gains(gains: np.ndarray) -> np.ndarray:
    """Return a monotone (order-preserving) transform of ``gains`` (larger is better) chosen by likelihood.

    Args:
        gains: Objective values in the maximization frame, shape (n,).

    Returns:
        The warped values, shape (n,); the caller standardizes them.
    """
    d = float(np.max(gains)) - gains
    reference = float(np.median(d))
    if len(gains) < 3 or reference <= 0.0 or not np.isfinite(reference):
        return gains
    best = gains
    best_score = _gaussian_log_likelihood(d)
    for multiple in _SCALE_MULTIPLES:
        s = reference * multiple
        z = -np.log1p(d / s)
        # log |dz/dd| = -log(s + d); the identity's Jacobian is 1.
        score = _gaussian_log_likelihood(z) - float(np.sum(np.log(s + d)))
        if score > best_score:
            best, best_score = z, score
    return best
