"""Pareto ranks, fronts and hypervolume for the plots, on arrays of minimised objective values."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

from albacore._hypervolume import hypervolume, hypervolume_contributions_given
from albacore._pareto import is_pareto_front, to_minimization
from albacore.study import StudyDirection

__all__ = ["hypervolume", "hypervolume_gain", "is_pareto_front", "minimized", "pareto_ranks"]


def hypervolume_gain(point: np.ndarray, front: np.ndarray, reference_point: np.ndarray) -> float:
    """How much hypervolume ``point`` adds to the set ``front`` (all minimised, within ``reference_point``)."""
    return float(hypervolume_contributions_given(point[None, :], front, reference_point)[0])


def minimized(values: np.ndarray, directions: Sequence[StudyDirection]) -> np.ndarray:
    """Objective values with maximised columns negated, so that smaller is better in each."""
    return to_minimization(values, directions)


def pareto_ranks(loss: np.ndarray) -> np.ndarray:
    """The non-domination rank of each row of ``loss`` (n x m, minimised): 0 for the Pareto front, and so on.

    Equal rows share a rank. Two objectives take O(n log n) (each point joins the first front whose lowest
    second objective is above its own); more objectives peel fronts one after the other.
    """
    n = loss.shape[0]
    if n == 0:
        return np.zeros(0, dtype=int)
    unique, inverse = np.unique(loss, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    if unique.shape[1] == 1:
        return inverse.astype(int)  # np.unique sorts: the i-th smallest distinct value has rank i
    if unique.shape[1] == 2:
        ranks = np.empty(unique.shape[0], dtype=int)
        lowest_second: list[float] = []  # per front, its smallest second objective so far: increasing
        for i in np.lexsort((unique[:, 1], unique[:, 0])):  # every earlier distinct point has a smaller first
            y = float(unique[i, 1])
            k = bisect.bisect_right(lowest_second, y)
            if k == len(lowest_second):
                lowest_second.append(y)
            else:
                lowest_second[k] = y
            ranks[i] = k
        return ranks[inverse]
    ranks = np.full(unique.shape[0], -1)
    remaining = np.arange(unique.shape[0])
    rank = 0
    while remaining.size:
        front = is_pareto_front(unique[remaining])
        ranks[remaining[front]] = rank
        remaining = remaining[~front]
        rank += 1
    return ranks[inverse]
