from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import albacore
from albacore.exceptions import InvalidArgumentError, StorageCorruptedError
from albacore.samplers import CmaEsSampler
from albacore.samplers._cmaes._state import dumps_optimizer, loads_optimizer
from albacore.trial import Trial, TrialState

cmaes = pytest.importorskip("cmaes")


def _mixed(trial: Trial) -> float:
    x = trial.suggest_float("x", -3, 3)
    n = trial.suggest_int("n", -5, 5)
    z = trial.suggest_float("z", 1e-3, 10, log=True)
    return x**2 + (n - 2) ** 2 + (np.log10(z)) ** 2


def _categorical(trial: Trial) -> float:
    x = trial.suggest_float("x", -3, 3)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    n = trial.suggest_int("n", 0, 4)
    return x**2 + (0.0 if c == "b" else 1.0) + abs(n - 3)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"use_separable_cma": True}, {"with_margin": True}, {"lr_adapt": True}, {"popsize": 8}],
)
def test_converges_on_a_mixed_numeric_space(kwargs: dict[str, object]) -> None:
    study = albacore.create_study(sampler=CmaEsSampler(seed=1, **kwargs))  # type: ignore[arg-type]
    study.optimize(_mixed, n_trials=200)
    assert study.best_value < 0.1


def test_categorical_parameters_through_catcma() -> None:
    study = albacore.create_study(sampler=CmaEsSampler(seed=1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        study.optimize(_categorical, n_trials=120)
    assert not [w for w in caught if "independently" in str(w.message)]
    assert study.best_params["c"] == "b" and study.best_params["n"] == 3
    assert study.best_value < 0.05
    stored = [k for k in study.system_attrs if k.startswith("cma:")]
    assert len(stored) == 1 and "CatCMAwM" in json.loads(study.system_attrs[stored[0]])["optimizer"]


def test_state_is_json_and_generations_advance() -> None:
    study = albacore.create_study(sampler=CmaEsSampler(seed=0, popsize=5))
    study.optimize(_mixed, n_trials=31)
    generations = [t.system_attrs["cma:trial"]["generation"] for t in study.trials[1:]]
    assert generations[:5] == [0] * 5 and generations[5:10] == [1] * 5
    state = json.loads(next(v for k, v in study.system_attrs.items() if k.startswith("cma:")))
    assert loads_optimizer(state["optimizer"]).generation == 5  # the last generation is told at the next ask


def test_reproducible_with_seed() -> None:
    runs = []
    for _ in range(2):
        study = albacore.create_study(sampler=CmaEsSampler(seed=7))
        study.optimize(_categorical, n_trials=30)
        runs.append([t.params for t in study.trials])
    assert runs[0] == runs[1]


def test_parallel_workers_share_generations() -> None:
    study = albacore.create_study(sampler=CmaEsSampler(seed=0, popsize=6))
    study.optimize(_mixed, n_trials=60, n_jobs=2)
    assert len(study.trials) == 60 and all(t.state == TrialState.COMPLETE for t in study.trials)
    keys = [k for k in study.system_attrs if k.startswith("cma:")]
    assert len(keys) == 1
    assert loads_optimizer(json.loads(study.system_attrs[keys[0]])["optimizer"]).generation >= 7


@pytest.mark.parametrize("strategy", ["ipop", "bipop"])
def test_restart_strategies_restart_after_stagnation(strategy: str) -> None:
    sampler = CmaEsSampler(seed=0, restart_strategy=strategy, popsize=4, inc_popsize=2)
    study = albacore.create_study(sampler=sampler)
    # A flat objective makes CMA-ES's stopping test (no change of f over many generations) fire.
    study.optimize(lambda t: t.suggest_float("x", -1, 1) * 0.0 + t.suggest_float("y", -1, 1) * 0.0, 130)
    restarts = [t.system_attrs["cma:trial"]["restart"] for t in study.trials if "cma:trial" in t.system_attrs]
    assert max(restarts) >= 1


def test_x0_sigma0_and_maximize() -> None:
    sampler = CmaEsSampler(x0={"x": 2.0, "n": 2, "z": 1.0}, sigma0=0.3, seed=0)
    study = albacore.create_study(direction="maximize", sampler=sampler)
    study.optimize(lambda t: -_mixed(t), n_trials=60)
    assert study.best_value > -0.1
    assert abs(study.trials[1].params["x"] - 2.0) < 1.5


def test_warm_start_from_source_trials() -> None:
    source = albacore.create_study(sampler=CmaEsSampler(seed=0))
    source.optimize(_mixed, n_trials=60)
    study = albacore.create_study(sampler=CmaEsSampler(seed=0, source_trials=source.trials))
    study.optimize(_mixed, n_trials=20)
    assert study.best_value < 1.0


def test_pruned_trials_count_when_asked() -> None:
    def objective(trial: Trial) -> float:
        value = _mixed(trial)
        trial.report(value, 0)
        if trial.number % 3 == 0:
            raise albacore.TrialPruned()
        return value

    study = albacore.create_study(sampler=CmaEsSampler(seed=0, consider_pruned_trials=True, popsize=5))
    study.optimize(objective, n_trials=40)
    state = json.loads(next(v for k, v in study.system_attrs.items() if k.startswith("cma:")))
    assert loads_optimizer(state["optimizer"]).generation >= 7


def test_conditional_parameters_fall_back_with_a_warning() -> None:
    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        return x**2 + (trial.suggest_float("extra", 0, 1) if trial.number % 2 else 0.0)

    study = albacore.create_study(sampler=CmaEsSampler(seed=0))
    with pytest.warns(UserWarning, match="extra"):
        study.optimize(objective, n_trials=6)


def test_multi_objective_is_rejected() -> None:
    study = albacore.create_study(directions=["minimize", "minimize"], sampler=CmaEsSampler(seed=0))
    with pytest.raises(ValueError, match="several objectives"):
        study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1.0), n_trials=3)


def test_invalid_arguments() -> None:
    with pytest.raises(InvalidArgumentError):
        CmaEsSampler(restart_strategy="nope")
    with pytest.raises(InvalidArgumentError):
        CmaEsSampler(sigma0=-1.0)
    with pytest.raises(InvalidArgumentError):
        CmaEsSampler(use_separable_cma=True, with_margin=True)


def test_codec_round_trips_every_optimizer_and_refuses_unknown_classes() -> None:
    bounds = np.tile([0.0, 1.0], (2, 1))
    optimizers = [
        cmaes.CMA(mean=np.full(2, 0.5), sigma=0.2, bounds=bounds, seed=1),
        cmaes.SepCMA(mean=np.full(2, 0.5), sigma=0.2, bounds=bounds, seed=1),
        cmaes.CMAwM(mean=np.full(2, 0.5), sigma=0.2, bounds=bounds, steps=np.array([0.0, 0.25]), seed=1),
        cmaes.CatCMAwM(x_space=[[0, 1]], c_space=[3], seed=1),
    ]
    for optimizer in optimizers:
        copy = loads_optimizer(dumps_optimizer(optimizer))
        a, b = optimizer.ask(), copy.ask()
        np.testing.assert_array_equal(getattr(a, "x", a), getattr(b, "x", b))
    evil = json.dumps({"__optimizer__": "Popen", "attrs": {}})
    with pytest.raises(StorageCorruptedError):
        loads_optimizer(evil)


def test_sampler_survives_pickling() -> None:
    import pickle

    sampler = pickle.loads(pickle.dumps(CmaEsSampler(seed=0)))
    study = albacore.create_study(sampler=sampler)
    study.optimize(_mixed, n_trials=12)
    assert len(study.trials) == 12
