from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

import pytest

import albacore
from albacore.distributions import FloatDistribution
from albacore.exceptions import (
    DuplicatedStudyError,
    InvalidArgumentError,
    StudyNotFoundError,
    UpdateFinishedTrialError,
)
from albacore.study import MaxTrialsCallback, StudyDirection
from albacore.trial import TrialState


def _quadratic(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


def _study(**kwargs: Any) -> albacore.Study:
    return albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0), **kwargs)


def test_create_load_delete_and_list() -> None:
    storage = albacore.storages.InMemoryStorage()
    study = albacore.create_study(storage=storage, study_name="s1", direction="maximize")
    study.optimize(_quadratic, n_trials=3)
    with pytest.raises(DuplicatedStudyError, match="'s1' already exists"):
        albacore.create_study(storage=storage, study_name="s1")
    again = albacore.create_study(storage=storage, study_name="s1", load_if_exists=True)
    assert len(again.trials) == 3 and again.direction == StudyDirection.MAXIMIZE
    loaded = albacore.load_study(study_name="s1", storage=storage)
    assert loaded.best_value == study.best_value
    assert albacore.get_all_study_names(storage) == ["s1"]
    (summary,) = albacore.get_all_study_summaries(storage)
    assert summary.n_trials == 3 and summary.best_trial is not None
    assert summary.best_trial.value == study.best_value
    albacore.delete_study(study_name="s1", storage=storage)
    with pytest.raises(StudyNotFoundError, match="No study named 's1'"):
        albacore.load_study(study_name="s1", storage=storage)
    with pytest.raises(KeyError):  # Optuna users catch KeyError
        albacore.load_study(study_name="s1", storage=storage)


def test_copy_study_copies_trials_and_attributes() -> None:
    source = albacore.storages.InMemoryStorage()
    target = albacore.storages.InMemoryStorage()
    study = albacore.create_study(storage=source, study_name="a", directions=["minimize", "maximize"])
    study.set_user_attr("owner", "me")
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=4)
    study.enqueue_trial({"x": 0.5})
    albacore.copy_study(from_study_name="a", from_storage=source, to_storage=target)
    copied = albacore.load_study(study_name="a", storage=target)
    assert copied.directions == study.directions and copied.user_attrs == {"owner": "me"}
    assert [t.values for t in copied.trials] == [t.values for t in study.trials]
    assert copied.trials[-1].state == TrialState.WAITING


def test_direction_arguments_are_checked() -> None:
    with pytest.raises(InvalidArgumentError, match="'minimize' or 'maximize'"):
        albacore.create_study(direction="up")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="not both"):
        albacore.create_study(direction="minimize", directions=["minimize"])
    study = albacore.create_study(directions=["minimize", "maximize"])
    with pytest.raises(RuntimeError):
        _ = study.direction


def test_optimize_counts_trials_across_threads() -> None:
    study = _study()
    study.optimize(_quadratic, n_trials=40, n_jobs=4)
    numbers = sorted(t.number for t in study.trials)
    assert numbers == list(range(40))
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    study.optimize(_quadratic, n_trials=3, n_jobs=-1)
    assert len(study.trials) == 43


def test_timeout_stops_starting_trials() -> None:
    study = _study()

    def slow(trial: albacore.Trial) -> float:
        time.sleep(0.05)
        return _quadratic(trial)

    start = time.monotonic()
    study.optimize(slow, timeout=0.3)
    assert 1 <= len(study.trials) <= 10
    assert time.monotonic() - start < 5


def test_failing_objective_is_recorded_and_reraised_unless_caught(caplog: pytest.LogCaptureFixture) -> None:
    study = _study()

    def broken(trial: albacore.Trial) -> float:
        trial.suggest_float("x", 0, 1)
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError):
        study.optimize(broken, n_trials=3)
    assert [t.state for t in study.trials] == [TrialState.FAIL]
    study.optimize(broken, n_trials=3, catch=(ZeroDivisionError,))
    assert [t.state for t in study.trials] == [TrialState.FAIL] * 4
    assert "params" not in study.trials[0].params and "x" in study.trials[0].params
    assert "boom" in caplog.text


