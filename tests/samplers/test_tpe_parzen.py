"""The estimators behind TPE: kernels, encodings and the Parzen mixture."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from albacore.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.samplers._tpe._kernels import log_normal_mass, log_truncated_normal_mass, sample_truncated_normal
from albacore.samplers._tpe._parzen import ParzenEstimator, SortedRows, TruncationCache, bandwidths
from albacore.samplers._tpe._space import CATEGORICAL, CONTINUOUS, DISCRETE, spec_of


def _estimator(specs, observations, *, weights=None, prior_weight=1.0):
    observations = np.asarray(observations, dtype=float).reshape(-1, len(specs))
    if weights is None:
        weights = np.ones(observations.shape[0])
    return ParzenEstimator(
        specs,
        observations,
        np.asarray(weights, dtype=float),
        prior_weight=prior_weight,
        consider_endpoints=False,
    )


# --- kernels ---------------------------------------------------------------------------------------------


def test_log_normal_mass_matches_scipy_in_the_body_and_stays_finite_in_far_tails() -> None:
    a = np.array([-1.0, -3.0, 0.5, 2.0])
    b = np.array([1.0, -2.0, 1.5, 9.0])
    expected = np.log(norm.cdf(b) - norm.cdf(a))
    np.testing.assert_allclose(log_normal_mass(a, b), expected, rtol=1e-12)
    far = log_normal_mass(np.array([40.0, -41.0]), np.array([41.0, -40.0]))
    assert np.all(np.isfinite(far))
    # Mills ratio: log(1 - Phi(40)) ~ -40^2/2 - log(40 sqrt(2 pi)).
    assert far[0] == pytest.approx(-800.0 - math.log(40.0 * math.sqrt(2 * math.pi)), abs=1e-2)
    np.testing.assert_allclose(far[0], far[1])


def test_truncation_normalizer_is_the_mass_on_the_unit_interval() -> None:
    mu = np.array([0.5, 0.0, 1.2, -30.0])
    sigma = np.array([0.2, 1.0, 0.1, 0.5])
    expected = np.log(norm.cdf((1 - mu[:3]) / sigma[:3]) - norm.cdf(-mu[:3] / sigma[:3]))
    np.testing.assert_allclose(log_truncated_normal_mass(mu, sigma)[:3], expected, rtol=1e-10)
    # 60 standard deviations away: the mass underflows a float, its logarithm does not.
    assert log_truncated_normal_mass(mu, sigma)[3] == pytest.approx(-1800.0, rel=0.01)


def test_truncated_normal_draws_stay_in_the_box_and_follow_the_truncated_law() -> None:
    rng = np.random.default_rng(0)
    u = rng.random(20000)
    mu = np.full(u.size, 0.9)
    sigma = np.full(u.size, 0.3)
    x = sample_truncated_normal(mu, sigma, u)
    assert x.min() >= 0.0 and x.max() <= 1.0
    # Empirical CDF against the truncated normal CDF at a few points.
    z = norm.cdf((1 - 0.9) / 0.3) - norm.cdf((0 - 0.9) / 0.3)
    for q in (0.3, 0.6, 0.9):
        cdf = (norm.cdf((q - 0.9) / 0.3) - norm.cdf(-0.9 / 0.3)) / z
        assert np.mean(x <= q) == pytest.approx(cdf, abs=0.015)
    # Kernels far outside the box still give finite draws at the near edge.
    edge = sample_truncated_normal(np.array([-5.0, 6.0]), np.array([0.1, 0.1]), np.array([0.5, 0.5]))
    assert edge[0] == pytest.approx(0.0, abs=0.05) and edge[1] == pytest.approx(1.0, abs=0.05)


# --- encodings ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dist", "kind", "values"),
    [
        (FloatDistribution(-2.0, 3.0), CONTINUOUS, [-2.0, 0.25, 3.0]),
        (FloatDistribution(1e-5, 1.0, log=True), CONTINUOUS, [1e-5, 3e-3, 1.0]),
        (FloatDistribution(0.0, 1.0, step=0.25), DISCRETE, [0.0, 0.25, 1.0]),
        (IntDistribution(1, 9, step=2), DISCRETE, [1, 5, 9]),
        (IntDistribution(1, 1024, log=True), CONTINUOUS, [1, 37, 1024]),
        (CategoricalDistribution(["a", "b", None]), CATEGORICAL, ["a", None]),
    ],
)
def test_encoding_round_trips_and_lands_in_the_box(dist, kind, values) -> None:
    spec = spec_of(dist)
    assert spec.kind == kind
    internal = np.array([dist.to_internal_repr(v) for v in values])
    encoded = spec.encode(internal)
    if kind != CATEGORICAL:
        assert np.all((encoded >= 0.0) & (encoded <= 1.0))
    decoded = [dist.to_external_repr(spec.decode(float(c))) for c in encoded]
    assert decoded == pytest.approx(values, rel=1e-9) if kind != CATEGORICAL else decoded == values


def test_grid_values_sit_at_the_centers_of_equal_cells() -> None:
    spec = spec_of(IntDistribution(0, 3))
    np.testing.assert_allclose(spec.encode(np.array([0.0, 1.0, 2.0, 3.0])), [0.125, 0.375, 0.625, 0.875])
    assert spec.decode(0.99) == 3.0 and spec.decode(0.0) == 0.0


# --- the mixture -------------------------------------------------------------------------------------------


def test_continuous_density_integrates_to_one() -> None:
    specs = [spec_of(FloatDistribution(0.0, 1.0))]
    est = _estimator(specs, [[0.02], [0.5], [0.97]])
    grid = np.linspace(0.0, 1.0, 20001)[:, None]
    density = np.exp(est.log_pdf(grid))
    assert np.trapezoid(density, grid[:, 0]) == pytest.approx(1.0, abs=1e-4)


def test_joint_density_integrates_to_one_over_mixed_dimensions() -> None:
    specs = [
        spec_of(FloatDistribution(0.0, 1.0)),
        spec_of(IntDistribution(0, 4)),
        spec_of(CategoricalDistribution([1, 2, 3])),
    ]
    obs = [[0.1, 0.3, 0.0], [0.8, 0.9, 2.0], [0.45, 0.5, 2.0]]
    est = _estimator(specs, obs)
    xs = np.linspace(0.0, 1.0, 4001)
    total = 0.0
    for cell in range(5):
        for category in range(3):
            points = np.column_stack((xs, np.full_like(xs, (cell + 0.5) / 5), np.full_like(xs, category)))
            total += np.trapezoid(np.exp(est.log_pdf(points)), xs)
    assert total == pytest.approx(1.0, abs=1e-4)


def test_grid_masses_sum_to_one_even_with_kernels_at_the_edges() -> None:
    specs = [spec_of(FloatDistribution(0.0, 1.0, step=0.1))]
    est = _estimator(specs, [[0.5 / 11], [10.5 / 11]])
    centers = ((np.arange(11) + 0.5) / 11)[:, None]
    # Exact up to the single-precision exponentials of the mixture sum.
    assert np.exp(est.log_pdf(centers)).sum() == pytest.approx(1.0, abs=1e-6)


def test_categorical_kernel_favours_the_observed_choice_and_is_normalised() -> None:
    specs = [spec_of(CategoricalDistribution(["a", "b", "c", "d"]))]
    est = _estimator(specs, [[2.0], [2.0], [1.0]])
    probs = np.exp(est.log_pdf(np.arange(4.0)[:, None]))
    assert probs.sum() == pytest.approx(1.0)
    assert probs.argmax() == 2
    assert probs[1] > probs[0] == pytest.approx(probs[3])
    draws = est.sample(np.random.default_rng(0), 4000)[:, 0]
    assert np.bincount(draws.astype(int), minlength=4) / 4000 == pytest.approx(probs, abs=0.03)


def test_samples_follow_the_mixture_and_snap_to_grid_cells() -> None:
    specs = [spec_of(IntDistribution(0, 9)), spec_of(FloatDistribution(0.0, 1.0))]
    est = _estimator(specs, [[0.25, 0.2], [0.85, 0.9]])
    draws = est.sample(np.random.default_rng(1), 3000)
    cells = draws[:, 0] * 10 - 0.5
    np.testing.assert_allclose(cells, np.round(cells), atol=1e-9)
    assert draws[:, 1].min() >= 0.0 and draws[:, 1].max() <= 1.0
    xs = np.linspace(0.0, 1.0, 2001)
    marginal = np.array(
        [
            np.trapezoid(np.exp(est.log_pdf(np.column_stack((np.full_like(xs, (k + 0.5) / 10), xs)))), xs)
            for k in range(10)
        ]
    )
    observed = np.bincount(np.round(cells).astype(int), minlength=10) / 3000
    np.testing.assert_allclose(observed, marginal, atol=0.02)


def test_bandwidths_follow_neighbour_gaps_within_the_magic_clip() -> None:
    rng = np.random.default_rng(0)
    few = rng.random((10, 2))
    many = rng.random((1000, 2))
    assert np.median(bandwidths(many, consider_endpoints=False)) < np.median(bandwidths(few, consider_endpoints=False))
    assert bandwidths(many, consider_endpoints=False).min() == pytest.approx(0.01)  # the floor for many kernels
    centers = np.array([[0.1, 0.5], [0.2, 0.5], [0.6, 0.5]])
    # Widest gap to a neighbour; the clip for 3 kernels is 4 ** -2 = 0.0625.
    np.testing.assert_allclose(bandwidths(centers, consider_endpoints=True)[:, 0], [0.1, 0.4, 0.4])
    np.testing.assert_allclose(bandwidths(centers, consider_endpoints=False)[:, 0], [0.1, 0.4, 0.4])
    np.testing.assert_allclose(bandwidths(centers, consider_endpoints=True)[:, 1], [0.5, 0.0625, 0.5])
    np.testing.assert_allclose(bandwidths(centers, consider_endpoints=False)[:, 1], [0.0625] * 3)


def test_grid_dimensions_get_kernels_at_least_one_cell_wide() -> None:
    specs = [spec_of(IntDistribution(0, 3))]
    est = _estimator(specs, [[0.125], [0.125], [0.125], [0.375]] * 10)
    assert est._sigma.min() >= 0.25


def test_prior_only_estimator_is_a_wide_bump_over_the_box() -> None:
    specs = [spec_of(FloatDistribution(0.0, 1.0))]
    est = _estimator(specs, np.empty((0, 1)))
    density = np.exp(est.log_pdf(np.array([[0.0], [0.5], [1.0]])))
    assert density[1] > density[0] == pytest.approx(density[2])
    assert density.max() < 1.5


def test_truncation_cache_matches_direct_computation_as_rows_and_widths_change() -> None:
    rng = np.random.default_rng(3)
    cache = TruncationCache()
    centers = rng.random((50, 3))
    centers[7, 1] = np.nan  # a trial without this parameter
    for n in (10, 30, 50):
        rows = np.array([0, 3, n - 1])
        sigma = rng.choice([0.05, 0.1, 0.3], size=(3, 3))
        got = cache.lookup(rows, centers[rows], sigma)
        expected = log_truncated_normal_mass(centers[rows], sigma)
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_sorted_rows_give_the_sorted_order_of_any_subset() -> None:
    rng = np.random.default_rng(4)
    table = rng.integers(0, 5, size=(40, 3)).astype(float)  # many ties, as on grid dimensions
    table[5, 2] = np.nan
    sorted_rows = SortedRows()
    for n in (7, 25, 40):
        rows = np.sort(rng.choice(n, size=n // 2, replace=False))
        order = sorted_rows.order_of(table[:n], rows)
        sub = table[rows]
        for j in range(3):
            assert sorted(order[j].tolist()) == list(range(rows.size))
            column = sub[order[j], j]
            finite = column[~np.isnan(column)]
            assert np.all(np.diff(finite) >= 0) and np.all(np.isnan(column[finite.size :]))


def test_sorted_rows_read_at_once_keep_the_order_of_rows_read_one_by_one() -> None:
    rng = np.random.default_rng(5)
    table = rng.integers(0, 4, size=(300, 3)).astype(float)  # ties decide which kernel sits at a group's edge
    table[rng.random((300, 3)) < 0.05] = np.nan
    rows = np.arange(0, 300, 2)
    one_by_one = SortedRows()
    for n in range(1, 301):
        one_by_one.order_of(table[:n], rows[rows < n])
    at_once = SortedRows()
    np.testing.assert_array_equal(at_once.order_of(table, rows), one_by_one.order_of(table, rows))


def test_an_estimator_on_reused_shapes_is_the_estimator_fitted_afresh_with_its_weights() -> None:
    specs = [
        spec_of(FloatDistribution(0.0, 1.0)),
        spec_of(IntDistribution(0, 8)),
        spec_of(CategoricalDistribution(["a", "b", "c"])),
        spec_of(FloatDistribution(1e-3, 1.0, log=True)),
    ]
    rng = np.random.default_rng(2)
    observations = np.column_stack(
        (rng.uniform(size=30), (rng.integers(0, 9, 30) + 0.5) / 9, rng.integers(0, 3, 30), rng.uniform(size=30))
    )
    first = _estimator(specs, observations, weights=rng.uniform(0.1, 1.0, 30))
    weights = rng.uniform(0.1, 1.0, 30)
    fresh = _estimator(specs, observations, weights=weights)
    reused = ParzenEstimator(
        specs, observations, weights, prior_weight=1.0, consider_endpoints=False, shapes=first.shapes
    )
    assert reused.shapes is first.shapes
    points = fresh.sample(np.random.default_rng(0), 50)
    assert reused.log_pdf(points).tobytes() == fresh.log_pdf(points).tobytes()
    assert reused.sample(np.random.default_rng(1), 50).tobytes() == fresh.sample(np.random.default_rng(1), 50).tobytes()
    assert first.log_pdf(points).tobytes() != fresh.log_pdf(points).tobytes()  # the weights do matter
