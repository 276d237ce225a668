"""Survivor selection of NSGA-II (crowding distance) and NSGA-III (reference points), with constraints.

Losses are minimized (n x m). Constrained domination (Deb, 2000): a feasible individual beats an infeasible one,
two infeasible individuals compare by total violation, and feasible ones by Pareto dominance.
"""

from __future__ import annotations

import itertools

import numpy as np

from albacore._pareto import is_pareto_front

__all__ = [
    "constrained_fronts",
    "crowding_distance",
    "das_dennis_points",
    "select_by_crowding",
    "select_by_reference_points",
]


def constrained_fronts(loss: np.ndarray, violation: np.ndarray) -> list[np.ndarray]:
    """Split the rows into ranked fronts (indices), best first, under constrained domination."""
    fronts: list[np.ndarray] = []
    remaining = np.flatnonzero(violation <= 0.0)
    if loss.shape[1] == 1:
        # One objective: the fronts are the groups of equal values, in increasing order.
        values = loss[remaining, 0]
        levels, inverse = np.unique(values, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        fronts += np.split(remaining[order], np.cumsum(np.bincount(inverse, minlength=len(levels)))[:-1])
        remaining = remaining[:0]
    while remaining.size:
        mask = is_pareto_front(loss[remaining])
        fronts.append(remaining[mask])
        remaining = remaining[~mask]
    infeasible = np.flatnonzero(violation > 0.0)
    for level in np.unique(violation[infeasible]):
        fronts.append(infeasible[violation[infeasible] == level])
    return fronts


def crowding_distance(loss: np.ndarray) -> np.ndarray:
    """Crowding distance of each row within its front; boundary points get infinity."""
    n, m = loss.shape
    distance = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for k in range(m):
        order = np.argsort(loss[:, k], kind="stable")
        values = loss[order, k]
        span = values[-1] - values[0]
        distance[order[[0, -1]]] = np.inf
        if span > 0:
            distance[order[1:-1]] += (values[2:] - values[:-2]) / span
    return distance


def select_by_crowding(loss: np.ndarray, violation: np.ndarray, k: int, rng: np.random.RandomState) -> np.ndarray:
    """NSGA-II: fill with whole fronts, then the least crowded members of the front that does not fit."""
    chosen: list[int] = []
    for front in constrained_fronts(loss, violation):
        if len(chosen) + len(front) <= k:
            chosen += front.tolist()
            continue
        distance = crowding_distance(loss[front])
        # Random tie-breaking keeps equal-distance points from always losing to the lower index.
        order = np.lexsort((rng.rand(len(front)), -distance))
        chosen += front[order[: k - len(chosen)]].tolist()
        break
    return np.asarray(chosen, dtype=np.int64)


def das_dennis_points(n_objectives: int, dividing_parameter: int) -> np.ndarray:
    """Uniformly spaced points on the unit simplex (Das and Dennis, 1998)."""
    points = []
    for bars in itertools.combinations(range(dividing_parameter + n_objectives - 1), n_objectives - 1):
        edges = (-1, *bars, dividing_parameter + n_objectives - 1)
        points.append([edges[i + 1] - edges[i] - 1 for i in range(n_objectives)])
    return np.asarray(points, dtype=float) / max(dividing_parameter, 1)


def _normalize(loss: np.ndarray, front0: np.ndarray) -> np.ndarray:
    ideal = loss.min(axis=0)
    shifted = loss - ideal
    m = loss.shape[1]
    weights = np.full((m, m), 1e-6) + np.eye(m) * (1.0 - 1e-6)
    extreme = shifted[np.argmin(np.max(shifted[:, None, :] / weights[None], axis=2), axis=0)]
    try:
        intercepts = 1.0 / np.linalg.solve(extreme, np.ones(m))
        valid = bool(np.all(np.isfinite(intercepts)) and np.all(intercepts > 1e-10))
    except np.linalg.LinAlgError:
        valid = False
    if not valid:
        intercepts = np.max(shifted[front0], axis=0)
    intercepts = np.where(intercepts > 1e-10, intercepts, 1.0)
    out: np.ndarray = shifted / intercepts
    return out


def select_by_reference_points(
    loss: np.ndarray, violation: np.ndarray, k: int, reference_points: np.ndarray, rng: np.random.RandomState
) -> np.ndarray:
    """NSGA-III: fill with whole fronts, then niche-preserving choices around the reference directions."""
    fronts = constrained_fronts(loss, violation)
    chosen: list[int] = []
    last: np.ndarray | None = None
    for front in fronts:
        if len(chosen) + len(front) <= k:
            chosen += front.tolist()
            if len(chosen) == k:
                break
            continue
        last = front
        break
    if last is None:
        return np.asarray(chosen, dtype=np.int64)
    pool = np.asarray(chosen + last.tolist(), dtype=np.int64)
    normalized = _normalize(loss[pool], np.arange(len(fronts[0])) if len(chosen) else np.arange(len(pool)))
    directions = reference_points / np.maximum(np.linalg.norm(reference_points, axis=1, keepdims=True), 1e-12)
    projections = normalized @ directions.T
    distances = np.linalg.norm(normalized[:, None, :] - projections[:, :, None] * directions[None], axis=2)
    niche = np.argmin(distances, axis=1)
    niche_distance = distances[np.arange(len(pool)), niche]
    counts = np.bincount(niche[: len(chosen)], minlength=len(directions))
    candidates = list(range(len(chosen), len(pool)))
    open_refs = np.ones(len(directions), dtype=bool)
    while len(chosen) < k:
        available = np.where(open_refs, counts, np.iinfo(np.int64).max)
        smallest = np.flatnonzero(available == available.min())
        ref = int(rng.choice(smallest))
        members = [c for c in candidates if niche[c] == ref]
        if not members:
            open_refs[ref] = False
            continue
        pick = min(members, key=lambda c: niche_distance[c]) if counts[ref] == 0 else int(rng.choice(members))
        chosen.append(int(pool[pick]))
        candidates.remove(pick)
        counts[ref] += 1
    return np.asarray(chosen, dtype=np.int64)
