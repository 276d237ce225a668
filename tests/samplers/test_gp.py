from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
import pytest
import scipy.optimize

import albacore
from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.samplers import GPSampler
from albacore.samplers._gp._acqf import Acquisition, log_h, non_dominated_boxes
from albacore.samplers._gp._box_bfgs import maximize_in_box
from albacore.samplers._gp._conditional import Activity, ConditionalParam, encode_trials, find_conditional_params
from albacore.samplers._gp._regressor import _neg_log_posterior, _pairwise_sq_dists, fit_gp
from albacore.samplers._gp._warp import warp_gains
from albacore.samplers._transform import SearchSpaceTransform
from albacore.trial import FrozenTrial, Trial


def _quadratic(trial: Trial) -> float:
    return (trial.suggest_float("x", -5, 5) - 1.0) ** 2 + (trial.suggest_float("y", -5, 5) + 2.0) ** 2


def _data(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.random((25, 3))
    X[:, 2] = rng.integers(0, 3, 25)
    y = np.sin(5 * X[:, 0]) + X[:, 1] + 0.3 * X[:, 2]
    return X, (y - y.mean()) / y.std(), np.array([False, False, True])


def test_marginal_likelihood_gradient_matches_finite_differences() -> None:
    X, y, is_cat = _data(0)
    dists = _pairwise_sq_dists(X, X, is_cat)
    v = np.array([0.3, -0.2, 0.1, 0.2, -3.0])
    err = scipy.optimize.check_grad(
        lambda w: _neg_log_posterior(w, dists, y, None)[0], lambda w: _neg_log_posterior(w, dists, y, None)[1], v
    )
    assert err < 1e-4


def test_posterior_and_acquisition_gradients_match_finite_differences() -> None:
    X, y, is_cat = _data(1)
    gp = fit_gp(X, y, is_cat)
    x = np.array([[0.3, 0.6, 1.0], [0.9, 0.1, 2.0]])
    mean, var, dmean, dvar = gp.posterior_with_grad(x)
    mean2, var2 = gp.posterior(x)
    np.testing.assert_allclose(mean, mean2, atol=1e-10)
    np.testing.assert_allclose(var, var2, atol=1e-10)
    acqf = Acquisition(gp, float(y.max()), [(gp, 0.2)])
    value, grad = acqf.value_and_grad(x)
    np.testing.assert_allclose(value, acqf.value(x), atol=1e-10)
    eps = 1e-6
    for col in (0, 1):
        shifted = x.copy()
        shifted[:, col] += eps
        np.testing.assert_allclose((gp.posterior(shifted)[0] - mean) / eps, dmean[:, col], rtol=1e-3, atol=1e-5)
        np.testing.assert_allclose((gp.posterior(shifted)[1] - var) / eps, dvar[:, col], rtol=1e-3, atol=1e-5)
        np.testing.assert_allclose((acqf.value(shifted) - value) / eps, grad[:, col], rtol=1e-3, atol=1e-4)
    assert np.all(dmean[:, 2] == 0.0)


def test_posterior_of_a_large_batch_matches_row_by_row() -> None:
    X, y, is_cat = _data(2)
    gp = fit_gp(X, y, is_cat)
    rng = np.random.default_rng(3)
    x = rng.random((700, 3))  # several blocks of rows, the last one partial
    x[:, 2] = rng.integers(0, 3, 700)
    mean, var = gp.posterior(x)
    for row in (0, 255, 256, 511, 699):
        one_mean, one_var = gp.posterior(x[row : row + 1])
        np.testing.assert_allclose(mean[row], one_mean[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(var[row], one_var[0], rtol=1e-12, atol=1e-12)
    assert mean.shape == var.shape == (700,)


def _concave_quadratic(
    peaks: np.ndarray, curvature: np.ndarray, counter: list[int] | None = None
) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    def value_and_grad(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if counter is not None:
            counter.append(len(x))
        diff = x - peaks[: len(x)]
        scaled = diff @ curvature
        return -0.5 * np.sum(diff * scaled, axis=1), -scaled

    return value_and_grad


def test_box_bfgs_finds_each_start_its_own_maximum_inside_and_on_the_bounds() -> None:
    rng = np.random.default_rng(0)
    # Correlated curvature, and peaks inside the box (rows 0-2) or beyond it (rows 3-5).
    curvature = np.array([[4.0, 1.5, 0.0], [1.5, 2.0, 0.3], [0.0, 0.3, 9.0]])
    peaks = np.array(
        [[0.3, 0.6, 0.5], [0.9, 0.1, 0.2], [0.5, 0.5, 0.99], [1.4, 0.5, 0.5], [-0.5, -0.2, 0.4], [0.2, 1.7, -1.0]]
    )
    starts = rng.random((6, 3))
    found = maximize_in_box(_concave_quadratic(peaks, curvature), starts, 40)
    np.testing.assert_allclose(found[:3], peaks[:3], atol=1e-4)
    assert np.all((found >= 0.0) & (found <= 1.0))
    for row in range(3, 6):  # the box's maximum: no feasible direction improves (first-order optimality)
        grad = -((found[row] - peaks[row]) @ curvature)
        free = (found[row] > 0.0) & (found[row] < 1.0)
        np.testing.assert_allclose(grad[free], 0.0, atol=1e-4)
        assert np.all(grad[found[row] == 0.0] <= 1e-9) and np.all(grad[found[row] == 1.0] >= -1e-9)
    assert found[3, 0] == 1.0 and found[4, 0] == 0.0 and found[5, 1] == 1.0


def test_box_bfgs_rows_are_independent_and_the_budget_holds() -> None:
    rng = np.random.default_rng(1)
    curvature = np.diag([1.0, 30.0])
    peaks = rng.random((5, 2))
    starts = rng.random((5, 2))
    calls: list[int] = []
    together = maximize_in_box(_concave_quadratic(peaks, curvature, calls), starts, 7)
    assert len(calls) <= 8 and set(calls) == {5}  # one batched evaluation per step, the first included
    for row in range(5):
        alone = maximize_in_box(_concave_quadratic(peaks[row : row + 1], curvature), starts[row : row + 1], 7)
        np.testing.assert_array_equal(alone[0], together[row])


def test_box_bfgs_leaves_a_start_without_a_finite_value_where_it_is() -> None:
    def value_and_grad(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        values = -np.sum((x - 0.5) ** 2, axis=1)
        values[x[:, 0] < 0.1] = np.nan  # an acquisition that failed to evaluate
        return values, -2.0 * (x - 0.5)

    starts = np.array([[0.05, 0.9], [0.9, 0.9]])
    found = maximize_in_box(value_and_grad, starts, 20)
    np.testing.assert_array_equal(found[0], starts[0])
    np.testing.assert_allclose(found[1], [0.5, 0.5], atol=1e-5)


def test_log_h_is_finite_and_accurate_in_the_tail() -> None:
    z = np.array([-1e6, -1e3, -40.0, -5.0, -1.0, 0.0, 2.0])
    value, grad = log_h(z)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    from scipy.stats import norm

    direct = np.log(norm.pdf(z[3:]) + z[3:] * norm.cdf(z[3:]))
    np.testing.assert_allclose(value[3:], direct, rtol=1e-9)
    assert np.all(np.diff(value) > 0)


def test_non_dominated_boxes_give_exact_hypervolume_improvement() -> None:
    front = np.array([[0.0, 2.0], [1.0, 1.0], [2.0, 0.0]])
    lower, upper = non_dominated_boxes(front, np.array([3.0, 3.0]))
    y = np.array([0.5, 0.5])
    improvement = np.prod(np.maximum(upper - np.maximum(y, lower), 0.0), axis=1).sum()
    assert improvement == pytest.approx(1.25)


def test_reaches_small_regret_on_a_quadratic() -> None:
    study = albacore.create_study(sampler=GPSampler(seed=0))
    study.optimize(_quadratic, n_trials=30)
    assert study.best_value < 1e-2


def test_infinite_objective_values_are_modelled_as_the_worst_finite_ones() -> None:
    # A diverged run completes with inf (as in Optuna); the model must neither break nor go there again.
    def objective(trial: Trial) -> float:
        value = _quadratic(trial)
        return math.inf if trial.params["x"] > 3 else value

    study = albacore.create_study(sampler=GPSampler(seed=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "invalid value" warnings included
        study.optimize(objective, n_trials=30)
    assert study.best_value < 0.1
    assert sum(t.value == math.inf for t in study.trials[10:]) <= 5  # of 20 model-based trials


def test_mixed_space_with_categorical_and_integers() -> None:
    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", -2, 2)
        n = trial.suggest_int("n", 1, 64, log=True)
        c = trial.suggest_categorical("c", ["a", "b", "c"])
        return x**2 + abs(math.log2(n) - 3) + (0.0 if c == "b" else 2.0)

    study = albacore.create_study(sampler=GPSampler(seed=1, n_startup_trials=8))
    study.optimize(objective, n_trials=30)
    assert study.best_value < 1.0
    assert study.best_params["c"] == "b"


def test_reproducible_with_seed() -> None:
    params = []
    for _ in range(2):
        study = albacore.create_study(sampler=GPSampler(seed=3, n_startup_trials=4))
        study.optimize(_quadratic, n_trials=8)
        params.append([t.params for t in study.trials])
    assert params[0] == params[1]


def test_parallel_workers() -> None:
    study = albacore.create_study(sampler=GPSampler(seed=0, n_startup_trials=4))
    study.optimize(_quadratic, n_trials=14, n_jobs=2)
    assert len(study.trials) == 14
    assert all(t.state == albacore.trial.TrialState.COMPLETE for t in study.trials)


def test_running_trials_push_the_next_point_away() -> None:
    study = albacore.create_study(sampler=GPSampler(seed=0, n_startup_trials=5))
    study.optimize(_quadratic, n_trials=12)
    first = study.ask()
    x1 = (first.suggest_float("x", -5, 5), first.suggest_float("y", -5, 5))
    second = study.ask()
    x2 = (second.suggest_float("x", -5, 5), second.suggest_float("y", -5, 5))
    assert x1 != x2


def test_conditional_parameters_no_categorical_decides_fall_back_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        if trial.number % 2:
            return x**2 + trial.suggest_float("extra", 0, 1)
        return x**2

    study = albacore.create_study(sampler=GPSampler(seed=0, n_startup_trials=3))
    study.optimize(objective, n_trials=8)
    assert "samples parameter 'extra'" in caplog.text


def _completed(params: dict[str, object], dists: dict[str, BaseDistribution]) -> FrozenTrial:
    return albacore.trial.create_trial(params=params, distributions=dists, value=0.0)


def test_conditional_parameters_are_found_when_one_categorical_decides_them() -> None:
    opt = CategoricalDistribution(["sgd", "adam", "rmsprop"])
    other = CategoricalDistribution([0, 1])
    mom, drop = FloatDistribution(0, 1), FloatDistribution(0, 0.5)
    trials = [
        _completed(
            {"opt": "sgd", "other": 0, "momentum": 0.5, "drop": 0.1},
            {"opt": opt, "other": other, "momentum": mom, "drop": drop},
        ),
        _completed({"opt": "sgd", "other": 1, "momentum": 0.7}, {"opt": opt, "other": other, "momentum": mom}),
        _completed({"opt": "adam", "other": 0, "drop": 0.2}, {"opt": opt, "other": other, "drop": drop}),
        _completed({"opt": "rmsprop", "other": 0}, {"opt": opt, "other": other}),
    ]
    found = find_conditional_params(trials, {"opt": opt, "other": other})
    # momentum: exactly the sgd trials. drop: present for sgd and adam but also absent for sgd, and "other"
    # does not decide it either (0 both with and without it): no single categorical explains it.
    assert found == [ConditionalParam("momentum", mom, "opt", frozenset({0}))]


def test_inactive_columns_do_not_change_predictions_or_carry_gradient() -> None:
    space = {"opt": CategoricalDistribution(["sgd", "adam"]), "momentum": FloatDistribution(0, 1)}
    transform = SearchSpaceTransform(space, one_hot=False)
    activity = Activity(transform, [ConditionalParam("momentum", space["momentum"], "opt", frozenset({0}))])
    params = [{"opt": "sgd", "momentum": 0.2}, {"opt": "sgd", "momentum": 0.9}, {"opt": "adam"}, {"opt": "adam"}]
    X = encode_trials(transform, params, activity)
    assert X[2].tolist() == [1.0, 0.5]  # the filler of a numeric column is the centre of the box
    gp = fit_gp(X, np.array([1.0, -1.0, 0.5, 0.4]), transform.is_categorical, activity=activity)
    candidates = np.array([[1.0, 0.1], [1.0, 0.9], [0.0, 0.1], [0.0, 0.9]])
    mean, var, dmean, dvar = gp.posterior_with_grad(candidates)
    assert mean[0] == mean[1] and var[0] == var[1]  # adam does not ask for momentum
    assert mean[2] != mean[3]  # sgd does
    assert dmean[:2, 1].tolist() == [0.0, 0.0] and dvar[:2, 1].tolist() == [0.0, 0.0]
    assert np.all(dmean[2:, 1] != 0.0)


def test_conditional_parameters_are_modelled_without_warnings() -> None:
    def objective(trial: Trial) -> float:
        if trial.suggest_categorical("kind", ["flat", "bowl"]) == "flat":
            return 1.0
        return sum((trial.suggest_float(f"y{i}", 0, 1) - c) ** 2 for i, c in enumerate((0.3, 0.7, 0.2)))

    study = albacore.create_study(sampler=GPSampler(seed=0, n_startup_trials=6))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no parameter falls back to independent sampling
        study.optimize(objective, n_trials=30)
    # Random search reaches 1e-3 here with probability below 1e-3 per trial of the bowl branch.
    assert study.best_value < 1e-3


def test_a_conditional_proposal_holds_only_its_branch_and_is_written_before_the_end() -> None:
    seen: list[tuple[str, dict[str, object]]] = []

    def objective(trial: Trial) -> float:
        kind = trial.suggest_categorical("kind", ["flat", "bowl"])
        x = trial.suggest_float("x", 0, 1)
        value = x if kind == "flat" else (trial.suggest_float("y", 0, 1) - 0.3) ** 2 + x
        stored = trial.study._storage.get_trial(trial._trial_id)
        seen.append((kind, dict(stored.params)))
        return value

    study = albacore.create_study(sampler=GPSampler(seed=0, n_startup_trials=6))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study.optimize(objective, n_trials=16)
    modelled = seen[6:]
    assert {kind for kind, _ in modelled} == {"flat", "bowl"}  # both branches proposed by the model
    for kind, stored in modelled:
        # The running trial's parameters were in the storage before tell, as a joint proposal's are.
        assert set(stored) == ({"kind", "x"} if kind == "flat" else {"kind", "x", "y"})


def test_constraints_steer_to_the_feasible_region() -> None:
    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", -5, 5)
        y = trial.suggest_float("y", -5, 5)
        trial.set_constraint("c", 1.0 - x)  # feasible only for x >= 1
        return x**2 + y**2

    study = albacore.create_study(sampler=GPSampler(seed=0, n_startup_trials=6))
    study.optimize(objective, n_trials=25)
    assert study.best_trial.params["x"] >= 1.0
    assert study.best_value < 1.5


def test_constraints_func_is_stored_and_used() -> None:
    with pytest.warns(FutureWarning, match="constraints_func"):
        sampler = GPSampler(seed=0, n_startup_trials=4, constraints_func=lambda t: [t.params["x"] - 0.5])
    study = albacore.create_study(sampler=sampler)
    study.optimize(lambda t: -t.suggest_float("x", 0, 1), n_trials=12)
    assert all(t.constraints == {"0": t.params["x"] - 0.5} for t in study.trials)
    assert 0.3 < study.best_params["x"] <= 0.5


def test_multi_objective_finds_a_spread_front() -> None:
    def objective(trial: Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        y = trial.suggest_float("y", 0, 1)
        return x, (1 + y) * (1 - math.sqrt(x))

    study = albacore.create_study(directions=["minimize", "minimize"], sampler=GPSampler(seed=0))
    study.optimize(objective, n_trials=25)
    later = [t for t in study.trials[10:]]
    assert np.mean([t.params["y"] for t in later]) < 0.35
    assert len(study.best_trials) >= 4


def test_invalid_arguments() -> None:
    with pytest.raises(InvalidArgumentError):
        GPSampler(n_startup_trials=-1)


def test_deterministic_objective_and_maximize() -> None:
    study = albacore.create_study(direction="maximize", sampler=GPSampler(seed=0, deterministic_objective=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study.optimize(lambda t: -_quadratic(t), n_trials=25)
    assert study.best_value > -0.05


def test_output_warp_keeps_the_order_and_compresses_heavy_tails_only() -> None:
    rng = np.random.default_rng(0)
    heavy = -np.exp(rng.normal(scale=3.0, size=60))  # gains whose losses span orders of magnitude
    warped = warp_gains(heavy)
    assert np.array_equal(np.argsort(warped), np.argsort(heavy))
    assert not np.array_equal(warped, heavy)
    gaussian = rng.normal(size=60)
    assert np.corrcoef(warp_gains(gaussian), gaussian)[0, 1] > 0.99  # the identity or a nearly linear warp


def test_warping_finds_the_valley_of_a_heavy_tailed_objective() -> None:
    def rosenbrock(trial: Trial) -> float:
        x = [trial.suggest_float(f"x{i}", -5, 10) for i in range(3)]
        return sum(100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2 for i in range(2))

    study = albacore.create_study(sampler=GPSampler(seed=0))
    study.optimize(rosenbrock, n_trials=40)
    assert study.best_value < 20.0  # values at random points are in the tens of thousands


def test_does_not_evaluate_a_configuration_twice_while_new_ones_remain() -> None:
    def objective(trial: Trial) -> float:
        x = trial.suggest_int("x", 0, 3)
        kind = trial.suggest_categorical("kind", ["a", "b", "c"])
        return (x - 2) ** 2 + (0.0 if kind == "b" else 0.5)

    study = albacore.create_study(sampler=GPSampler(seed=0, n_startup_trials=3))
    study.optimize(objective, n_trials=12)  # 12 configurations exist
    modelled = [(t.params["x"], t.params["kind"]) for t in study.trials[3:]]
    seen = {(t.params["x"], t.params["kind"]) for t in study.trials[:3]}
    assert not seen & set(modelled) and len(set(modelled)) == len(modelled)


class _PeakedAcquisition:
    """Largest at ``peak``: a stand-in for an acquisition that peaks at an evaluated point."""

    has_gradient = True

    def __init__(self, peak: np.ndarray) -> None:
        self.peak = peak

    def value(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(-np.sum((x - self.peak) ** 2, axis=1))

    def value_and_grad(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.value(x), -2.0 * (x - self.peak)


def test_a_peak_at_an_evaluated_point_is_stepped_off_nearby() -> None:
    from albacore.samplers._gp._optim import optimize_acquisition

    rng = np.random.default_rng(1)
    peak = rng.random(8)
    acqf = _PeakedAcquisition(peak)
    continuous, numeric = np.zeros(8, dtype=int), np.zeros(8, dtype=bool)
    free = optimize_acquisition(acqf, continuous, numeric, np.random.default_rng(0))
    assert np.allclose(free, peak, atol=1e-4)
    evaluated = np.vstack([peak, rng.random(8)])
    stepped = optimize_acquisition(acqf, continuous, numeric, np.random.default_rng(0), avoid=evaluated)
    assert np.max(np.abs(stepped - peak)) > 1e-4  # not a repeat
    # The best point near the peak, not the runner-up of the search (in 8 dimensions, far from it).
    assert np.max(np.abs(stepped - peak)) < 0.05


def test_the_gp_does_not_repeat_its_incumbent() -> None:
    def branin(trial: Trial) -> float:
        x1, x2 = trial.suggest_float("x1", -5, 10), trial.suggest_float("x2", 0, 15)
        return (
            (x2 - 5.1 / (4 * math.pi**2) * x1**2 + 5 / math.pi * x1 - 6) ** 2
            + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1)
            + 10
        )

    # Without stepping off, this run evaluated its incumbent again at every trial from the 21st on.
    study = albacore.create_study(sampler=GPSampler(seed=11))
    study.optimize(branin, n_trials=30)
    points = np.array([[t.params["x1"] / 15, t.params["x2"] / 15] for t in study.trials])
    gaps = np.max(np.abs(points[:, None, :] - points[None, :, :]), axis=2) + np.eye(len(points))
    assert gaps.min() > 1e-4