@pytest.mark.parametrize("bad", [None, math.nan, "x", [1.0, 2.0]])
def test_bad_objective_values_fail_the_trial_with_a_warning(bad: Any, caplog: pytest.LogCaptureFixture) -> None:
    study = _study()
    study.optimize(lambda t: bad, n_trials=2)
    assert [t.state for t in study.trials] == [TrialState.FAIL, TrialState.FAIL]
    assert "failed with parameters" in caplog.text


def test_numpy_scalars_are_accepted_as_values() -> None:
    import numpy as np

    study = _study()
    study.optimize(lambda t: np.float32(t.suggest_float("x", 0, 1)), n_trials=2)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_keyboard_interrupt_fails_the_running_trial_and_propagates() -> None:
    study = _study()

    def interrupted(trial: albacore.Trial) -> float:
        trial.suggest_float("x", 0, 1)
        if trial.number == 2:
            raise KeyboardInterrupt
        return 1.0

    with pytest.raises(KeyboardInterrupt):
        study.optimize(interrupted, n_trials=5)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE, TrialState.COMPLETE, TrialState.FAIL]
    study.optimize(lambda t: 1.0, n_trials=1)  # the study stays usable
    assert len(study.trials) == 4


def test_callbacks_stop_and_max_trials() -> None:
    study = _study()
    seen: list[int] = []

    def callback(s: albacore.Study, frozen: albacore.trial.FrozenTrial) -> None:
        seen.append(frozen.number)
        if frozen.number == 4:
            s.stop()

    study.optimize(_quadratic, n_trials=100, callbacks=[callback])
    assert seen == [0, 1, 2, 3, 4]
    study.optimize(_quadratic, n_trials=100, callbacks=[MaxTrialsCallback(8)])
    assert len(study.trials) == 8
    with pytest.raises(RuntimeError, match="only while"):
        study.stop()


def test_nested_optimize_is_refused() -> None:
    study = _study()

    def nested(trial: albacore.Trial) -> float:
        study.optimize(_quadratic, n_trials=1)
        return 0.0

    with pytest.raises(RuntimeError, match="cannot be nested"):
        study.optimize(nested, n_trials=1)
    with pytest.raises(RuntimeError, match="cannot be nested"):
        study.optimize(nested, n_trials=2, n_jobs=2)  # from a worker thread too


def test_threads_may_each_run_optimize_on_one_study_and_stop_ends_them_all() -> None:
    from concurrent.futures import ThreadPoolExecutor

    study = _study()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(study.optimize, _quadratic, n_trials=5) for _ in range(2)]:
            future.result()
    assert sorted(t.number for t in study.trials) == list(range(10))

    other_running = threading.Event()

    def stopping(trial: albacore.Trial) -> float:
        if other_running.wait(timeout=10):
            study.stop()
        return _quadratic(trial)

    def running(trial: albacore.Trial) -> float:
        other_running.set()
        time.sleep(0.01)
        return _quadratic(trial)

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(study.optimize, f, n_trials=50) for f in (stopping, running)]
        for future in futures:
            future.result()
    assert len(study.trials) < 30  # both calls stopped early


