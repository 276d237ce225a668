"""Maximize an acquisition function over the encoded box: random screening, batched BFGS, discrete search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from albacore.samplers._gp._box_bfgs import maximize_in_box

__all__ = ["optimize_acquisition"]

_GRADIENT_STEPS = 12
_MAX_EXHAUSTIVE_VALUES = 32
_CONTINUOUS_GRID_SIZE = 33  # discrete numeric columns with more points are optimized as continuous, then snapped
_REPEAT_TOLERANCE = 1e-4
"""Closer than this to an evaluated point in every continuous column (of the encoded box) is a repeat."""
_STEP_OFF_SCALES = (0.003, 0.01, 0.03, 0.1)
_STEP_OFF_PER_SCALE = 64
"""A repeat is replaced by the best of this many Gaussian steps per scale (in the encoded box) around it."""


class _Acquisition(Protocol):
    @property
    def has_gradient(self) -> bool: ...

    def value(self, x: np.ndarray) -> np.ndarray: ...

    def value_and_grad(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


def snap(x: np.ndarray, n_choices: np.ndarray, is_categorical: np.ndarray) -> np.ndarray:
    """Move discrete numeric columns to the centre of their grid cell; categorical indices to integers."""
    out: np.ndarray = x.copy()
    grid = (n_choices > 0) & ~is_categorical
    if grid.any():
        n = n_choices[grid].astype(float)
        out[:, grid] = (np.minimum(np.floor(np.clip(x[:, grid], 0.0, 1.0) * n), n - 1) + 0.5) / n
    cat = is_categorical
    if cat.any():
        out[:, cat] = np.clip(np.rint(x[:, cat]), 0, n_choices[cat] - 1)
    return out


def _random_points(n: int, n_choices: np.ndarray, is_categorical: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    u = rng.random((n, len(n_choices)))
    u[:, is_categorical] = np.floor(u[:, is_categorical] * n_choices[is_categorical])
    return snap(u, n_choices, is_categorical)


def _gradient_search(acqf: _Acquisition, starts: np.ndarray, free: np.ndarray) -> np.ndarray:
    if free.all():
        return maximize_in_box(acqf.value_and_grad, starts, _GRADIENT_STEPS)

    def on_free_columns(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = starts.copy()
        x[:, free] = z
        values, grads = acqf.value_and_grad(x)
        return values, grads[:, free]

    out: np.ndarray = starts.copy()
    out[:, free] = maximize_in_box(on_free_columns, starts[:, free], _GRADIENT_STEPS)
    return out


def _column_values(n: int, current: float, categorical: bool) -> np.ndarray:
    values = np.arange(n, dtype=float) if categorical else (np.arange(n) + 0.5) / n
    if n <= _MAX_EXHAUSTIVE_VALUES:
        return values
    position = int(current) if categorical else int(current * n)
    lo = max(0, position - _MAX_EXHAUSTIVE_VALUES // 2)
    return values[lo : lo + _MAX_EXHAUSTIVE_VALUES]


def _discrete_search(
    acqf: _Acquisition, points: np.ndarray, scores: np.ndarray, n_choices: np.ndarray, is_categorical: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinate search over every discrete column, trying all (or the nearest) values of each in turn."""
    columns = np.flatnonzero(n_choices > 0)
    for _ in range(2):
        improved = False
        for col in columns:
            per_point = [_column_values(int(n_choices[col]), float(p[col]), bool(is_categorical[col])) for p in points]
            owner = np.repeat(np.arange(len(points)), [len(v) for v in per_point])
            trial = points[owner]
            trial[:, col] = np.concatenate(per_point)
            trial_scores = acqf.value(trial)
            for i in range(len(points)):
                mine = np.flatnonzero(owner == i)
                j = mine[int(np.argmax(trial_scores[mine]))]
                if trial_scores[j] > scores[i]:
                    points[i], scores[i] = trial[j], trial_scores[j]
                    improved = True
        if not improved:
            break
    return points, scores


