from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

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


def test_categorical_parameters_through_catcma(caplog: pytest.LogCaptureFixture) -> None:
    study = albacore.create_study(sampler=CmaEsSampler(seed=1))
    study.optimize(_categorical, n_trials=120)
    assert "independently" not in caplog.text
    assert study.best_params["c"] == "b" and study.best_params["n"] == 3
    assert study.best_value < 0.05
    assert "CatCMAwM" in _stored_state(study)["optimizer"]


def test_state_is_json_and_generations_advance() -> None:
    study = albacore.create_study(sampler=CmaEsSampler(seed=0, popsize=5))
    study.optimize(_mixed, n_trials=31)
    generations = [t.system_attrs["cma:trial"]["generation"] for t in study.trials[1:]]
    assert generations[:5] == [0] * 5 and generations[5:10] == [1] * 5
    assert loads_optimizer(_stored_state(study)["optimizer"]).generation == 5  # the last is told at the next ask
    assert json.loads(json.dumps(_stored_state(study))) == _stored_state(study)
    # One shared record per space, advanced only by compare-and-set; each generation sampled from one state.
    assert [k for k in study.system_attrs if k.startswith("cma:")] == [k for k in study.system_attrs if "state" in k]
    ids = {(a["generation"], a["state_id"]) for t in study.trials[1:] for a in [t.system_attrs["cma:trial"]]}
    assert sorted(g for g, _ in ids) == list(range(6))


def _stored_state(study: albacore.Study) -> dict[str, Any]:
    (state,) = [v for k, v in study.system_attrs.items() if k.startswith("cma:") and k.endswith(":state")]
    assert isinstance(state, dict)
    return state


def _generation_of_next_trial(study: albacore.Study) -> int:
    trial = study.ask()
    _mixed(trial)
    generation: int = study._storage.get_trial(trial._trial_id).system_attrs["cma:trial"]["generation"]
    study.tell(trial, 1.0)
    return generation


def test_a_worker_with_a_stale_state_can_neither_store_it_nor_roll_the_generations_back() -> None:
    storage = albacore.storages.InMemoryStorage()
    study = albacore.create_study(storage=storage, sampler=CmaEsSampler(seed=0, popsize=4))
    study.optimize(_mixed, n_trials=9)
    (name,) = [k for k in study.system_attrs if k.endswith(":state")]
    stale = _stored_state(study)
    study.optimize(_mixed, n_trials=16)
    reached = max(t.system_attrs["cma:trial"]["generation"] for t in study.trials if "cma:trial" in t.system_attrs)
    assert reached >= 5 and _stored_state(study) != stale
    # A worker that read the state long ago and tries to store what it told from it loses the compare-and-set.
    assert not storage.compare_and_set_study_system_attr(study._study_id, name, stale, dict(stale, id="stale"))
    # Both this worker and a fresh one (another process) carry on from the most advanced state.
    assert _generation_of_next_trial(study) >= reached
    fresh = albacore.load_study(study_name=study.study_name, storage=storage, sampler=CmaEsSampler(seed=0, popsize=4))
    assert _generation_of_next_trial(fresh) >= reached


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
    assert loads_optimizer(_stored_state(study)["optimizer"]).generation >= 7


@pytest.mark.parametrize("strategy", ["ipop", "bipop"])
def test_restart_strategies_restart_after_stagnation(strategy: str) -> None:
    sampler = CmaEsSampler(seed=0, restart_strategy=strategy, popsize=4, inc_popsize=2)
    study = albacore.create_study(sampler=sampler)
    # A flat objective makes CMA-ES's stopping test (no change of f over many generations) fire.
    study.optimize(lambda t: t.suggest_float("x", -1, 1) * 0.0 + t.suggest_float("y", -1, 1) * 0.0, 130)
    restarts = [t.system_attrs["cma:trial"]["restart"] for t in study.trials if "cma:trial" in t.system_attrs]
    assert max(restarts) >= 1


def test_x0_sigma0_are_deprecated_but_work_and_maximize() -> None:
    with pytest.warns(FutureWarning) as caught:
        sampler = CmaEsSampler(x0={"x": 2.0, "n": 2, "z": 1.0}, sigma0=0.3, seed=0)
    messages = [str(w.message) for w in caught]
    assert any("`x0` argument is deprecated since v4.9.0" in m for m in messages)
    assert any("`sigma0` argument is deprecated since v4.9.0" in m for m in messages)
    study = albacore.create_study(direction="maximize", sampler=sampler)
    study.optimize(lambda t: -_mixed(t), n_trials=60)
    assert study.best_value > -0.1
    assert abs(study.trials[1].params["x"] - 2.0) < 1.5


@pytest.mark.parametrize("with_margin", [False, True])
def test_warm_start_from_source_trials(with_margin: bool) -> None:
    source = albacore.create_study(sampler=CmaEsSampler(seed=0))
    source.optimize(_mixed, n_trials=60)
    sampler = CmaEsSampler(seed=0, source_trials=source.trials, with_margin=with_margin)
    study = albacore.create_study(sampler=sampler)
    study.optimize(_mixed, n_trials=20)
    assert study.best_value < 1.0
    expected = "CMAwM" if with_margin else "CMA"
    assert json.loads(_stored_state(study)["optimizer"])["__optimizer__"] == expected