def test_ask_and_tell() -> None:
    study = _study(direction="maximize")
    trial = study.ask()
    x = trial.suggest_float("x", 0, 1)
    frozen = study.tell(trial, x)
    assert frozen.state == TrialState.COMPLETE and frozen.value == x and frozen.params == {"x": x}
    with pytest.raises(UpdateFinishedTrialError, match="skip_if_finished"):
        study.tell(trial, 1.0)
    assert study.tell(trial, 1.0, skip_if_finished=True).value == x

    by_number = study.ask()
    by_number.suggest_int("n", 0, 3)
    assert study.tell(by_number.number, 2.0).params == {"n": by_number.params["n"]}

    pruned = study.ask()
    pruned.report(0.3, 0)
    pruned.report(0.4, 1)
    assert study.tell(pruned, state=TrialState.PRUNED).value == 0.4
    failed = study.ask()
    assert study.tell(failed, state=TrialState.FAIL).values is None
    with pytest.raises(InvalidArgumentError, match="COMPLETE, PRUNED or FAIL"):
        study.tell(study.ask(), 1.0, state=TrialState.RUNNING)


def test_enqueue_trial_fixes_given_params_only() -> None:
    study = _study()
    study.enqueue_trial({"x": 1.5}, user_attrs={"source": "manual"})
    study.enqueue_trial({"x": 1.5}, skip_if_exists=True)
    assert len(study.trials) == 1
    study.optimize(lambda t: t.suggest_float("x", 0, 3) + t.suggest_float("y", 0, 1), n_trials=2)
    first = study.trials[0]
    assert first.params["x"] == 1.5 and 0 <= first.params["y"] <= 1
    assert first.user_attrs == {"source": "manual"}
    study.enqueue_trial({"x": 1.5}, skip_if_exists=True)
    assert len(study.trials) == 2


def test_enqueued_value_outside_the_range_warns_and_is_used() -> None:
    study = _study()
    study.enqueue_trial({"x": 7.0})
    trial = study.ask()
    with pytest.warns(UserWarning, match="outside"):
        assert trial.suggest_float("x", 0, 1) == 7.0


def test_enqueued_trials_are_claimed_once_across_threads() -> None:
    study = _study()
    for i in range(20):
        study.enqueue_trial({"x": float(i) / 20})
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=20, n_jobs=4)
    assert sorted(t.params["x"] for t in study.trials) == [i / 20 for i in range(20)]


def test_add_trials_and_best() -> None:
    study = _study()
    dist = {"x": FloatDistribution(0, 10)}
    study.add_trials(
        [albacore.create_trial(params={"x": float(v)}, distributions=dist, value=float(v)) for v in (5, 3, 8)]
    )
    study.add_trial(albacore.create_trial(state=TrialState.FAIL))
    assert study.best_value == 3.0 and study.best_params == {"x": 3.0} and study.best_trial.number == 1
    with pytest.raises(InvalidArgumentError, match="objective"):
        study.add_trial(albacore.create_trial(values=[1.0, 2.0]))


def test_best_trial_is_constraint_aware() -> None:
    study = _study()
    study.add_trial(albacore.create_trial(value=1.0, constraints={"c": 1.0}))
    with pytest.raises(ValueError, match="No feasible trials"):
        _ = study.best_trial
    study.add_trial(albacore.create_trial(value=5.0, constraints={"c": -1.0}))
    study.add_trial(albacore.create_trial(value=7.0))
    assert study.best_value == 5.0
    with pytest.raises(ValueError, match="No trials are completed"):
        _ = _study().best_trial


def test_best_trials_is_the_feasible_pareto_front() -> None:
    study = _study(directions=["minimize", "maximize"])
    points = [(1.0, 1.0), (2.0, 3.0), (2.0, 2.0), (3.0, 3.0), (0.5, 0.5), (1.0, 1.0)]
    for v in points:
        study.add_trial(albacore.create_trial(values=list(v)))
    study.add_trial(albacore.create_trial(values=[0.0, 10.0], constraints={"c": 0.5}))
    front = sorted(tuple(t.values) for t in study.best_trials)  # type: ignore[arg-type]
    assert front == [(0.5, 0.5), (1.0, 1.0), (1.0, 1.0), (2.0, 3.0)]
    with pytest.raises(RuntimeError):
        _ = study.best_trial


