"""Exact hypervolume and greedy subset selection (used by MOTPE to break ties)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from albacore._hypervolume import hypervolume, hypervolume_contributions_given, select_by_hypervolume


def _inclusion_exclusion(points: np.ndarray, ref: np.ndarray) -> float:
    total = 0.0
    for size in range(1, len(points) + 1):
        for subset in itertools.combinations(range(len(points)), size):
            corner = points[list(subset)].max(axis=0)
            total += (-1) ** (size + 1) * float(np.prod(np.maximum(ref - corner, 0.0)))
    return total


@pytest.mark.parametrize("m", [2, 3, 4, 5])
def test_hypervolume_matches_inclusion_exclusion(m: int) -> None:
    rng = np.random.default_rng(m)
    for _ in range(5):
        points = rng.random((6, m))
        ref = np.full(m, 1.1)
        assert hypervolume(points, ref) == pytest.approx(_inclusion_exclusion(points, ref), rel=1e-10)


def test_hypervolume_ignores_points_outside_the_reference_box_and_duplicates() -> None:
    ref = np.array([3.0, 3.0])
    assert hypervolume(np.array([[1.0, 2.0], [2.0, 1.0], [1.0, 2.0], [4.0, 0.0]]), ref) == pytest.approx(3.0)
    assert hypervolume(np.empty((0, 2)), ref) == 0.0


@pytest.mark.parametrize("m", [2, 3])
def test_contributions_are_hypervolume_differences(m: int) -> None:
    rng = np.random.default_rng(10 + m)
    selected = rng.random((4, m))
    candidates = rng.random((5, m))
    ref = np.full(m, 1.2)
    gains = hypervolume_contributions_given(candidates, selected, ref)
    base = hypervolume(selected, ref)
    expected = [hypervolume(np.vstack((selected, c)), ref) - base for c in candidates]
    np.testing.assert_allclose(gains, expected, atol=1e-12)


def test_greedy_selection_prefers_spread_points() -> None:
    points = np.array([[0.0, 1.0], [0.5, 0.5], [0.51, 0.49], [1.0, 0.0]])
    chosen = select_by_hypervolume(points, 3, np.array([1.1, 1.1]))
    assert sorted(chosen.tolist()) == [0, 1, 3]
    assert select_by_hypervolume(points, 9, np.array([1.1, 1.1])).tolist() == [0, 1, 2, 3]
