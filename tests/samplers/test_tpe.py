"""TPESampler end to end: arguments, reproducibility, conditional spaces, constant liar, MOTPE, constraints."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest

import albacore
from albacore.distributions import FloatDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.samplers import TPESampler
from albacore.samplers._tpe._observations import (
    RELATIVE_PARAMS_KEY,
    TIER_COMPLETE,
    TIER_INFEASIBLE,
    TIER_PRUNED,
    Observations,
)
from albacore.samplers._tpe._split import BelowSplit, default_weights, split_below
from albacore.trial import TrialState


def _quadratic(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -5.0, 5.0)
    y = trial.suggest_float("y", 1e-3, 10.0, log=True)
    n = trial.suggest_int("n", 0, 10)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    return (x - 1.0) ** 2 + np.log10(y) ** 2 + (n - 3) ** 2 + (0.0 if c == "b" else 1.0)


def test_default_sampler_uses_tpe_for_several_objectives() -> None:
    study = albacore.create_study(directions=["minimize", "maximize"])
    assert isinstance(study.sampler, albacore.samplers.AutoSampler)
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=3)
    assert {t.system_attrs["auto:sampler"] for t in study.trials} == {"TPESampler"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_startup_trials": -1},
        {"n_ei_candidates": 0},
        {"prior_weight": 0.0},
        {"prior_weight": float("nan")},
        {"multivariate": False, "group": True},
        {"gamma": 3},
        {"consider_prior": False},
    ],
)
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_bad_arguments_raise_typed_errors(kwargs: dict) -> None:
    with pytest.raises(InvalidArgumentError):
        TPESampler(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"consider_prior": True},
        {"prior_weight": 2.0},
        {"consider_magic_clip": False},
        {"consider_endpoints": True},
        {"gamma": lambda n: 2},
        {"weights": lambda n: np.ones(n)},
        {"warn_independent_sampling": True},
    ],
)
def test_arguments_deprecated_by_optuna_warn_and_still_work(kwargs: dict) -> None:
    name = next(iter(kwargs))
    with pytest.warns(FutureWarning, match=f"`{name}` argument is deprecated"):
        sampler = TPESampler(seed=0, n_startup_trials=2, **kwargs)
    study = albacore.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", -1.0, 1.0) ** 2, n_trials=6)
    assert len(study.trials) == 6


def test_hyperopt_parameters_are_deprecated_and_give_a_working_sampler() -> None:
    with pytest.warns(FutureWarning, match="hyperopt_parameters"):
        params = TPESampler.hyperopt_parameters()
    assert params["n_startup_trials"] == 20 and params["gamma"](100) == 3
    with pytest.warns(FutureWarning):
        sampler = TPESampler(seed=0, **params)
    study = albacore.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", -1.0, 1.0) ** 2, n_trials=25)
    assert study.best_value < 0.1


@pytest.mark.parametrize(("directions", "joint"), [(["minimize"], True), (["minimize", "minimize"], False)])
def test_multivariate_by_default_for_one_objective_only(directions: list[str], joint: bool) -> None:
    sampler = TPESampler(seed=0, n_startup_trials=0)
    study = albacore.create_study(directions=directions, sampler=sampler)
    for _ in range(2):
        trial = study.ask()
        study.tell(trial, [trial.suggest_float("x", 0, 1) + trial.suggest_float("y", 0, 1)] * len(directions))
    assert set(sampler.infer_relative_search_space(study, study.trials[-1])) == ({"x", "y"} if joint else set())


def test_group_models_several_objectives_jointly_and_says_so() -> None:
    sampler = TPESampler(seed=0, n_startup_trials=0, group=True)
    study = albacore.create_study(directions=["minimize", "minimize"], sampler=sampler)
    with pytest.warns(UserWarning, match="off by default for several objectives"):
        for _ in range(3):
            trial = study.ask()
            study.tell(trial, [trial.suggest_float("x", 0, 1), trial.suggest_float("y", 0, 1)])
    assert set(sampler.infer_relative_search_space(study, study.trials[-1])) == {"x", "y"}
    # Asked for explicitly, there is nothing to warn about.
    explicit = TPESampler(seed=0, n_startup_trials=0, group=True, multivariate=True)
    study = albacore.create_study(directions=["minimize", "minimize"], sampler=explicit)
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=3)


def test_positional_arguments_are_rejected() -> None:
    with pytest.raises(TypeError):
        TPESampler(10)  # type: ignore[misc]


def test_constraints_func_is_deprecated_but_works() -> None:
    with pytest.warns(FutureWarning, match="set_constraint"):
        sampler = TPESampler(seed=0, n_startup_trials=3, constraints_func=lambda t: [t.params["x"] - 0.5])
    study = albacore.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0), n_trials=6)
    for trial in study.trials:
        assert trial.constraints == {"0": pytest.approx(trial.params["x"] - 0.5)}


def test_optimizes_a_mixed_space_better_than_random() -> None:
    tpe = albacore.create_study(sampler=TPESampler(seed=1))
    tpe.optimize(_quadratic, n_trials=60)
    rand = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=1))
    rand.optimize(_quadratic, n_trials=60)
    assert tpe.best_value < rand.best_value


@pytest.mark.parametrize("multivariate", [True, False])
def test_seeded_runs_are_reproducible_bit_for_bit(multivariate: bool) -> None:
    def run(seed: int) -> list[dict]:
        study = albacore.create_study(sampler=TPESampler(seed=seed, multivariate=multivariate, n_startup_trials=5))
        study.optimize(_quadratic, n_trials=25)
        return [t.params for t in study.trials]

    first = run(3)
    assert first == run(3)
    assert first != run(4)


def test_values_respect_steps_logs_and_ranges() -> None:
    def objective(trial: albacore.Trial) -> float:
        a = trial.suggest_float("a", 0.0, 1.0, step=0.1)
        b = trial.suggest_int("b", 2, 20, step=3)
        c = trial.suggest_int("c", 1, 1000, log=True)
        d = trial.suggest_float("d", 1e-4, 1.0, log=True)
        return a + b + np.log(c) + d

    study = albacore.create_study(sampler=TPESampler(seed=0, n_startup_trials=3))
    study.optimize(objective, n_trials=30)
    for t in study.trials:
        p = t.params
        assert abs(p["a"] * 10 - round(p["a"] * 10)) < 1e-9 and 0.0 <= p["a"] <= 1.0
        assert (p["b"] - 2) % 3 == 0 and 2 <= p["b"] <= 20
        assert isinstance(p["c"], int) and 1 <= p["c"] <= 1000
        assert 1e-4 <= p["d"] <= 1.0


def _conditional(trial: albacore.Trial) -> float:
    kind = trial.suggest_categorical("kind", ["linear", "tree"])
    if kind == "linear":
        alpha = trial.suggest_float("alpha", 1e-4, 1.0, log=True)
        return abs(np.log10(alpha) + 2.0)
    depth = trial.suggest_int("depth", 1, 10)
    width = trial.suggest_float("width", 0.0, 1.0)
    return 1.0 + abs(depth - 4) * 0.1 + width


def test_group_models_conditional_spaces_jointly_without_falling_back() -> None:
    study = albacore.create_study(sampler=TPESampler(seed=0, group=True, n_startup_trials=5))
    asked = []
    for _ in range(30):
        trial = study.ask()
        asked.append(trial)
        study.tell(trial, _conditional(trial))
    # After the start-up phase every parameter, conditional ones included, comes from the joint model.
    late = asked[-1].relative_search_space
    assert set(late) == {"kind", "alpha", "depth", "width"}
    assert study.best_value < 1.0


def test_independent_sampling_of_conditional_parameters_is_logged_on_request(caplog: pytest.LogCaptureFixture) -> None:
    study = albacore.create_study(sampler=TPESampler(seed=0, n_startup_trials=4))
    study.optimize(_conditional, n_trials=12)
    assert "independently" not in caplog.text  # off by default, as in Optuna 5.0
    with pytest.warns(FutureWarning):
        sampler = TPESampler(seed=0, n_startup_trials=4, warn_independent_sampling=True)
    study = albacore.create_study(sampler=sampler)
    study.optimize(_conditional, n_trials=12)
    assert "independently" in caplog.text


def test_constant_liar_shares_relative_params_and_spreads_running_trials() -> None:
    def spread(constant_liar: bool) -> float:
        study = albacore.create_study(sampler=TPESampler(seed=0, constant_liar=constant_liar))
        dist = FloatDistribution(0.0, 1.0)
        for i in range(20):
            x = (i + 0.5) / 20
            study.add_trial(albacore.create_trial(params={"x": x}, distributions={"x": dist}, value=x))
        running = [study.ask() for _ in range(15)]
        xs = [t.suggest_float("x", 0.0, 1.0) for t in running]
        if constant_liar:
            shared = json.loads(study._storage.get_trial(running[0]._trial_id).system_attrs[RELATIVE_PARAMS_KEY])
            assert shared == {"x": xs[0]}
        return float(np.std(xs))

    assert spread(True) > 1.5 * spread(False)


def test_constant_liar_with_threads() -> None:
    study = albacore.create_study(sampler=TPESampler(seed=0, n_startup_trials=4))
    study.optimize(_quadratic, n_trials=30, n_jobs=2)
    trials = study.trials
    assert len(trials) == 30 and all(t.state == TrialState.COMPLETE for t in trials)
    assert sum(RELATIVE_PARAMS_KEY in t.system_attrs for t in trials) >= 20


def test_multi_objective_study_finds_a_spread_pareto_front() -> None:
    def objective(trial: albacore.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        return x + y**2, (1.0 - x) + y**2

    study = albacore.create_study(directions=["minimize", "minimize"], sampler=TPESampler(seed=0))
    study.optimize(objective, n_trials=60)
    front = study.best_trials
    assert len(front) >= 5
    assert np.mean([t.params["y"] for t in study.trials[30:]]) < np.mean([t.params["y"] for t in study.trials[:10]])


def test_constrained_study_ends_with_a_feasible_best() -> None:
    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", -3.0, 3.0)
        trial.set_constraint("x_at_least_one", 1.0 - x)
        return x**2

    study = albacore.create_study(sampler=TPESampler(seed=0, n_startup_trials=5))
    study.optimize(objective, n_trials=40)
    assert 1.0 <= study.best_params["x"] < 1.3
    early = np.array([t.params["x"] for t in study.trials[:10]])
    late = np.array([t.params["x"] for t in study.trials[20:]])
    # The search closes in on the constraint boundary, where the feasible optimum lies.
    assert np.median(np.abs(late - 1.0)) < 0.5 * np.median(np.abs(early - 1.0))


def test_sampler_pickles_without_its_caches() -> None:
    sampler = TPESampler(seed=5, n_startup_trials=2)
    study = albacore.create_study(sampler=sampler)
    study.optimize(_quadratic, n_trials=5)
    clone = pickle.loads(pickle.dumps(sampler))
    assert clone._states == {}
    other = albacore.create_study(sampler=clone)
    other.optimize(_quadratic, n_trials=5)


# --- ranking (the split into good and bad trials) ----------------------------------------------------------


def _observations(trials: list, n_objectives: int = 1) -> Observations:
    obs = Observations(np.ones(n_objectives))
    numbered = [t._evolve(number=i, trial_id=i) for i, t in enumerate(trials)]
    obs.update(numbered)
    return obs


def test_pruned_trials_rank_after_completed_ones_by_step_then_value() -> None:
    trials = [
        albacore.create_trial(state=TrialState.PRUNED, intermediate_values={0: 0.1, 5: 0.3}),
        albacore.create_trial(value=10.0),
        albacore.create_trial(state=TrialState.PRUNED, intermediate_values={0: -5.0}),
        albacore.create_trial(value=20.0),
        albacore.create_trial(state=TrialState.PRUNED, intermediate_values={0: 0.0, 5: 0.2}),
        albacore.create_trial(state=TrialState.PRUNED),
    ]
    obs = _observations(trials)
    assert split_below(obs, 2).tolist() == [False, True, False, True, False, False]
    assert split_below(obs, 3).tolist() == [False, True, False, True, True, False]
    assert split_below(obs, 4).tolist() == [True, True, False, True, True, False]
    assert split_below(obs, 5).tolist() == [True, True, True, True, True, False]


def test_infeasible_trials_rank_below_feasible_ones_by_violation() -> None:
    trials = [
        albacore.create_trial(value=-100.0, constraints={"c": 2.0}),
        albacore.create_trial(value=5.0, constraints={"c": -1.0}),
        albacore.create_trial(value=-50.0, constraints={"c": 0.5, "d": 0.2}),
        albacore.create_trial(state=TrialState.PRUNED, intermediate_values={0: 9.0}),
    ]
    obs = _observations(trials)
    assert split_below(obs, 1).tolist() == [False, True, False, False]
    assert split_below(obs, 2).tolist() == [False, True, False, True]
    assert split_below(obs, 3).tolist() == [False, True, True, True]


def test_multi_objective_split_takes_fronts_in_order_and_cuts_the_last_by_hypervolume() -> None:
    values = [(1.0, 4.0), (2.0, 2.0), (4.0, 1.0), (2.05, 1.95), (3.0, 3.0), (5.0, 5.0)]
    obs = _observations([albacore.create_trial(values=v) for v in values], n_objectives=2)
    # Front 0 is rows 0, 1, 2, 3. Row 1 has the largest box; row 3 nearly duplicates it, so it adds less than
    # the extremes 0 and 2 and is left out.
    assert split_below(obs, 3).tolist() == [True, True, True, False, False, False]
    assert split_below(obs, 5).tolist() == [True, True, True, True, True, False]


def test_default_weights_favour_recent_trials() -> None:
    assert default_weights(10).tolist() == [1.0] * 10
    w = default_weights(100)
    assert w.shape == (100,) and np.all(np.diff(w) >= 0) and w[-25:].tolist() == [1.0] * 25 and w[0] < 0.05


def test_the_split_kept_up_to_date_chooses_the_rows_a_whole_split_chooses() -> None:
    rng = np.random.default_rng(4)
    trials = []
    for i in range(400):
        kind = i % 13
        if kind == 5:
            trials.append(albacore.create_trial(state=TrialState.PRUNED, intermediate_values={0: float(i)}))
        elif kind == 7:
            trials.append(albacore.create_trial(value=1.0, constraints={"c": 1.0}))
        else:
            # Few distinct values, so ties at the cut are common (they go to the lower trial number).
            trials.append(albacore.create_trial(value=float(rng.integers(0, 30))))
    numbered = [t._evolve(number=i, trial_id=i) for i, t in enumerate(trials)]
    growing = Observations(np.ones(1))
    split = BelowSplit()
    for end in [*range(1, 60), *range(60, 400, 17), 400]:
        growing.update(numbered[:end])
        n_below = min(math.ceil(0.1 * end), 25)
        whole = split_below(_observations(trials[:end]), n_below)
        assert split.split(growing, n_below).tolist() == whole.tolist()
    # Fewer good trials than last time, then more: both still match a whole split.
    assert split.split(growing, 3).tolist() == split_below(growing, 3).tolist()
    assert split.split(growing, 30).tolist() == split_below(growing, 30).tolist()


def test_the_split_kept_up_to_date_splits_several_objectives_whole_each_time() -> None:
    rng = np.random.default_rng(5)
    trials = [albacore.create_trial(values=rng.uniform(size=2).tolist()) for _ in range(120)]
    numbered = [t._evolve(number=i, trial_id=i) for i, t in enumerate(trials)]
    growing = Observations(np.ones(2))
    split = BelowSplit()
    for end in range(10, 121, 10):
        growing.update(numbered[:end])
        assert split.split(growing, end // 10).tolist() == split_below(growing, end // 10).tolist()


def test_reading_trials_in_one_batch_or_one_by_one_gives_the_same_table() -> None:
    trials = [
        albacore.create_trial(value=3.0, params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}),
        albacore.create_trial(state=TrialState.PRUNED, intermediate_values={2: 1.5, 4: -2.0}),
        albacore.create_trial(value=-1.0, constraints={"c": 0.5}),
        albacore.create_trial(value=2.0, constraints={"c": -0.5}),
        albacore.create_trial(state=TrialState.PRUNED),
        albacore.create_trial(state=TrialState.FAIL),
        albacore.create_trial(value=7.0),
    ]
    numbered = [t._evolve(number=i, trial_id=i) for i, t in enumerate(trials)]
    batch = Observations(np.array([-1.0]))
    batch.update(numbered)
    single = Observations(np.array([-1.0]))
    for end in range(1, len(numbered) + 1):
        single.update(numbered[:end])
    for obs in (batch, single):
        assert obs.numbers.view.tolist() == [0, 1, 2, 3, 4, 6]
        assert obs.tiers.view.tolist() == [TIER_COMPLETE, TIER_PRUNED, TIER_INFEASIBLE, TIER_COMPLETE, 2, 0]
        assert obs.keys.view.tolist() == [[0, 0], [-4, 2.0], [0.5, 0], [0, 0], [0, 0], [0, 0]]
        losses = obs.losses.view[:, 0]
        assert losses[[0, 3, 5]].tolist() == [-3.0, -2.0, -7.0] and np.isnan(losses[[1, 2, 4]]).all()
        assert obs.has_constraints and obs.ascending


def test_observations_know_when_trials_finished_out_of_number_order() -> None:
    trials = [albacore.create_trial(value=float(i))._evolve(number=i, trial_id=i) for i in range(4)]
    running = albacore.create_trial(state=TrialState.RUNNING)._evolve(number=1, trial_id=1)
    obs = Observations(np.ones(1))
    obs.update([trials[0], running, trials[2]])
    assert obs.ascending
    obs.update([trials[0], trials[1], trials[2], trials[3]])
    assert obs.numbers.view.tolist() == [0, 2, 1, 3] and not obs.ascending
