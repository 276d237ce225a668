"""Splitting finished trials into the good ("below") and the rest ("above").

The order, best first: feasible COMPLETE trials by objective (several objectives: by non-domination rank,
the last front needed cut by greedy hypervolume contribution); feasible PRUNED trials, the ones that reached a
later step first, then by their value there; PRUNED trials that never reported; infeasible trials by total
constraint violation. Ties go to the earlier trial, so the split is deterministic.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from albacore._hypervolume import select_by_hypervolume
from albacore.samplers._nsga._selection import crowding_distance
from albacore.samplers._tpe._observations import TIER_COMPLETE, Observations

__all__ = [
    "BelowSplit",
    "age_ramp",
    "default_gamma",
    "default_gamma_multi_objective",
    "default_weights",
    "hyperopt_default_gamma",
    "select_best",
    "split_below",
]


def default_gamma(n: int) -> int:
    """Number of good trials among ``n`` for one objective: 10 %, rounded up, at most 25."""
    return min(math.ceil(0.1 * n), 25)


def hyperopt_default_gamma(n: int) -> int:
    """Number of good trials among ``n`` in Hyperopt's TPE: a quarter of the square root, rounded up, at most 25."""
    return min(math.ceil(0.25 * math.sqrt(n)), 25)


def default_gamma_multi_objective(n: int) -> int:
    """Number of good trials among ``n`` for several objectives: 10 %, rounded up."""
    return math.ceil(0.1 * n)


@functools.lru_cache(maxsize=64)
def default_weights(n: int) -> np.ndarray:
    """Weights of ``n`` observations ordered oldest first: the 25 newest weigh 1, older ones ramp up from 1/n.

    The array is cached and read-only.
    """
    weights = np.ones(n) if n < 25 else np.concatenate((np.linspace(1.0 / n, 1.0, num=n - 25), np.ones(25)))
    weights.setflags(write=False)
    return weights


_counting = np.arange(0.0)


def age_ramp(n: int) -> np.ndarray:
    """Return a new array equal, bit for bit, to ``default_weights(n)``, without the cache.

    Used for long studies, whose ``n`` changes every trial (a cache would only churn): the ramp is computed as
    ``np.linspace`` computes it, ``start + i * step`` for each ``i`` with the last value set to the end point,
    into one fresh array.
    """
    global _counting
    weights = np.empty(n)
    ramp = n - 25
    if ramp > 1:
        if _counting.size < ramp:
            _counting = np.arange(float(max(ramp, 2 * _counting.size)))
        start = 1.0 / n
        step = (1.0 - start) / (ramp - 1)
        np.multiply(_counting[:ramp], step, out=weights[:ramp])
        weights[:ramp] += start
        weights[ramp - 1] = 1.0
    elif ramp == 1:
        weights[0] = 1.0 / n
    weights[max(ramp, 0) :] = 1.0
    return weights


