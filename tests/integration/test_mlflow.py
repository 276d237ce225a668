"""MLflowCallback with the real MLflow on local tracking stores (file and SQLite) in a temporary directory."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.integration import MLflowCallback
from albacore.trial import TrialState

mlflow = pytest.importorskip("mlflow")

from _worker import run_workers  # noqa: E402 - after the importorskip that guards this module

PARENT = "mlflow.parentRunId"


@pytest.fixture
def uri(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # The file store is fast to create; MLflow 3 asks for an explicit opt-in to use it.
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    # mlflow.set_experiment is process-wide; a test's choice must not follow the next test to another store.
    monkeypatch.setattr(mlflow.tracking.fluent, "_active_experiment_id", None)
    for variable in ("MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME"):
        monkeypatch.setenv(variable, "")  # recorded as unset, so the teardown removes what MLflow sets
        monkeypatch.delenv(variable)
    previous = mlflow.get_tracking_uri()
    yield f"file:{tmp_path / 'mlruns'}"
    while mlflow.active_run() is not None:
        mlflow.end_run()
    mlflow.set_tracking_uri(previous)


def _objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -1.0, 1.0)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    trial.set_user_attr("note", f"x was {x:.3f}")
    return (x - 0.5) ** 2 + (kind == "b")


def _runs(uri: str, experiment: str) -> list[Any]:
    client = mlflow.MlflowClient(uri)
    found = client.get_experiment_by_name(experiment)
    assert found is not None, f"no experiment {experiment!r}"
    return list(client.search_runs([found.experiment_id], max_results=1000))


def _trial_runs(uri: str, experiment: str) -> dict[int, Any]:
    return {int(run.data.tags["number"]): run for run in _runs(uri, experiment) if "number" in run.data.tags}


def test_each_trial_is_one_run_in_the_study_experiment(uri: str) -> None:
    study = albacore.create_study(study_name="basic")
    study.optimize(_objective, n_trials=4, callbacks=[MLflowCallback(tracking_uri=uri)])
    runs = _trial_runs(uri, "basic")
    assert sorted(runs) == [0, 1, 2, 3]
    for trial in study.trials:
        run = runs[trial.number]
        assert run.info.status == "FINISHED"
        assert run.info.run_name == str(trial.number)
        assert run.data.metrics == {"value": pytest.approx(trial.value)}
        assert run.data.params == {"x": str(trial.params["x"]), "kind": trial.params["kind"]}
        tags = run.data.tags
        assert (tags["state"], tags["direction"]) == ("COMPLETE", "MINIMIZE")
        assert tags["x_distribution"] == str(trial.distributions["x"])
        assert tags["note"] == trial.user_attrs["note"]
        assert tags["datetime_complete"] == str(trial.datetime_complete)


@pytest.mark.parametrize(
    ("names", "expected"), [("loss", ["loss_0", "loss_1"]), (["a", "b"], ["a", "b"]), (("a", "b"), ["a", "b"])]
)
def test_metric_names_of_several_objectives(uri: str, names: Any, expected: list[str]) -> None:
    study = albacore.create_study(study_name="multi", directions=["minimize", "maximize"])
    study.optimize(lambda t: (1.0, 2.0), n_trials=1, callbacks=[MLflowCallback(uri, metric_name=names)])
    run = _trial_runs(uri, "multi")[0]
    assert run.data.metrics == dict(zip(expected, [1.0, 2.0], strict=True))
    assert run.data.tags["direction"] == "['MINIMIZE', 'MAXIMIZE']"


def test_a_name_count_that_does_not_match_the_objectives_is_an_error(uri: str) -> None:
    study = albacore.create_study(directions=["minimize", "maximize"])
    with pytest.raises(InvalidArgumentError, match="3 metric names"):
        study.optimize(lambda t: (1.0, 2.0), n_trials=1, callbacks=[MLflowCallback(uri, metric_name=["a", "b", "c"])])


def test_existing_experiments_and_run_names(uri: str) -> None:
    mlflow.set_tracking_uri(uri)
    chosen = mlflow.create_experiment("chosen")
    mlflow.set_experiment("active")
    by_id = MLflowCallback(uri, create_experiment=False, mlflow_kwargs={"experiment_id": chosen, "run_name": "r"})
    albacore.create_study(study_name="s1").optimize(_objective, n_trials=2, callbacks=[by_id])
    active = MLflowCallback(uri, create_experiment=False, mlflow_kwargs={"tags": {"team": 7}})
    albacore.create_study(study_name="s2").optimize(_objective, n_trials=1, callbacks=[active])
    assert [run.info.run_name for run in _runs(uri, "chosen")] == ["r", "r"]
    assert _runs(uri, "active")[0].data.tags["team"] == "7"
    assert mlflow.MlflowClient(uri).get_experiment_by_name("s1") is None


def test_long_attributes_are_clipped_not_refused(uri: str) -> None:
    def objective(trial: albacore.Trial) -> float:
        trial.set_user_attr("long", "x" * 10_000)
        return 1.0

    study = albacore.create_study(study_name="long")
    study.set_user_attr("study_note", "y" * 9_000)
    study.optimize(objective, n_trials=1, callbacks=[MLflowCallback(uri, tag_study_user_attrs=True)])
    tags = _trial_runs(uri, "long")[0].data.tags
    assert len(tags["long"]) == 8000 and tags["long"].endswith("...")
    assert len(tags["study_note"]) == 8000


@pytest.mark.parametrize(("study_attrs", "trial_attrs"), [(True, False), (False, True)])
def test_user_attribute_tags_follow_the_flags(uri: str, study_attrs: bool, trial_attrs: bool) -> None:
    study = albacore.create_study(study_name="flags")
    study.set_user_attr("owner", "ana")
    callback = MLflowCallback(uri, tag_study_user_attrs=study_attrs, tag_trial_user_attrs=trial_attrs)
    study.optimize(_objective, n_trials=1, callbacks=[callback])
    tags = _trial_runs(uri, "flags")[0].data.tags
    assert ("owner" in tags) is study_attrs
    assert ("note" in tags) is trial_attrs


def test_pruned_and_failed_trials_keep_their_state(uri: str) -> None:
    def objective(trial: albacore.Trial) -> float:
        trial.suggest_float("x", 0, 1)
        if trial.number == 0:
            trial.report(0.5, 0)
            raise albacore.TrialPruned()
        raise ValueError("boom")

    study = albacore.create_study(study_name="states")
    study.optimize(objective, n_trials=2, catch=(ValueError,), callbacks=[MLflowCallback(uri)])
    runs = _trial_runs(uri, "states")
    assert (runs[0].info.status, runs[0].data.tags["state"]) == ("KILLED", "PRUNED")
    assert runs[0].data.metrics == {"value": 0.5}  # a pruned trial's value is its last report
    assert (runs[1].info.status, runs[1].data.tags["state"]) == ("FAILED", "FAIL")
    assert runs[1].data.metrics == {}


@pytest.mark.parametrize("tracked", [False, True])
def test_threads_log_every_trial_to_its_own_run(uri: str, tracked: bool) -> None:
    # Optuna issue #4088: "Run ... is already active" with n_jobs > 1.
    callback = MLflowCallback(uri)

    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        if tracked:
            mlflow.log_metric("x_again", x)  # must land in this trial's run, not another thread's
        return x * x

    study = albacore.create_study(study_name="threads")
    study.optimize(
        callback.track_in_mlflow()(objective) if tracked else objective, n_trials=12, n_jobs=4, callbacks=[callback]
    )
    runs = _trial_runs(uri, "threads")
    assert sorted(runs) == list(range(12))
    for trial in study.trials:
        metrics = runs[trial.number].data.metrics
        assert metrics["value"] == pytest.approx(trial.value)
        if tracked:
            assert metrics["x_again"] == pytest.approx(trial.params["x"])
            assert runs[trial.number].info.run_id == trial.system_attrs["mlflow_run_id"]
    assert len(_runs(uri, "threads")) == 12


@pytest.mark.parametrize("n_jobs", [1, 3])
def test_nested_without_a_parent_groups_trials_under_one_study_run(uri: str, n_jobs: int) -> None:
    # Optuna issue #5148: nested=True with no active run left every trial as a top-level run.
    callback = MLflowCallback(uri, mlflow_kwargs={"nested": True})
    study = albacore.create_study(study_name="grouped")
    study.optimize(callback.track_in_mlflow()(_objective), n_trials=6, n_jobs=n_jobs, callbacks=[callback])
    runs = _runs(uri, "grouped")
    parents = [run for run in runs if "number" not in run.data.tags]
    assert len(parents) == 1 and parents[0].info.run_name == "grouped"
    children = [run for run in runs if "number" in run.data.tags]
    assert len(children) == 6
    assert {run.data.tags[PARENT] for run in children} == {parents[0].info.run_id}


def test_nested_inside_the_users_run(uri: str) -> None:
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("outer")
    callback = MLflowCallback(uri, create_experiment=False, mlflow_kwargs={"nested": True})
    with mlflow.start_run() as outer:
        albacore.create_study().optimize(_objective, n_trials=3, callbacks=[callback])
        assert mlflow.active_run().info.run_id == outer.info.run_id  # the user's run is still the active one
    children = [run for run in _runs(uri, "outer") if run.info.run_id != outer.info.run_id]
    assert len(children) == 3
    assert all(run.data.tags[PARENT] == outer.info.run_id for run in children)


def test_an_active_run_without_nested_is_a_clear_error(uri: str) -> None:
    mlflow.set_tracking_uri(uri)
    with mlflow.start_run(), pytest.raises(InvalidArgumentError, match=r"Run with UUID \w+ is already active.*nested"):
        albacore.create_study().optimize(_objective, n_trials=1, callbacks=[MLflowCallback(uri)])


def test_the_decorator_keeps_the_objective_name_and_docstring(uri: str) -> None:
    def objective(trial: albacore.Trial) -> float:
        """Docstring."""
        return 0.0

    wrapped = MLflowCallback(uri).track_in_mlflow()(objective)
    assert (wrapped.__name__, wrapped.__doc__) == ("objective", "Docstring.")


def test_bad_arguments_are_refused_at_construction() -> None:
    with pytest.raises(InvalidArgumentError, match="nestd"):
        MLflowCallback(mlflow_kwargs={"nestd": True})
    with pytest.raises(InvalidArgumentError, match="metric_name"):
        MLflowCallback(metric_name=3)  # type: ignore[arg-type]


def test_a_pickled_callback_works_in_another_process(uri: str) -> None:
    callback = pickle.loads(pickle.dumps(MLflowCallback(uri, metric_name="loss")))
    albacore.create_study(study_name="pickled").optimize(_objective, n_trials=2, callbacks=[callback])
    assert sorted(_trial_runs(uri, "pickled")) == [0, 1]


def test_an_sqlite_tracking_store(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    callback = MLflowCallback(uri)
    albacore.create_study(study_name="sqlite").optimize(_objective, n_trials=2, n_jobs=2, callbacks=[callback])
    assert sorted(_trial_runs(uri, "sqlite")) == [0, 1]


@pytest.mark.slow
def test_several_processes_share_one_study_parent_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    tracking = f"sqlite:///{tmp_path / 'mlflow.db'}"
    study = albacore.create_study(storage=url, study_name="shared")
    # MLflow creates its SQLite schema on first use, and two processes doing that at once collide (in MLflow).
    mlflow.MlflowClient(tracking).search_experiments()
    run_workers("mlflow", url, "shared", 4, tracking)
    runs = _runs(tracking, "shared")
    children = [run for run in runs if "number" in run.data.tags]
    assert sorted(int(run.data.tags["number"]) for run in children) == list(range(8))
    assert len({run.data.tags[PARENT] for run in children}) == 1
    assert [t.state for t in albacore.load_study(study_name="shared", storage=url).trials] == [TrialState.COMPLETE] * 8
    assert study.study_name == "shared"
