"""Exact hypervolume of a set of points (minimization) and greedy hypervolume subset selection.

Two and three objectives use vectorized sweeps; more objectives use an exact recursive slicing over the
last objective. Everything is exact (no Monte Carlo), so results are reproducible.

Example:
    >>> import numpy as np
    >>> from albacore._hypervolume import hypervolume
    >>> float(hypervolume(np.array([[1.0, 2.0], [2.0, 1.0]]), np.array([3.0, 3.0])))
    3.0
"""

from __future__ import annotations

import numpy as np

__all__ = ["hypervolume", "hypervolume_contributions_given", "select_by_hypervolume"]


def _hv2d(points: np.ndarray, ref: np.ndarray) -> float:
    if points.shape[0] == 0:
        return 0.0
    order = np.lexsort((points[:, 1], points[:, 0]))
    x = points[order, 0]
    y = points[order, 1]
    # Along increasing x only points that lower the running minimum of y add area.
    best_y = np.minimum.accumulate(y)
    prev_y = np.concatenate(([ref[1]], best_y[:-1]))
    heights = np.maximum(prev_y - best_y, 0.0)
    return float(np.sum((ref[0] - x) * heights))


def _hv2d_batched(points: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Hypervolume of each of ``b`` point sets given as a (b, n, 2) array (all inside the reference box)."""
    if points.shape[1] == 0:
        return np.zeros(points.shape[0])
    order = np.lexsort((points[:, :, 1], points[:, :, 0]), axis=-1)
    x = np.take_along_axis(points[:, :, 0], order, axis=1)
    y = np.take_along_axis(points[:, :, 1], order, axis=1)
    best_y = np.minimum.accumulate(y, axis=1)
    prev_y = np.concatenate((np.full((points.shape[0], 1), ref[1]), best_y[:, :-1]), axis=1)
    heights = np.maximum(prev_y - best_y, 0.0)
    return np.asarray(np.sum((ref[0] - x) * heights, axis=1))


def _hv_recursive(points: np.ndarray, ref: np.ndarray) -> float:
    n, m = points.shape
    if n == 0:
        return 0.0
    if m == 2:
        return _hv2d(points, ref)
    if n == 1:
        return float(np.prod(ref - points[0]))
    # Sweep the last objective: between consecutive levels the dominated region is the (m-1)-dimensional
    # hypervolume of the points already passed, times the slab thickness.
    order = np.argsort(points[:, -1], kind="stable")
    pts = points[order]
    levels = np.append(pts[:, -1], ref[-1])
    total = 0.0
    for i in range(n):
        thickness = levels[i + 1] - levels[i]
        if thickness > 0.0:
            total += thickness * _hv_recursive(pts[: i + 1, :-1], ref[:-1])
    return total


def hypervolume(points: np.ndarray, reference_point: np.ndarray) -> float:
    """Return the volume dominated by ``points`` (n x m, minimized) and bounded by ``reference_point``.

    Points that do not strictly dominate the reference point add nothing.
    """
    points = np.asarray(points, dtype=float)
    ref = np.asarray(reference_point, dtype=float)
    if points.ndim != 2 or points.shape[1] != ref.shape[0]:
        raise ValueError(f"`points` must be an (n, {ref.shape[0]}) array, got shape {points.shape}.")
    inside = np.all(points < ref, axis=1)
    points = points[inside]
    if points.shape[0] == 0:
        return 0.0
    if ref.shape[0] == 1:
        return float(ref[0] - points[:, 0].min())
    return _hv_recursive(points, ref)


def hypervolume_contributions_given(
    candidates: np.ndarray, selected: np.ndarray, reference_point: np.ndarray
) -> np.ndarray:
    """Return, for each candidate, how much hypervolume it adds to the set ``selected``.

    The gain of ``p`` is the volume of its box minus the part already dominated by ``selected``, which is the
    hypervolume of the points ``max(p, s)`` for ``s`` in ``selected`` inside the box of ``p``.
    """
    ref = np.asarray(reference_point, dtype=float)
    cand = np.minimum(np.asarray(candidates, dtype=float), ref)
    box = np.prod(ref - cand, axis=1)
    if selected.shape[0] == 0:
        return np.asarray(box)
    clipped = np.maximum(cand[:, None, :], np.asarray(selected, dtype=float)[None, :, :])
    clipped = np.minimum(clipped, ref)
    covered = _hv2d_batched(clipped, ref) if ref.shape[0] == 2 else np.array([hypervolume(c, ref) for c in clipped])
    return np.asarray(np.maximum(box - covered, 0.0))


def select_by_hypervolume(points: np.ndarray, k: int, reference_point: np.ndarray) -> np.ndarray:
    """Greedily pick ``k`` row indices of ``points`` that add the most hypervolume, one at a time.

    Ties (for example duplicate points, whose second copy adds nothing) go to the lower index, so the choice
    is deterministic.
    """
    n = points.shape[0]
    if k >= n:
        return np.arange(n)
    chosen: list[int] = []
    remaining = np.arange(n)
    for _ in range(k):
        gains = hypervolume_contributions_given(points[remaining], points[chosen], reference_point)
        best = int(np.argmax(gains))
        chosen.append(int(remaining[best]))
        remaining = np.delete(remaining, best)
    return np.array(chosen, dtype=int)
