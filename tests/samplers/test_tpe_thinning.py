"""The bounded bad model of long TPE studies: inclusion probabilities, stable samples, and the sampler using them."""

from __future__ import annotations

import numpy as np
import pytest

import albacore
from albacore.distributions import FloatDistribution
from albacore.samplers import TPESampler
from albacore.samplers._tpe import _sampler
from albacore.samplers._tpe._split import default_weights
from albacore.samplers._tpe._thinning import KernelThinning, inclusion_probabilities


@pytest.mark.parametrize("n", [300, 1000, 5000])
def test_probabilities_sum_to_the_budget_and_keep_the_order_of_weights(n: int) -> None:
    weights = np.asarray(default_weights(n))
    p = inclusion_probabilities(weights, 200)
    assert p.sum() == pytest.approx(200.0)
    assert np.all((p >= 0.0) & (p <= 1.0)) and np.all(np.diff(p) >= -1e-12)


def test_heavy_weights_are_kept_for_sure_and_the_rest_share_the_budget() -> None:
    weights = np.concatenate((np.full(5, 100.0), np.full(1000, 1.0)))
    p = inclusion_probabilities(weights, 105)
    assert np.all(p[:5] == 1.0) and p[5:] == pytest.approx(np.full(1000, 0.1))
    assert p.sum() == pytest.approx(105.0)


def test_few_positive_weights_are_all_kept_and_zeros_never() -> None:
    weights = np.zeros(1000)
    weights[[3, 500]] = [0.5, 2.0]
    np.testing.assert_array_equal(np.nonzero(inclusion_probabilities(weights, 10))[0], [3, 500])


def test_kept_weights_estimate_the_total_and_the_sample_only_loses_old_trials_as_the_study_grows() -> None:
    thinning = KernelThinning(seed=5)
    previous: set[int] = set()
    for n in range(4000, 4400, 50):
        numbers = np.arange(float(n))
        weights = np.asarray(default_weights(n))
        kept, kept_weights = thinning.select(numbers, weights, budget=500)
        assert abs(kept.size - 500) < 100
        assert kept_weights.sum() == pytest.approx(weights.sum(), rel=0.1)
        now = set(kept.tolist())
        assert not previous or not {k for k in now - previous if k < n - 50}  # no old trial comes back
        previous = now
    again, _ = KernelThinning(seed=5).select(numbers, weights, budget=500)
    other, _ = KernelThinning(seed=6).select(numbers, weights, budget=500)
    np.testing.assert_array_equal(again, kept)
    assert not np.array_equal(other, kept)


def _long_study(seed: int, n_added: int) -> list[dict[str, float]]:
    rng = np.random.default_rng(0)
    dists = {f"x{i}": FloatDistribution(-5.0, 5.0) for i in range(3)}
    study = albacore.create_study(sampler=TPESampler(seed=seed))
    for row in rng.uniform(-5.0, 5.0, size=(n_added, 3)):
        params = dict(zip(dists, row.tolist(), strict=True))
        study.add_trial(albacore.create_trial(params=params, distributions=dists, value=float(np.sum(row**2))))
    study.optimize(lambda t: sum(t.suggest_float(f"x{i}", -5.0, 5.0) ** 2 for i in range(3)), n_trials=10)
    return [t.params for t in study.trials[n_added:]]


def test_a_long_study_with_a_bounded_bad_model_is_reproducible_and_still_optimizes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_sampler, "_ABOVE_KERNELS", 40)
    first = _long_study(1, 300)
    assert first == _long_study(1, 300)
    assert first != _long_study(2, 300)
    values = [sum(v**2 for v in params.values()) for params in first]
    assert np.median(values) < 25.0 / 3.0  # better than the uniform draws' mean of 25
