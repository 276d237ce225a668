"""Cell densities of one parameter's axis, and the Pearson divergence between them."""

from __future__ import annotations

import numpy as np
import pytest

from albacore.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.importance._pearson import CONTINUOUS_CELLS, Axis, pearson_divergence

DISTRIBUTIONS = [
    FloatDistribution(-2.0, 3.0),
    FloatDistribution(1e-4, 1.0, log=True),
    FloatDistribution(0.0, 1.0, step=0.1),
    IntDistribution(1, 32, log=True),
    IntDistribution(0, 1_000_000),
    CategoricalDistribution(["a", "b", None]),
]


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=repr)
def test_densities_are_positive_and_sum_to_one(dist: object) -> None:
    axis = Axis(dist)  # type: ignore[arg-type]
    samples = {
        FloatDistribution: lambda d: np.linspace(d.low, d.high, 7),
        IntDistribution: lambda d: np.array([d.low, d.low, d.high], dtype=float),
        CategoricalDistribution: lambda d: np.array([0.0, 2.0, 2.0]),
    }[type(dist)](dist)
    for points in (samples, samples[:1], samples[:0]):
        density = axis.density(points)
        assert density.shape == (axis.n_cells,)
        assert density.sum() == pytest.approx(1.0)
        assert (density > 0).all()
    assert axis.density(samples[:0]) == pytest.approx(axis.uniform())


def test_cells_follow_the_kind_of_axis() -> None:
    assert Axis(FloatDistribution(0, 1)).n_cells == CONTINUOUS_CELLS
    assert Axis(FloatDistribution(0, 1, step=0.25)).n_cells == 5
    assert Axis(IntDistribution(1, 32, log=True)).n_cells == 32
    assert Axis(IntDistribution(0, 1_000_000)).n_cells == CONTINUOUS_CELLS
    assert Axis(CategoricalDistribution(["a", "b", "c"])).n_cells == 3


def test_categorical_density_is_counts_plus_one_uniform_point() -> None:
    density = Axis(CategoricalDistribution(["a", "b", "c", "d"])).density(np.array([1.0, 1.0, 3.0]))
    assert density == pytest.approx((np.array([0, 2, 0, 1]) + 0.25) / 4)


def test_divergence_grows_as_points_concentrate() -> None:
    axis = Axis(FloatDistribution(0, 1))
    spread = axis.density(np.linspace(0, 1, 200))
    assert pearson_divergence(spread, spread) == 0.0
    widths = [0.5, 0.2, 0.05]
    divergences = [pearson_divergence(axis.density(np.linspace(0, w, 50)), spread) for w in widths]
    assert divergences == sorted(divergences)
    # Points filling a fifth of the axis: close to the exact divergence of U(0, 0.2) from U(0, 1), 1/0.2 - 1.
    assert divergences[1] == pytest.approx(4.0, rel=0.25)