def _smallest(loss: np.ndarray, numbers: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` smallest losses, ties at the cut going to the lower trial numbers, in O(n)."""
    if k >= loss.size:
        return np.arange(loss.size)
    cut = np.partition(loss, k - 1)[k - 1]
    inside = np.nonzero(loss < cut)[0]
    tied = np.nonzero(loss == cut)[0]
    tied = tied[np.argsort(numbers[tied], kind="stable")[: k - inside.size]]
    return np.concatenate((inside, tied))


def _front_ranks_until(loss: np.ndarray, needed: int) -> tuple[np.ndarray, int]:
    """Assign non-domination ranks (0 = Pareto front) until at least ``needed`` rows are ranked.

    Returns the ranks (-1 for rows left unranked) and the rank of the last front assigned.
    """
    n = loss.shape[0]
    ranks = np.full(n, -1)
    remaining = np.arange(n)
    rank = -1
    ranked = 0
    while ranked < needed and remaining.size:
        rank += 1
        front = _pareto_mask(loss[remaining])
        ranks[remaining[front]] = rank
        ranked += int(front.sum())
        remaining = remaining[~front]
    return ranks, rank


def _pareto_mask(loss: np.ndarray) -> np.ndarray:
    n, m = loss.shape
    if m == 2:
        # Sorted by the first objective (then the second), a row is on the front exactly when its second
        # objective is below that of every earlier row.
        order = np.lexsort((loss[:, 1], loss[:, 0]))
        x = loss[order, 0]
        y = loss[order, 1]
        # Exact duplicates do not dominate each other, so compare with rows before a row's duplicate group.
        starts = np.ones(n, dtype=bool)
        starts[1:] = (x[1:] != x[:-1]) | (y[1:] != y[:-1])
        group_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
        min_before = np.concatenate(([np.inf], np.minimum.accumulate(y)))
        on_front = y < min_before[group_start]
        mask = np.zeros(n, dtype=bool)
        mask[order] = on_front
        return mask
    from albacore._pareto import is_pareto_front

    return np.asarray(is_pareto_front(loss))


def _reference_point(loss: np.ndarray) -> np.ndarray:
    worst = loss.max(axis=0)
    best = loss.min(axis=0)
    return np.asarray(worst + np.maximum(0.1 * (worst - best), 1e-12 * np.maximum(np.abs(worst), 1.0)))


def select_best(loss: np.ndarray, numbers: np.ndarray, k: int, *, hypervolume_cut: bool = True) -> np.ndarray:
    """Return the row indices of the ``k`` best rows of ``loss`` (n x m, minimized).

    One objective: the ``k`` smallest. Several: whole non-domination fronts, best first, and the last front that
    does not fit whole cut by greedy hypervolume contribution (or, with ``hypervolume_cut`` False, by crowding
    distance, which costs O(m n log n) where the greedy cut grows steeply with three or more objectives). Ties go
    to the lower ``numbers``.
    """
    n = loss.shape[0]
    k = max(0, min(k, n))
    if k == n:
        return np.arange(n)
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    if loss.shape[1] == 1:
        return _smallest(loss[:, 0], numbers, k)
    ranks, last = _front_ranks_until(loss, k)
    inner = np.nonzero((ranks >= 0) & (ranks < last))[0]
    last_front = np.nonzero(ranks == last)[0]
    needed = k - inner.size
    if needed < last_front.size:
        last_front = last_front[np.argsort(numbers[last_front], kind="stable")]
        if hypervolume_cut:
            # Only part of the last front fits: keep the rows that add the most hypervolume, in trial order.
            picked = select_by_hypervolume(loss[last_front], needed, _reference_point(loss[last_front]))
        else:
            picked = np.argsort(-crowding_distance(loss[last_front]), kind="stable")[:needed]
        last_front = last_front[picked]
    return np.concatenate((inner, last_front))


def split_below(obs: Observations, n_below: int) -> np.ndarray:
    """Return a boolean mask over the rows of ``obs`` marking the ``n_below`` best trials."""
    n = len(obs)
    below = np.zeros(n, dtype=bool)
    n_below = max(0, min(n_below, n))
    if n_below == 0:
        return below
    tiers = obs.tiers.view
    keys = obs.keys.view
    numbers = obs.numbers.view
    complete = np.nonzero(tiers == TIER_COMPLETE)[0]
    best = complete[select_best(obs.losses.view[complete], numbers[complete], n_below)]
    below[best] = True
    needed = n_below - best.size
    if needed > 0:
        rest = np.nonzero(tiers != TIER_COMPLETE)[0]
        order = rest[np.lexsort((numbers[rest], keys[rest, 1], keys[rest, 0], tiers[rest]))]
        below[order[:needed]] = True
    return below


class BelowSplit:
    """:func:`split_below` kept up to date from one trial to the next.

    With one objective, once the ``k`` best COMPLETE rows are known, the best ``k`` (or fewer) after more rows
    arrive are among those and the new rows: only they are ranked again, by the same rule (smallest loss, ties
    to the lower trial number), so the rows chosen are those :func:`split_below` chooses. Whenever that does not
    apply (several objectives, more good trials than last time, fewer COMPLETE trials than good ones), the
    whole table is split again.
    """

    def __init__(self) -> None:
        self._rows_seen = 0
        self._best = np.zeros(0, dtype=np.intp)  # the best COMPLETE rows when the last split took only those
        self._k = 0  # how many they are; 0 when the last split is of no use to the next

    def split(self, obs: Observations, n_below: int) -> np.ndarray:
        """Return the mask of ``split_below(obs, n_below)``; ``obs`` is the table of the earlier calls, grown."""
        n = len(obs)
        n_below = max(0, min(n_below, n))
        below = np.zeros(n, dtype=bool)
        if obs.losses.view.shape[1] == 1 and 0 < n_below <= self._k and self._rows_seen <= n:
            start = self._rows_seen
            fresh = start + np.nonzero(obs.tiers.view[start:] == TIER_COMPLETE)[0]
            candidates = np.concatenate((self._best, fresh))
            picked = _smallest(obs.losses.view[candidates, 0], obs.numbers.view[candidates], n_below)
            if picked.size == n_below:
                self._best, self._k, self._rows_seen = candidates[picked], n_below, n
                below[self._best] = True
                return below
        below = split_below(obs, n_below)
        self._rows_seen = n
        self._best = np.nonzero(below)[0]
        only_complete = bool(np.all(obs.tiers.view[self._best] == TIER_COMPLETE))
        self._k = n_below if obs.losses.view.shape[1] == 1 and only_complete else 0
        return below
