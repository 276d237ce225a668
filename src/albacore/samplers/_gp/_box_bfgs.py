"""Projected BFGS over a batch of independent starting points in the unit box, one evaluation per step for all.

The acquisition's value at one point does not depend on the others, so every starting point is its own problem
with its own inverse-Hessian estimate, step length and stopping test. scipy's L-BFGS-B solves one problem at a
time: run on the concatenated points it shares one line search among all of them. Measured on the GP's searches
(Branin, Hartmann6, Ackley-10 and Styblinski-Tang-8, 60 trials each), its 20 iterations ended more than 0.1 (in
log EI) below the best optimum found for 44% of the searches; 12 steps here did so for 4%, in 40% of the time.

Bounds follow the two-metric projection method (Bertsekas, 1982): a coordinate at a bound whose gradient pushes
outward is held, the quasi-Newton step is taken in the others and projected back into the box. A step that
fails the Armijo test is not taken and that point's next step is half as long, so every step of every point
costs exactly one evaluation, shared with the other points.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["maximize_in_box"]

_ARMIJO = 1e-4
_GRADIENT_TOLERANCE = 1e-5
_MIN_STEP = 1e-6
_MIN_CURVATURE = 1e-12

ValueAndGrad = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def maximize_in_box(value_and_grad: ValueAndGrad, starts: np.ndarray, max_steps: int) -> np.ndarray:
    """Climb from each row of ``starts`` within [0, 1]^d and return where each ended.

    Args:
        value_and_grad: Values (b,) and gradients (b, d) of the function at the rows of a (b, d) array.
        starts: Starting points (b, d) in the box.
        max_steps: Evaluations after the first one, at most.
    """
    # Every array here is small (points x dimensions), so the cost is the number of numpy calls: each line
    # works on the whole batch, and points that stopped are masked rather than cut out.
    x = np.minimum(np.maximum(starts, 0.0), 1.0)
    b, d = x.shape
    # Minimize the negated function, so that the textbook formulas apply as written.
    values, grads = value_and_grad(x)
    f, g = -values, -grads
    h = np.broadcast_to(np.eye(d), (b, d, d)).copy()
    first = np.ones(b, dtype=bool)  # no curvature pair yet: ``h`` is still the identity
    running = np.isfinite(f)
    # The first step follows the gradient for at most a tenth of the box; later ones take the full
    # quasi-Newton step, halved after every rejection.
    step = 0.1 / np.maximum(np.abs(g).max(axis=1), 1e-12)
    for _ in range(max_steps):
        # Held: at a bound, with the descent direction pointing out of the box (g == 0 moves nothing anyway).
        moving = ~np.where(g > 0.0, x <= 0.0, x >= 1.0)
        projected = g * moving
        running &= np.abs(projected).max(axis=1) > _GRADIENT_TOLERANCE
        if not running.any():
            break
        # h @ projected is the reduced quasi-Newton step on the moving coordinates; the held ones stay put.
        direction = np.matmul(h, projected[:, :, None])[:, :, 0]
        direction *= moving * (step * running)[:, None]
        trial = np.minimum(np.maximum(x - direction, 0.0), 1.0)
        values, grads = value_and_grad(trial)
        trial_f = -values
        s = trial - x
        accepted = running & (trial_f <= f + _ARMIJO * (g * s).sum(axis=1))  # False for NaN
        y = -grads - g
        sy = (s * y).sum(axis=1)
        update = accepted & (sy > _MIN_CURVATURE)
        if update.any():
            _update_inverse_hessians(h, update, first, s, y, sy)
        x = np.where(accepted[:, None], trial, x)
        f = np.where(accepted, trial_f, f)
        g = np.where(accepted[:, None], -grads, g)
        step = np.where(accepted, np.where(first, step, 1.0), 0.5 * step)
        running &= step > _MIN_STEP
    ended: np.ndarray = x
    return ended


def _update_inverse_hessians(
    h: np.ndarray, update: np.ndarray, first: np.ndarray, s: np.ndarray, y: np.ndarray, sy: np.ndarray
) -> None:
    """BFGS updates, in place, of the inverse Hessians where ``update``; a first update is scaled (N-W 6.20)."""
    rho = update / np.where(update, sy, 1.0)  # 0 leaves a row unchanged
    starting = update & first
    if starting.any():
        h *= np.where(starting, sy / np.where(starting, (y * y).sum(axis=1), 1.0), 1.0)[:, None, None]
        first &= ~update
    hy = np.matmul(h, y[:, :, None])[:, :, 0]
    # H + (rho + rho^2 y'Hy) s s' - rho (s (Hy)' + Hy s'), written as s a' - rho Hy s' with a = c s - rho Hy.
    a = (rho * rho * (y * hy).sum(axis=1) + rho)[:, None] * s - rho[:, None] * hy
    h += s[:, :, None] * a[:, None, :]
    h -= (rho[:, None] * hy)[:, :, None] * s[:, None, :]
