"""The bounded bad model of long TPE studies: inclusion probabilities, stable samples, and the sampler using them."""

from __future__ import annotations

import numpy as np
import pytest

import albacore
from albacore.distributions import FloatDistribution
from albacore.samplers import TPESampler
from albacore.samplers._tpe import _sampler
from albacore.samplers._tpe._parzen import KernelShapes, ShapesCache
from albacore.samplers._tpe._split import age_ramp, default_weights
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
    trials = []
    for row in rng.uniform(-5.0, 5.0, size=(n_added, 3)):
        params = dict(zip(dists, row.tolist(), strict=True))
        trials.append(albacore.create_trial(params=params, distributions=dists, value=float(np.sum(row**2))))
    study.add_trials(trials)
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


# --- per-trial cost that does not grow with the study: each shortcut gives the very numbers of the long way ------


@pytest.mark.parametrize("n", [*range(0, 60), 999, 1000, 1025, 4096, 20000, 20001])
def test_age_ramp_is_default_weights_bit_for_bit(n: int) -> None:
    ramp = age_ramp(n)
    expected = np.asarray(default_weights.__wrapped__(n))
    assert ramp.shape == expected.shape and ramp.tobytes() == expected.tobytes()
    assert ramp.flags.writeable  # a fresh array each time, not the cached read-only one


@pytest.mark.parametrize("n_newer", [0, 3])
def test_selection_by_age_keeps_what_select_keeps_with_the_same_weights(n_newer: int) -> None:
    rng = np.random.default_rng(3)
    numbers = np.arange(6000.0)
    excluded = np.sort(rng.choice(numbers.size, size=25, replace=False))
    rest = np.setdiff1d(np.arange(numbers.size), excluded)
    weights = np.asarray(default_weights(rest.size + n_newer))
    expected, expected_weights = KernelThinning(seed=9).select(numbers[rest], weights[: rest.size], budget=1000)
    # The table grows between calls, as a study does: the rows' draws are extended, not redrawn.
    thinning = KernelThinning(seed=9)
    assert thinning.select_by_age(numbers[:4000], excluded[excluded < 4000], n_newer, budget=1000) is not None
    result = thinning.select_by_age(numbers, excluded, n_newer, budget=1000)
    assert result is not None
    kept_rows, kept_weights, newer_weights = result
    np.testing.assert_array_equal(kept_rows, rest[expected])
    assert kept_weights.tobytes() == expected_weights.tobytes()
    assert newer_weights.tobytes() == weights[rest.size :].tobytes()


def test_selection_by_age_leaves_studies_where_some_weight_is_certain_to_select() -> None:
    # 1,500 bad trials for 1,000 kernels: the newest weights exceed 1 / c and are capped.
    assert KernelThinning(seed=0).select_by_age(np.arange(1525.0), np.arange(25), 0, budget=1000) is None
    assert KernelThinning(seed=0).select_by_age(np.arange(900.0), np.zeros(0, dtype=np.intp), 0, budget=1000) is None


def _count_fits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    fit = KernelShapes.fit.__func__  # type: ignore[attr-defined]

    def counting(cls, specs, observations, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(observations.shape[0])
        return fit(cls, specs, observations, **kwargs)

    monkeypatch.setattr(KernelShapes, "fit", classmethod(counting))
    return calls


def test_kernel_shapes_are_refitted_only_when_a_model_rows_change_and_sampling_stays_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_sampler, "_ABOVE_KERNELS", 40)
    fits = _count_fits(monkeypatch)
    cached = _long_study(1, 2000)
    # 10 trials, two models each (the good one of 25 rows, the bad one of about 40): a new bad trial is kept
    # with probability about 2 * 40 / 2000, so most trials keep the thinned bad rows. (Here most new trials
    # rank among the 25 best, so the good model is refitted nearly every time.)
    above = [n for n in fits if n > 25]
    assert 1 <= len(above) <= 5
    monkeypatch.setattr(ShapesCache, "get", lambda self, slot, rows: None)
    fits.clear()
    uncached = _long_study(1, 2000)
    assert len(fits) == 20
    assert cached == uncached  # the same floats, bit for bit


def test_selection_by_age_and_the_long_way_sample_the_same_trials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sampler, "_ABOVE_KERNELS", 40)
    used: list[bool] = []
    by_age = KernelThinning.select_by_age

    def spying(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = by_age(self, *args, **kwargs)
        used.append(result is not None)
        return result

    monkeypatch.setattr(KernelThinning, "select_by_age", spying)
    fast = _long_study(2, 600)
    assert used and all(used)
    monkeypatch.setattr(KernelThinning, "select_by_age", lambda self, *args, **kwargs: None)
    assert _long_study(2, 600) == fast


def test_shapes_cache_returns_shapes_only_for_the_rows_they_were_fitted_to() -> None:
    cache = ShapesCache()
    rows = np.array([1, 4, 7])
    shapes = KernelShapes()
    assert cache.get("above", rows) is None
    cache.put("above", rows, shapes)
    rows[0] = 2  # the cache keeps its own copy of the rows
    assert cache.get("above", np.array([1, 4, 7])) is shapes
    assert cache.get("above", np.array([1, 4])) is None
    assert cache.get("above", np.array([1, 4, 8])) is None
    assert cache.get("below", np.array([1, 4, 7])) is None
    cache.put("above", np.array([1, 4, 8]), KernelShapes())
    assert cache.get("above", np.array([1, 4, 7])) is None
