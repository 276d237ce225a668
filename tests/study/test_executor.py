"""``optimize(executor=...)``: trials as tasks of a concurrent.futures executor; this process keeps the loop."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import pathlib
from collections.abc import Iterator

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError, InvalidArgumentTypeError
from albacore.trial import TrialState


@pytest.fixture(scope="module")
def pool() -> Iterator[concurrent.futures.ProcessPoolExecutor]:
    """One spawned worker process, shared by the module (spawning is the slow part)."""
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as executor:
        yield executor


def quadratic(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    trial.set_user_attr("pid", os.getpid())
    return x * x


def fails_on_three(trial: albacore.Trial) -> float:
    if trial.number == 3:
        raise ZeroDivisionError("three")
    return quadratic(trial)


def dies_on_two(trial: albacore.Trial) -> float:
    if trial.number == 2:
        os._exit(3)
    return quadratic(trial)


def _study(tmp_path: pathlib.Path) -> albacore.Study:
    storage = f"sqlite:///{tmp_path / 'executor.db'}"
    return albacore.create_study(storage=storage, sampler=albacore.samplers.RandomSampler(seed=1))


def test_trials_run_in_the_pool_and_callbacks_here(
    pool: concurrent.futures.ProcessPoolExecutor, tmp_path: pathlib.Path
) -> None:
    study = _study(tmp_path)
    seen: list[tuple[int, int]] = []
    study.optimize(quadratic, n_trials=10, executor=pool, callbacks=[lambda s, t: seen.append((t.number, os.getpid()))])
    trials = study.trials
    assert [t.number for t in trials] == list(range(10))
    assert all(t.state == TrialState.COMPLETE for t in trials)
    assert os.getpid() not in {t.user_attrs["pid"] for t in trials}
    assert sorted(n for n, _ in seen) == list(range(10)) and {pid for _, pid in seen} == {os.getpid()}


def test_an_uncaught_error_is_raised_here_and_caught_ones_go_on(
    pool: concurrent.futures.ProcessPoolExecutor, tmp_path: pathlib.Path
) -> None:
    study = _study(tmp_path)
    with pytest.raises(ZeroDivisionError, match="three"):
        study.optimize(fails_on_three, n_trials=8, executor=pool)
    assert study.trials[3].state == TrialState.FAIL
    assert len(study.trials) == 4  # one trial in flight at a time: nothing started after the error
    study.optimize(fails_on_three, n_trials=2, executor=pool, n_jobs=2, catch=ZeroDivisionError)
    assert len(study.trials) == 6


def test_stop_from_a_callback_ends_the_loop(
    pool: concurrent.futures.ProcessPoolExecutor, tmp_path: pathlib.Path
) -> None:
    study = _study(tmp_path)

    def stop_at_four(s: albacore.Study, t: albacore.trial.FrozenTrial) -> None:
        if t.number >= 3:
            s.stop()

    study.optimize(quadratic, n_trials=50, executor=pool, callbacks=[stop_at_four])
    assert len(study.trials) == 4  # one trial in flight at a time: the pool has one worker


def test_an_in_memory_study_is_refused_with_what_works(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    study = albacore.create_study()
    with pytest.raises(InvalidArgumentError, match="DaskStorage") as info:
        study.optimize(quadratic, n_trials=2, executor=pool)
    assert "gRPC" in str(info.value) and "postgresql" in str(info.value)
    assert study.trials == []
    in_memory_sqlite = albacore.create_study(storage="sqlite://")
    with pytest.raises(InvalidArgumentError, match="in-memory"):
        in_memory_sqlite.optimize(quadratic, n_trials=2, executor=pool)


def test_threads_share_an_in_memory_study() -> None:
    study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
    with concurrent.futures.ThreadPoolExecutor(3) as threads:
        study.optimize(quadratic, n_trials=12, executor=threads)
    assert sorted(t.number for t in study.trials) == list(range(12))
    assert {t.user_attrs["pid"] for t in study.trials} == {os.getpid()}


def test_bad_arguments() -> None:
    study = albacore.create_study()
    with pytest.raises(InvalidArgumentTypeError, match="Executor"):
        study.optimize(quadratic, n_trials=1, executor="dask")  # type: ignore[arg-type]
    with concurrent.futures.ThreadPoolExecutor(1) as threads, pytest.raises(InvalidArgumentError, match="n_processes"):
        study.optimize(quadratic, n_trials=1, executor=threads, n_processes=2)


@pytest.mark.slow  # spawns a pool of its own
def test_a_worker_process_that_dies_fails_its_trial(tmp_path: pathlib.Path) -> None:
    study = _study(tmp_path)
    context = multiprocessing.get_context("spawn")
    with (
        concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as doomed,
        pytest.raises(concurrent.futures.process.BrokenProcessPool),
    ):
        study.optimize(dies_on_two, n_trials=5, executor=doomed)
    states = [t.state for t in study.trials]
    assert states == [TrialState.COMPLETE, TrialState.COMPLETE, TrialState.FAIL]