def test_attributes_and_metric_names() -> None:
    study = _study(directions=["minimize", "minimize"])
    study.set_user_attr("dataset", "digits")
    assert study.user_attrs == {"dataset": "digits"}
    study.set_metric_names(["loss", "latency"])
    assert study.metric_names == ["loss", "latency"]
    with pytest.raises(InvalidArgumentError):
        study.set_metric_names(["only-one"])


def test_trials_dataframe() -> None:
    study = _study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("n", 0, 2), n_trials=3)
    frame = study.trials_dataframe()
    assert list(frame["number"]) == [0, 1, 2]
    assert {"value", "params_x", "params_n", "state", "duration"} <= set(frame.columns)
    multi = _study(directions=["minimize", "maximize"])
    multi.set_metric_names(["loss", "acc"])
    multi.optimize(lambda t: (t.suggest_float("x", 0, 1), 1.0), n_trials=2)
    frame = multi.trials_dataframe(multi_index=True)
    assert ("values", "loss") in frame.columns and ("params", "x") in frame.columns
    # Unnamed objectives are numbered by ints, as in Optuna (`frame["values"][0]`), and flattened as values_0.
    unnamed = _study(directions=["minimize", "maximize"])
    unnamed.optimize(lambda t: (t.suggest_float("x", 0, 1), 2.0), n_trials=2)
    assert list(unnamed.trials_dataframe(multi_index=True)["values"][1]) == [2.0, 2.0]
    assert list(unnamed.trials_dataframe()["values_1"]) == [2.0, 2.0]


def test_info_log_line_per_trial(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="albacore"):
        albacore.logging.enable_propagation()
        try:
            _study().optimize(_quadratic, n_trials=2)
        finally:
            albacore.logging.disable_propagation()
    assert "Trial 1 finished with value:" in caplog.text and "Best is trial" in caplog.text


def test_verbosity_controls() -> None:
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    try:
        assert albacore.logging.get_verbosity() == albacore.logging.WARNING
    finally:
        albacore.logging.set_verbosity(albacore.logging.INFO)


def test_custom_sampler_subclass_works() -> None:
    class MidpointSampler(albacore.samplers.BaseSampler):
        def __init__(self) -> None:
            self.after: list[TrialState] = []

        def infer_relative_search_space(self, study: Any, trial: Any) -> dict[str, Any]:
            return {"x": FloatDistribution(-10, 10)}

        def sample_relative(self, study: Any, trial: Any, search_space: Any) -> dict[str, Any]:
            return {"x": 2.0}

        def sample_independent(self, study: Any, trial: Any, param_name: str, param_distribution: Any) -> Any:
            return param_distribution.low

        def after_trial(self, study: Any, trial: Any, state: TrialState, values: Any) -> None:
            self.after.append(state)

    sampler = MidpointSampler()
    study = albacore.create_study(sampler=sampler)
    study.optimize(lambda t: _quadratic(t) + t.suggest_float("y", 3, 4), n_trials=2)
    assert study.best_params == {"x": 2.0, "y": 3.0}
    assert sampler.after == [TrialState.COMPLETE, TrialState.COMPLETE]


def test_threads_share_one_in_memory_storage_safely() -> None:
    storage = albacore.storages.InMemoryStorage()
    study = albacore.create_study(storage=storage, sampler=albacore.samplers.RandomSampler(seed=1))
    barrier = threading.Barrier(4)

    def work() -> None:
        barrier.wait()
        for _ in range(25):
            trial = study.ask()
            study.tell(trial, trial.suggest_float("x", 0, 1))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(t.number for t in study.trials) == list(range(100))


def test_seeded_random_sampler_is_reproducible_with_threads() -> None:
    def run(n_jobs: int) -> dict[int, float]:
        study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=42))
        study.optimize(_quadratic, n_trials=20, n_jobs=n_jobs)
        return {t.number: t.params["x"] for t in study.trials}

    assert run(1) == run(3)