def _perturbation_search(
    acqf: _Acquisition,
    points: np.ndarray,
    scores: np.ndarray,
    n_choices: np.ndarray,
    is_categorical: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient-free local search by shrinking Gaussian perturbations, for acquisitions without gradients."""
    numeric = ~is_categorical
    for scale in (0.1, 0.03, 0.01, 0.003):
        for _ in range(2):
            noise = rng.normal(scale=scale, size=(8, *points.shape)) * numeric
            trial = snap(
                np.clip(points[None] + noise, 0.0, 1.0).reshape(-1, points.shape[1]), n_choices, is_categorical
            )
            trial_scores = acqf.value(trial).reshape(8, len(points))
            best = np.argmax(trial_scores, axis=0)
            better = trial_scores[best, np.arange(len(points))] > scores
            idx = np.flatnonzero(better)
            points[idx] = trial.reshape(8, len(points), -1)[best[idx], idx]
            scores[idx] = trial_scores[best[idx], idx]
    return points, scores


def optimize_acquisition(
    acqf: _Acquisition,
    n_choices: np.ndarray,
    is_categorical: np.ndarray,
    rng: np.random.Generator,
    *,
    warm_starts: np.ndarray | None = None,
    avoid: np.ndarray | None = None,
    canonical: Callable[[np.ndarray], np.ndarray] | None = None,
    n_preliminary: int = 2048,
    n_local: int = 10,
) -> np.ndarray:
    """Return the encoded point with the largest acquisition found.

    Args:
        acqf: The acquisition (``value``; ``value_and_grad`` when ``has_gradient``).
        n_choices: Per column, the number of grid points or choices (0 for continuous).
        is_categorical: Per column, whether it holds a categorical index.
        rng: Random generator for the screening points.
        warm_starts: Points always used as starting points (the best trials so far).
        avoid: Points already evaluated (or being evaluated); the result repeats none of them when it can (see
            ``_step_off``).
        canonical: Maps candidate rows to the form of ``avoid`` before they are compared (identity if None).
        n_preliminary: Number of random screening points.
        n_local: Number of starting points refined by local search.
    """
    candidates = _random_points(n_preliminary, n_choices, is_categorical, rng)
    if warm_starts is not None and len(warm_starts):
        candidates = np.vstack([snap(warm_starts, n_choices, is_categorical), candidates])
    scores = acqf.value(candidates)
    chosen = [int(i) for i in np.argsort(-scores)[: max(1, n_local - 1)]]
    if warm_starts is not None and len(warm_starts):
        chosen += [i for i in range(min(len(warm_starts), 2)) if i not in chosen]
    starts = candidates[chosen]
    start_scores = scores[chosen]
    free = ~is_categorical & ((n_choices == 0) | (n_choices > _CONTINUOUS_GRID_SIZE))
    if acqf.has_gradient and free.any():
        refined = snap(_gradient_search(acqf, starts, free), n_choices, is_categorical)
        refined_scores = acqf.value(refined)
        better = refined_scores > start_scores
        starts[better], start_scores[better] = refined[better], refined_scores[better]
    elif not acqf.has_gradient:
        starts, start_scores = _perturbation_search(acqf, starts, start_scores, n_choices, is_categorical, rng)
    starts, start_scores = _discrete_search(acqf, starts, start_scores, n_choices, is_categorical)
    best: np.ndarray = starts[int(np.argmax(start_scores))]
    if avoid is None or not len(avoid):
        return best
    canon = canonical or (lambda x: x)
    tolerance = _repeat_tolerances(n_choices, is_categorical)
    if not _repeats(canon(best[None, :]), avoid, tolerance)[0]:
        return best
    # The acquisition peaks at a point already evaluated: the GP believes nothing else is worth a trial, and
    # evaluating the same point again would teach it nothing. Where the space has continuous columns, step off
    # to the best point nearby; in a fully discrete space, take the best new point found.
    if free.any():
        return _step_off(acqf, best, avoid, canon, tolerance, free, n_choices, is_categorical, rng)
    for points, point_scores in ((starts, start_scores), (candidates, scores)):
        order = np.argsort(-point_scores)
        new = order[~_repeats(canon(points[order]), avoid, tolerance)]
        if len(new):
            found: np.ndarray = points[new[0]]
            return found
    return best


def _step_off(
    acqf: _Acquisition,
    point: np.ndarray,
    avoid: np.ndarray,
    canonical: Callable[[np.ndarray], np.ndarray],
    tolerance: np.ndarray,
    free: np.ndarray,
    n_choices: np.ndarray,
    is_categorical: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """The best point of Gaussian steps around ``point`` (in its continuous columns) that repeats nothing.

    Measured at 30 seeds x 100 trials against re-evaluating the repeat: Branin mean regret 0.019 -> 1.2e-5 and
    Hartmann6 0.10 -> 0.048 (runs that had repeated one point for dozens of trials), Levy, Styblinski-Tang and
    the median on Rosenbrock unchanged, Ackley-10 9.4 -> 10.5. Taking the runner-up of the acquisition search
    instead, often far away, cost Ackley-10 more (11.9), and so did raising the improvement threshold (11.3).
    """
    steps = rng.normal(size=(len(_STEP_OFF_SCALES), _STEP_OFF_PER_SCALE, len(point)))
    steps *= np.asarray(_STEP_OFF_SCALES)[:, None, None]
    nearby = snap(np.clip(point + steps * free, 0.0, 1.0).reshape(-1, len(point)), n_choices, is_categorical)
    nearby = nearby[~_repeats(canonical(nearby), avoid, tolerance)]
    if not len(nearby):
        return point
    stepped: np.ndarray = nearby[int(np.argmax(acqf.value(nearby)))]
    return stepped


def _repeat_tolerances(n_choices: np.ndarray, is_categorical: np.ndarray) -> np.ndarray:
    """Per column, how close counts as the same value: within a fraction of a grid cell, or equal indices."""
    tolerance = np.full(len(n_choices), _REPEAT_TOLERANCE)
    grid = (n_choices > 0) & ~is_categorical
    tolerance[grid] = np.minimum(_REPEAT_TOLERANCE, 0.25 / n_choices[grid])
    tolerance[is_categorical] = 0.0
    return tolerance


def _repeats(points: np.ndarray, others: np.ndarray, tolerance: np.ndarray) -> np.ndarray:
    """For each row of ``points``, whether it is within ``tolerance`` (per column) of a row of ``others``."""
    close: np.ndarray = np.all(np.abs(points[:, None, :] - others[None, :, :]) <= tolerance, axis=2)
    return np.asarray(close.any(axis=1))