def test_warm_start_on_a_one_dimensional_space() -> None:
    source = albacore.create_study(sampler=CmaEsSampler(seed=0))
    source.optimize(lambda t: t.suggest_float("x", -10, 10) ** 2, n_trials=20)
    study = albacore.create_study(sampler=CmaEsSampler(seed=1, source_trials=source.trials))
    study.optimize(lambda t: t.suggest_float("x", -10, 10) ** 2, n_trials=10)
    assert len(study.trials) == 10


def test_separable_cma_on_one_dimension_falls_back_to_cma_with_a_warning() -> None:
    study = albacore.create_study(sampler=CmaEsSampler(seed=0, n_startup_trials=0, use_separable_cma=True))
    with pytest.warns(UserWarning, match="`use_separable_cma=True` is ignored"):
        study.optimize(lambda t: t.suggest_float("x", -3, 3) ** 2, n_trials=30)
    assert study.best_value < 0.1
    assert json.loads(_stored_state(study)["optimizer"])["__optimizer__"] == "CMA"


def test_pruned_trials_count_when_asked() -> None:
    def objective(trial: Trial) -> float:
        value = _mixed(trial)
        trial.report(value, 0)
        if trial.number % 3 == 0:
            raise albacore.TrialPruned()
        return value

    study = albacore.create_study(sampler=CmaEsSampler(seed=0, consider_pruned_trials=True, popsize=5))
    study.optimize(objective, n_trials=40)
    assert loads_optimizer(_stored_state(study)["optimizer"]).generation >= 7


@pytest.mark.parametrize("warn", [True, False])
def test_conditional_parameters_fall_back_with_a_logged_warning(warn: bool, caplog: pytest.LogCaptureFixture) -> None:
    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        return x**2 + (trial.suggest_float("extra", 0, 1) if trial.number % 2 else 0.0)

    study = albacore.create_study(sampler=CmaEsSampler(seed=0, warn_independent_sampling=warn))
    study.optimize(objective, n_trials=6)
    assert ("samples parameter 'extra' of trial #3 independently" in caplog.text) == warn


def test_multi_objective_is_rejected() -> None:
    study = albacore.create_study(directions=["minimize", "minimize"], sampler=CmaEsSampler(seed=0))
    with pytest.raises(ValueError, match="several objectives"):
        study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1.0), n_trials=3)
    # Already for the first trial, which is sampled independently.
    trial = albacore.trial.create_trial(state=TrialState.RUNNING)
    with pytest.raises(ValueError, match="several objectives"):
        study.sampler.sample_independent(study, trial, "x", albacore.distributions.FloatDistribution(0, 1))


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


def test_worker_processes_share_generations(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'cma.db'}"
    study = albacore.create_study(storage=storage, sampler=CmaEsSampler(seed=0, popsize=4))
    study.optimize(_mixed, n_trials=40, n_processes=2)
    tags = [t.system_attrs["cma:trial"]["generation"] for t in study.trials if "cma:trial" in t.system_attrs]
    # 39 sampled trials make 9 generations of 4 when the workers share them, about 5 when each keeps its own.
    assert len(study.trials) == 40 and max(tags) >= 7


def _run_worker(path: str, study_name: str, seed: int) -> None:
    storage = albacore.storages.JournalStorage(albacore.storages.journal.JournalFileBackend(path))
    study = albacore.load_study(study_name=study_name, storage=storage, sampler=CmaEsSampler(seed=seed, popsize=4))
    study.optimize(_mixed, n_trials=16)


def test_four_processes_advance_each_generation_once(tmp_path: Path) -> None:
    # Independent processes on one journal file, each with its own view: every generation must be told exactly
    # once (one state per generation, each following the previous without a gap).
    path = str(tmp_path / "cma.log")
    storage = albacore.storages.JournalStorage(albacore.storages.journal.JournalFileBackend(path))
    study = albacore.create_study(storage=storage, sampler=CmaEsSampler(seed=0, popsize=4))
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    workers = [context.Process(target=_run_worker, args=(path, study.study_name, seed)) for seed in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0] * 4
    tags = [t.system_attrs["cma:trial"] for t in study.trials if "cma:trial" in t.system_attrs]
    states_by_generation: dict[int, set[str | None]] = {}
    for tag in tags:
        states_by_generation.setdefault(tag["generation"], set()).add(tag["state_id"])
    assert len(study.trials) == 64
    assert sorted(states_by_generation) == list(range(len(states_by_generation)))  # no generation skipped
    assert all(len(ids) == 1 for ids in states_by_generation.values())  # none told twice, differently
    assert len(states_by_generation) >= 8
    assert loads_optimizer(_stored_state(study)["optimizer"]).generation >= max(states_by_generation)
