"""albacore's exact hypervolume on fronts with known volumes (what plot_hypervolume_history and MOTPE rely on)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from albacore._hypervolume import hypervolume, select_by_hypervolume
from albacore._pareto import is_pareto_front


def _shuffled(points: np.ndarray, seed: int, front_only: bool) -> np.ndarray:
    points = np.random.default_rng(seed).permutation(points)
    return points[is_pareto_front(points)] if front_only else points


@pytest.mark.parametrize("front_only", [True, False])
@pytest.mark.parametrize("n", [2, 5, 17, 29])
def test_two_dimensional_staircase(n: int, front_only: bool) -> None:
    # The staircase (i, n-1-i) and the dominated points (i, n-i) inside the box [0, n]^2: n^2 - n(n-1)/2.
    front = np.stack([np.arange(n), np.arange(n)[::-1]], axis=-1)
    dominated = np.stack([np.arange(n + 1), np.arange(n + 1)[::-1]], axis=-1)
    points = _shuffled(np.concatenate([front, dominated]).astype(float), n, front_only)
    assert hypervolume(points, np.full(2, float(n))) == n * n - n * (n - 1) // 2


@pytest.mark.parametrize("front_only", [True, False])
@pytest.mark.parametrize("n", [2, 4, 7])
def test_three_dimensional_lattice_simplex(n: int, front_only: bool) -> None:
    # The integer points with x + y + z = n - 1 (and dominated copies of them) leave out of [0, n]^3 exactly the
    # unit cubes whose lower corner has a + b + c < n - 1.
    front = np.array([[x, y, n - 1 - x - y] for x in range(n) for y in range(n - x)], dtype=float)
    points = _shuffled(np.concatenate([front, front + 1.0]), n, front_only)
    uncovered = sum(1 for a in range(n) for b in range(n) for c in range(n) if a + b + c < n - 1)
    assert hypervolume(points, np.full(3, float(n))) == n**3 - uncovered


@pytest.mark.parametrize("m", [2, 3, 4, 6])
def test_one_point_away_from_the_origin_on_each_axis(m: int) -> None:
    # Each point is 0 everywhere but 1 on one axis; in [0, 10]^m they leave out only the unit cube at 0.
    points = np.eye(m)
    assert hypervolume(points, np.full(m, 10.0)) == pytest.approx(10.0**m - 1.0)


def test_duplicates_points_outside_the_box_and_empty_sets() -> None:
    ref = np.array([2.0, 2.0, 2.0])
    point = np.array([[1.0, 1.0, 1.0]])
    assert hypervolume(np.repeat(point, 4, axis=0), ref) == 1.0
    assert hypervolume(np.array([[3.0, 0.0, 0.0], [2.0, 1.0, 1.0]]), ref) == 0.0  # none strictly dominates ref
    assert hypervolume(np.empty((0, 3)), ref) == 0.0


def test_an_infinite_reference_point_gives_an_infinite_volume() -> None:
    assert hypervolume(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([math.inf, 2.0])) == math.inf


def test_shape_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"must be an \(n, 3\) array"):
        hypervolume(np.zeros((2, 2)), np.ones(3))


@pytest.mark.parametrize("m", [2, 3])
def test_greedy_subset_keeps_the_submodular_guarantee(m: int) -> None:
    # Hypervolume is monotone and submodular, so the greedy subset has at least (1 - 1/e) of the best subset's
    # volume (checked against every subset); the first pick is the single best point.
    rng = np.random.default_rng(m)
    direction = rng.random((8, m)) + 0.1
    points = direction / np.linalg.norm(direction, axis=1, keepdims=True)
    ref = np.full(m, 1.2)
    for k in (1, 2, 3):
        chosen = select_by_hypervolume(points, k, ref)
        assert len(set(chosen.tolist())) == k
        volumes = {subset: hypervolume(points[list(subset)], ref) for subset in itertools.combinations(range(8), k)}
        assert hypervolume(points[chosen], ref) >= (1.0 - 1.0 / math.e) * max(volumes.values())
        if k == 1:
            assert hypervolume(points[chosen], ref) == max(volumes.values())
