from __future__ import annotations

import itertools
import multiprocessing
import pathlib
import pickle
import threading

import numpy as np
import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.samplers import GridSampler
from albacore.trial import TrialState

GRID = {"x": [-1, 0, 1], "y": ["a", "b"], "z": [0.5, 1.5]}
POINTS = {(x, y, z) for x, y, z in itertools.product(GRID["x"], GRID["y"], GRID["z"])}


def objective(trial: albacore.Trial) -> float:
    x = trial.suggest_int("x", -1, 1)
    y = trial.suggest_categorical("y", ["a", "b"])
    z = trial.suggest_float("z", 0.0, 2.0)
    return x * x + z + (y == "a")


def _points(study: albacore.Study) -> list[tuple[object, ...]]:
    return [
        (t.params["x"], t.params["y"], t.params["z"])
        for t in study.trials
        if t.state == TrialState.COMPLETE and t.params
    ]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_every_point_once_then_stop(n_jobs: int) -> None:
    study = albacore.create_study(sampler=GridSampler(GRID))
    study.optimize(objective, n_trials=100, n_jobs=n_jobs)
    points = _points(study)
    assert sorted(points, key=repr) == sorted(POINTS, key=repr)
    assert study.sampler.is_exhausted(study)  # type: ignore[attr-defined]
    # A racing thread may have started one trial after the last point was taken: it is pruned before any work.
    extra = [t for t in study.trials if t.state != TrialState.COMPLETE]
    assert len(extra) <= n_jobs - 1
    assert all(t.state == TrialState.PRUNED and not t.params for t in extra)


