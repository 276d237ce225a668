from __future__ import annotations

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.samplers import BruteForceSampler
from albacore.trial import TrialState


def conditional(trial: albacore.Trial) -> float:
    kind = trial.suggest_categorical("kind", ["float", "int", "none"])
    if kind == "float":
        return trial.suggest_float("x", 0.1, 0.3, step=0.1)
    if kind == "int":
        a = trial.suggest_int("a", 1, 3)
        b = trial.suggest_int("b", a, 3)
        return a + b
    return 0.0


EXPECTED = {
    ("float", 0.1),
    ("float", 0.2),
    ("float", 0.3),
    ("int", 1, 1),
    ("int", 1, 2),
    ("int", 1, 3),
    ("int", 2, 2),
    ("int", 2, 3),
    ("int", 3, 3),
    ("none",),
}


def _combos(study: albacore.Study) -> list[tuple[object, ...]]:
    return [tuple(t.params.values()) for t in study.trials if t.state == TrialState.COMPLETE]


@pytest.mark.parametrize("avoid_premature_stop", [False, True])
def test_enumerates_a_conditional_space_then_stops(avoid_premature_stop: bool) -> None:
    study = albacore.create_study(sampler=BruteForceSampler(seed=0, avoid_premature_stop=avoid_premature_stop))
    study.optimize(conditional, n_trials=100)
    combos = _combos(study)
    assert len(combos) == len(EXPECTED) and set(combos) == EXPECTED


def test_threads_cover_the_space() -> None:
    study = albacore.create_study(sampler=BruteForceSampler(seed=1, avoid_premature_stop=True))
    study.optimize(conditional, n_trials=60, n_jobs=2)
    assert set(_combos(study)) == EXPECTED
    assert len(study.trials) < 60


def test_seed_fixes_the_order() -> None:
    def order(seed: int) -> list[tuple[object, ...]]:
        study = albacore.create_study(sampler=BruteForceSampler(seed=seed))
        study.optimize(conditional)
        return _combos(study)

    assert order(5) == order(5)
    assert order(5) != order(6) or order(5) != order(7)


def test_pruned_and_failed_trials_count_as_tried() -> None:
    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_int("x", 0, 3)
        if x == 1:
            raise albacore.TrialPruned()
        if x == 2:
            raise ValueError("boom")
        return float(x)

    study = albacore.create_study(sampler=BruteForceSampler(seed=0))
    study.optimize(objective, catch=(ValueError,))
    assert sorted(t.params["x"] for t in study.trials) == [0, 1, 2, 3]


def test_running_trial_that_stopped_early_does_not_end_the_search_in_strict_mode() -> None:
    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_int("x", 0, 1)
        return float(x + (trial.suggest_int("y", 0, 1) if x == 0 else 0))

    for strict, expected_stop in [(False, True), (True, False)]:
        study = albacore.create_study(sampler=BruteForceSampler(seed=0, avoid_premature_stop=strict))
        study.enqueue_trial({"x": 1})
        study.optimize(objective, n_trials=1)
        # A running trial that chose x=0, wrote it to the storage (as at a report) and has not asked for y yet.
        study.enqueue_trial({"x": 0})
        running = study.ask()
        running.suggest_int("x", 0, 1)
        running._flush()
        seen: list[bool] = []

        def watch(study: albacore.Study, trial: object, seen: list[bool] = seen) -> None:
            seen.append(study._budget is not None and study._budget.stopped)

        # Another x=1 trial finishes: only the running trial's x=0 branch is left, and it looks like a leaf.
        study.enqueue_trial({"x": 1})
        study.optimize(objective, n_trials=1, callbacks=[watch])
        assert seen == [expected_stop]


def test_continuous_float_is_refused() -> None:
    study = albacore.create_study(sampler=BruteForceSampler())
    with pytest.raises(InvalidArgumentError, match="needs a finite search space"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)


def test_empty_objective_runs_once() -> None:
    study = albacore.create_study(sampler=BruteForceSampler())
    study.optimize(lambda t: 1.0, n_trials=5)
    assert len(study.trials) == 1


def test_running_trials_of_this_process_get_different_values_before_they_write_them() -> None:
    study = albacore.create_study(sampler=BruteForceSampler())
    first, second = study.ask(), study.ask()
    # Neither trial has written its parameter to the storage yet (writes are batched).
    assert {first.suggest_categorical("x", ["a", "b"]), second.suggest_categorical("x", ["a", "b"])} == {"a", "b"}


def _completed(params: dict[str, int], high: int) -> albacore.trial.FrozenTrial:
    dists = {name: albacore.distributions.IntDistribution(0, high) for name in params}
    return albacore.create_trial(params=params, distributions=dists, value=0.0)


@pytest.mark.parametrize(
    ("recorded", "high", "objective", "match"),
    [
        # A range that changes for the same path.
        ([], 1, lambda t: t.suggest_int("x", -1, t.number), "'x' was IntDistribution"),
        # A parameter after the point where a completed trial stopped.
        ([{"x": 0}], 0, lambda t: t.suggest_int("x", 0, 0) + t.suggest_int("y", 0, 0), "suggested nothing more"),
        # A completed trial that stops where another went on.
        ([{"x": 0, "y": 0}], 0, lambda t: t.suggest_int("x", 0, 0), "completed without suggesting 'y'"),
        # Another parameter first.
        ([{"x": 0}], 1, lambda t: t.suggest_int("y", 0, 1), "suggests 'y' where other trials suggested 'x'"),
    ],
)
def test_a_search_space_that_changes_along_a_path_is_refused(recorded, high, objective, match) -> None:  # type: ignore[no-untyped-def]
    study = albacore.create_study(sampler=BruteForceSampler(seed=0))
    study.add_trials([_completed(p, high) for p in recorded])
    with pytest.raises(ValueError, match=match):
        study.optimize(objective, n_trials=10)


def test_a_trial_that_fails_before_its_last_parameter_is_no_change_of_space() -> None:
    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_int("x", 0, 1)
        if trial.number == 0:
            raise RuntimeError("crashed before asking for y")
        return float(x + trial.suggest_int("y", 0, 1))

    study = albacore.create_study(sampler=BruteForceSampler(seed=0))
    study.optimize(objective, catch=(RuntimeError,), n_trials=1)
    # The same x again, this time reaching y: the failed trial's early end is no change of the search space.
    study.enqueue_trial({"x": study.trials[0].params["x"]})
    study.optimize(objective, n_trials=1)
    assert study.trials[1].state == TrialState.COMPLETE and "y" in study.trials[1].params