def test_infinite_values_complete_the_trial_in_optimize() -> None:
    study = _study(direction="maximize")
    study.optimize(lambda t: math.inf, n_trials=2)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 2 and study.best_value == math.inf


def test_a_study_with_an_in_memory_storage_pickles_and_goes_on() -> None:
    import pickle

    study = albacore.create_study()  # the default sampler and the in-memory storage, as users pickle them
    study.optimize(_quadratic, n_trials=3)
    again = pickle.loads(pickle.dumps(study))
    assert [t.params for t in again.trials] == [t.params for t in study.trials]
    again.optimize(_quadratic, n_trials=2)
    assert len(again.trials) == 5 and len(study.trials) == 3  # an independent copy


def test_study_summaries_compare_by_fields_and_sort_by_creation() -> None:
    import copy

    storage = albacore.storages.InMemoryStorage()
    for name in ("b", "a"):
        albacore.create_study(storage=storage, study_name=name)
    first, second = albacore.get_all_study_summaries(storage)
    assert first == copy.deepcopy(first) and first != second and first != 1
    assert first < second and first <= first and not second <= first
    assert sorted([second, first]) == [first, second]
    with pytest.raises(TypeError):
        _ = first < 1  # type: ignore[operator]


def test_trials_dataframe_names_unnamed_objectives_by_position() -> None:
    study = _study(directions=["minimize", "maximize"])
    study.optimize(lambda t: (3.0, 5.0), n_trials=1)
    nested = study.trials_dataframe(attrs=("values",), multi_index=True)
    assert nested.get("values")[0][0] == 3.0 and nested.get("values")[1][0] == 5.0
    assert list(study.trials_dataframe(attrs=("value",)).columns) == ["values_0", "values_1"]
    study.set_metric_names(["loss", "accuracy"])
    assert list(study.trials_dataframe(attrs=("values",)).columns) == ["values_loss", "values_accuracy"]


def test_trials_dataframe_orders_intermediate_steps_as_numbers() -> None:
    study = _study()

    def objective(trial: albacore.Trial) -> float:
        for step in (0, 10, 2):
            trial.report(float(step), step)
        return 0.0

    study.optimize(objective, n_trials=1)
    frame = study.trials_dataframe(attrs=("intermediate_values",))
    assert list(frame.columns) == ["intermediate_values_0", "intermediate_values_2", "intermediate_values_10"]


def test_trials_dataframe_takes_any_frozen_trial_attribute() -> None:
    study = _study()
    assert study.trials_dataframe().empty

    def objective(trial: albacore.Trial) -> float:
        trial.suggest_int("x", 1, 1)
        trial.suggest_categorical("y", (2.5,))
        return 3.5

    study.optimize(objective, n_trials=2)
    frame = study.trials_dataframe(attrs=("number", "_trial_id", "distributions", "state"), multi_index=True)
    assert list(frame.columns) == [
        ("number", ""),
        ("trial_id", ""),
        ("distributions", "x"),
        ("distributions", "y"),
        ("state", ""),
    ]
    assert frame[("distributions", "x")][0] == albacore.distributions.IntDistribution(1, 1)
    assert list(frame[("state", "")]) == ["COMPLETE", "COMPLETE"]
    with pytest.raises(InvalidArgumentError, match="no 'colour'"):
        study.trials_dataframe(attrs=("number", "colour"))
    study.set_metric_names(["loss"])
    assert list(study.trials_dataframe(attrs=("number", "value")).columns) == ["number", "value_loss"]


def test_optuna_module_paths_of_study_records() -> None:
    import importlib

    assert albacore.study.study.Study is albacore.Study  # an attribute once albacore.study is imported
    assert importlib.import_module("albacore.study._frozen").FrozenStudy.__name__ == "FrozenStudy"
    assert importlib.import_module("albacore.study._study_summary").StudySummary is albacore.study.StudySummary