def test_several_workers_with_their_own_samplers_share_the_grid() -> None:
    storage = albacore.storages.InMemoryStorage()
    albacore.create_study(storage=storage, study_name="g")
    workers = [albacore.load_study(study_name="g", storage=storage, sampler=GridSampler(GRID)) for _ in range(3)]
    threads = [threading.Thread(target=w.optimize, args=(objective,), kwargs={"n_trials": 5}) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    study = workers[0]
    points = _points(study)
    assert len(points) == len(set(points)) == len(POINTS)


def test_interleaved_ask_and_tell_never_repeat_a_point() -> None:
    study = albacore.create_study(sampler=GridSampler(GRID, seed=1))
    trials = [study.ask() for _ in range(len(POINTS))]
    # Suggest in reverse creation order: the point belongs to the trial number, not to who asks first.
    for trial in reversed(trials):
        study.tell(trial, objective(trial))
    assert set(_points(study)) == POINTS
    assert study.sampler.is_exhausted(study)  # type: ignore[attr-defined]
    # Past the grid, outside optimize: a grid point is re-run (Optuna's behaviour).
    extra = study.ask()
    objective(extra)
    assert (extra.params["x"], extra.params["y"], extra.params["z"]) in POINTS


def test_seed_fixes_the_order() -> None:
    def order(seed: int | None, name: str) -> list[tuple[object, ...]]:
        study = albacore.create_study(study_name=name, sampler=GridSampler(GRID, seed=seed))
        study.optimize(objective)
        return _points(study)

    assert order(3, "a") == order(3, "b")
    assert order(3, "c") != order(4, "c")
    assert order(None, "same") != order(None, "other") or order(None, "x") != order(None, "y")


def test_enqueued_and_added_trials() -> None:
    study = albacore.create_study(sampler=GridSampler(GRID))
    study.enqueue_trial({"x": 0, "y": "b", "z": 1.5})
    # Trials added as finished or run by other samplers do not take grid points.
    study.add_trial(albacore.create_trial(value=1.0))
    study.optimize(objective)
    points = _points(study)
    assert points[0] == (0, "b", 1.5)
    assert sorted(points, key=repr) == sorted(POINTS, key=repr)
    assert len(study.trials) == len(POINTS) + 1


def test_enqueued_after_the_point_was_taken_repeats_it() -> None:
    study = albacore.create_study(sampler=GridSampler({"x": [1, 2]}))
    study.optimize(lambda t: t.suggest_int("x", 0, 5))
    study.enqueue_trial({"x": 1})
    study.optimize(lambda t: t.suggest_int("x", 0, 5), n_trials=1)
    assert [t.params["x"] for t in study.trials].count(1) == 2


def test_parameter_not_in_grid() -> None:
    study = albacore.create_study(sampler=GridSampler({"x": [1, 2]}))
    with pytest.raises(InvalidArgumentError, match="'w' is not in the grid"):
        study.optimize(lambda t: t.suggest_int("x", 0, 5) + t.suggest_int("w", 0, 5))
    assert study.trials[0].state == TrialState.FAIL


@pytest.mark.parametrize(
    "suggest",
    [
        lambda t: t.suggest_int("x", 0, 1),
        lambda t: t.suggest_float("x", 0.0, 4.0, step=2.0),
    ],
)
def test_a_grid_value_outside_the_range_is_used_with_a_warning(suggest: object) -> None:
    study = albacore.create_study(sampler=GridSampler({"x": [1, 2]}, seed=0))
    with pytest.warns(UserWarning, match="outside the distribution"):
        study.optimize(lambda t: suggest(t), n_trials=2)  # type: ignore[operator]
    assert sorted(t.params["x"] for t in study.trials) == [1, 2]


def test_a_grid_value_that_is_no_choice_is_an_error() -> None:
    study = albacore.create_study(sampler=GridSampler({"x": [1, 2]}, seed=0))
    with pytest.raises(InvalidArgumentError, match="cannot be a value of the distribution"):
        study.optimize(lambda t: t.suggest_categorical("x", [1, 3]), n_trials=2)


@pytest.mark.parametrize(
    "space",
    [{}, {"x": []}, {"x": "abc"}, {"x": [object()]}, {"x": np.array([])}, [("x", [1])]],
)
def test_invalid_search_space(space: object) -> None:
    with pytest.raises(InvalidArgumentError):
        GridSampler(space)  # type: ignore[arg-type]


def test_numpy_grids_and_values() -> None:
    grid = {"x": np.arange(0.0, 1.0, 0.25), "n": [np.int64(1), np.int64(2)], "c": ("a", None)}
    study = albacore.create_study(sampler=GridSampler(grid))  # type: ignore[arg-type]

    def objective(t: albacore.Trial) -> float:
        return t.suggest_float("x", 0, 1) + t.suggest_int("n", 0, 3) + (t.suggest_categorical("c", ["a", None]) is None)

    study.optimize(objective)
    seen = {(t.params["x"], t.params["n"], t.params["c"]) for t in study.trials}
    assert seen == set(itertools.product([0.0, 0.25, 0.5, 0.75], [1, 2], ["a", None]))
    assert all(type(t.params["n"]) is int for t in study.trials)


def test_nan_is_a_grid_value_of_a_categorical() -> None:
    study = albacore.create_study(sampler=GridSampler({"x": [0, float("nan")]}))
    study.optimize(lambda t: float(np.isnan(t.suggest_categorical("x", [0, float("nan")]))))
    assert len(study.trials) == 2 and sorted(t.value for t in study.trials) == [0.0, 1.0]


def test_an_enqueued_trial_off_the_grid_takes_no_point() -> None:
    study = albacore.create_study(sampler=GridSampler({"a": [0, 50]}))
    study.enqueue_trial({"a": 100})
    study.optimize(lambda t: t.suggest_int("a", 0, 100))
    assert study.trials[0].params["a"] == 100
    assert sorted(t.params["a"] for t in study.trials[1:]) == [0, 50]


def test_an_enqueued_trial_must_give_every_grid_parameter() -> None:
    study = albacore.create_study(sampler=GridSampler({"a": [0, 50], "b": [1, 2]}))
    study.enqueue_trial({"a": 0})
    with pytest.raises(ValueError, match="enqueued without a value for grid parameter 'b'"):
        study.optimize(lambda t: t.suggest_int("a", 0, 100) + t.suggest_int("b", 0, 100))


def test_a_retried_trial_runs_the_point_of_the_trial_it_retries() -> None:
    study = albacore.create_study(sampler=GridSampler({"a": [0, 50]}))
    stale = study.ask()
    point = stale.suggest_int("a", 0, 100)
    # The parameter was not written yet when the trial went stale: the retry still gets its grid point.
    albacore.storages.RetryHeartbeatStaleTrialCallback()(study, study.trials[0])
    study.optimize(lambda t: t.suggest_int("a", 0, 100))
    assert len(study.trials) == 3
    assert study.trials[1].params["a"] == point
    assert study.trials[1].system_attrs["grid_id"] == study.trials[0].system_attrs["grid_id"]
    assert sorted(t.params["a"] for t in study.trials[1:]) == [0, 50]


def test_large_grid_is_replayed_incrementally() -> None:
    study = albacore.create_study(sampler=GridSampler({"a": list(range(40)), "b": list(range(25))}, seed=0))
    study.optimize(lambda t: t.suggest_int("a", 0, 39) + t.suggest_int("b", 0, 24))
    pairs = {(t.params["a"], t.params["b"]) for t in study.trials}
    assert len(study.trials) == len(pairs) == 1000


def _grid_worker(url: str) -> None:
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    study = albacore.load_study(study_name="procs", storage=url, sampler=GridSampler(GRID))
    study.optimize(objective)


def test_processes_share_the_grid_through_the_storage(tmp_path: pathlib.Path) -> None:
    url = f"journal:///{tmp_path / 'grid.log'}"
    albacore.create_study(study_name="procs", storage=url)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_grid_worker, args=(url,)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    study = albacore.load_study(study_name="procs", storage=url)
    points = _points(study)
    assert len(points) == len(set(points)) == len(POINTS)
    # Each process may start at most one trial after the other took the last point; it is pruned unrun.
    assert len(study.trials) <= len(POINTS) + 2


def test_a_pickled_sampler_carries_on_without_repeats() -> None:
    sampler = GridSampler(GRID, seed=0)
    study = albacore.create_study(sampler=sampler)
    study.optimize(objective, n_trials=5)
    study.sampler = pickle.loads(pickle.dumps(sampler))
    study.optimize(objective)
    assert sorted(_points(study), key=repr) == sorted(POINTS, key=repr)


def test_a_point_is_never_taken_twice_when_an_unused_running_trial_ends_without_one() -> None:
    # A look-ahead trial (created, never asked) is RUNNING without a stamp when the next trial takes its point,
    # so it counts then as a grid trial; it is failed unused later. A worker replaying after that must keep the
    # point the next trial stamped, not recompute it from the changed prefix.
    grid = {"x": [0, 1, 2, 3]}
    study = albacore.create_study(sampler=GridSampler(grid, seed=0))
    unused = study._storage.create_new_trial(study._study_id)
    first = study.ask()
    first_x = first.suggest_int("x", 0, 3)
    study._storage.set_trial_state_values(unused, TrialState.FAIL)
    other = albacore.load_study(study_name=study.study_name, storage=study._storage, sampler=GridSampler(grid, seed=0))
    taken = [first_x] + [other.ask().suggest_int("x", 0, 3) for _ in range(3)]
    assert sorted(taken) == [0, 1, 2, 3]
