"""WeightsAndBiasesCallback with the real wandb in offline mode (nothing leaves the machine)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.integration import WeightsAndBiasesCallback

wandb = pytest.importorskip("wandb")

from _worker import run_workers  # noqa: E402 - after the importorskip that guards this module


@dataclass
class Logged:
    """What the callback (and objectives) sent to W&B, recorded at ``Run.log``."""

    rows: list[tuple[str, dict[str, Any], int | None]] = field(default_factory=list)
    runs: dict[str, Any] = field(default_factory=dict)

    def of(self, run_id: str) -> list[tuple[dict[str, Any], int | None]]:
        return [(row, step) for rid, row, step in self.rows if rid == run_id]


@pytest.fixture
def logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Logged]:
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_SILENT", "true")
    record = Logged()
    original = wandb.sdk.wandb_run.Run.log

    def spy(run: Any, data: dict[str, Any], step: int | None = None, **kwargs: Any) -> Any:
        record.rows.append((run.id, dict(data), step))
        record.runs[run.id] = run
        return original(run, data, step=step, **kwargs)

    monkeypatch.setattr(wandb.sdk.wandb_run.Run, "log", spy)
    yield record
    if wandb.run is not None:
        wandb.finish()


def _kwargs(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {"project": "albacore-tests", "dir": str(tmp_path), **extra}


def _objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -1, 1)
    return x * x


def test_one_run_for_the_study_with_a_row_per_trial(tmp_path: Path, logged: Logged) -> None:
    callback = WeightsAndBiasesCallback(metric_name="loss", wandb_kwargs=_kwargs(tmp_path))
    run = wandb.run
    study = albacore.create_study()
    study.optimize(_objective, n_trials=4, callbacks=[callback])
    assert set(logged.runs) == {run.id}
    rows = logged.of(run.id)
    assert [step for _, step in rows] == [0, 1, 2, 3]
    for (row, _), trial in zip(rows, study.trials, strict=True):
        assert row == {"x": trial.params["x"], "loss": trial.value}
    assert run.config["direction"] == ["MINIMIZE"]


def test_one_run_per_trial_tagged_with_the_study(tmp_path: Path, logged: Logged) -> None:
    callback = WeightsAndBiasesCallback(wandb_kwargs=_kwargs(tmp_path, tags=["exp"]), as_multirun=True)
    assert wandb.run is None  # nothing is started before the first trial
    study = albacore.create_study(study_name="per-trial", direction="maximize")
    study.optimize(_objective, n_trials=3, callbacks=[callback])
    assert len(logged.runs) == 3 and wandb.run is None  # every trial's run is finished
    for trial in study.trials:
        (run_id, row, step) = next(entry for entry in logged.rows if entry[1]["trial_number"] == trial.number)
        run = logged.runs[run_id]
        assert row == {"x": trial.params["x"], "value": trial.value, "trial_number": trial.number}
        assert step is None
        assert run.name.startswith(f"trial/{trial.number}/")
        assert tuple(run.tags) == ("exp", "per-trial")
        assert run.config["direction"] == ["MAXIMIZE"] and run.config["x"] == trial.params["x"]


def test_trials_finishing_out_of_order_are_never_dropped(
    tmp_path: Path, logged: Logged, capsys: pytest.CaptureFixture[str]
) -> None:
    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        time.sleep(0.3 if trial.number % 3 == 0 else 0.0)  # early trials finish after later ones
        return x

    callback = WeightsAndBiasesCallback(wandb_kwargs=_kwargs(tmp_path, settings=wandb.Settings(silent=False)))
    run = wandb.run
    study = albacore.create_study()
    study.optimize(objective, n_trials=9, n_jobs=3, callbacks=[callback])
    rows = logged.of(run.id)
    steps = [step for _, step in rows]
    assert all(b > a for a, b in itertools.pairwise(steps)), steps  # W&B keeps only increasing steps
    numbers = sorted(row.get("trial_number", step) for row, step in rows)
    assert numbers == list(range(9))
    assert any("trial_number" in row for row, _ in rows), "the sleeps should make some trials finish late"
    wandb.finish()
    assert "less than the current step" not in capsys.readouterr().err


def test_the_objective_logs_to_the_study_run_without_hiding_trial_rows(tmp_path: Path, logged: Logged) -> None:
    callback = WeightsAndBiasesCallback(wandb_kwargs=_kwargs(tmp_path))
    run = wandb.run

    @callback.track_in_wandb()
    def objective(trial: albacore.Trial) -> float:
        for epoch in range(3):
            wandb.log({"epoch_loss": 1.0 / (epoch + 1)})  # advances the run's step past the trial number
        return _objective(trial)

    albacore.create_study().optimize(objective, n_trials=2, callbacks=[callback])
    rows = logged.of(run.id)
    trial_rows = [(row, step) for row, step in rows if "value" in row]
    assert len(trial_rows) == 2
    assert [row["trial_number"] for row, _ in trial_rows] == [0, 1]
    steps = [step for _, step in trial_rows]
    assert steps == sorted(set(steps)) and steps[0] > 2


def test_multirun_objective_logging_lands_in_the_trial_run(tmp_path: Path, logged: Logged) -> None:
    callback = WeightsAndBiasesCallback(wandb_kwargs=_kwargs(tmp_path), as_multirun=True)

    @callback.track_in_wandb()
    def objective(trial: albacore.Trial) -> float:
        value = _objective(trial)
        wandb.log({"inside": value})
        return value

    study = albacore.create_study()
    study.optimize(objective, n_trials=2, callbacks=[callback])
    assert len(logged.runs) == 2
    for trial in study.trials:
        run_id = next(rid for rid, row, _ in logged.rows if row.get("trial_number") == trial.number)
        rows = logged.of(run_id)
        assert rows[0][0] == {"inside": trial.value}
        assert rows[1][0]["value"] == trial.value
        assert rows[1][1] is not None and rows[1][1] >= 1  # after the objective's own row


def test_multirun_tracking_with_threads_is_refused(tmp_path: Path, logged: Logged) -> None:
    callback = WeightsAndBiasesCallback(wandb_kwargs=_kwargs(tmp_path), as_multirun=True)

    @callback.track_in_wandb()
    def objective(trial: albacore.Trial) -> float:
        time.sleep(0.5)
        return _objective(trial)

    with pytest.raises(InvalidArgumentError, match="one trial at a time"):
        albacore.create_study().optimize(objective, n_trials=4, n_jobs=2, callbacks=[callback])


def test_several_objectives_and_trials_without_values(tmp_path: Path, logged: Logged) -> None:
    callback = WeightsAndBiasesCallback(metric_name=["a", "b"], wandb_kwargs=_kwargs(tmp_path))
    run = wandb.run

    def objective(trial: albacore.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        if trial.number == 1:
            raise albacore.TrialPruned()
        return x, 1 - x

    study = albacore.create_study(directions=["minimize", "maximize"])
    study.optimize(objective, n_trials=2, callbacks=[callback])
    (first, _), (second, _) = logged.of(run.id)
    assert first == {"x": study.trials[0].params["x"], "a": study.trials[0].values[0], "b": study.trials[0].values[1]}
    assert second == {"x": study.trials[1].params["x"]}
    assert run.config["direction"] == ["MINIMIZE", "MAXIMIZE"]


def test_metric_name_errors(tmp_path: Path, logged: Logged) -> None:
    with pytest.raises(InvalidArgumentError, match="metric_name"):
        WeightsAndBiasesCallback(metric_name=1, as_multirun=True)  # type: ignore[arg-type]
    callback = WeightsAndBiasesCallback(metric_name=["a"], wandb_kwargs=_kwargs(tmp_path))
    study = albacore.create_study(directions=["minimize", "maximize"])
    with pytest.raises(InvalidArgumentError, match="1 metric names"):
        study.optimize(lambda t: (1.0, 2.0), n_trials=1, callbacks=[callback])


@pytest.mark.slow
def test_several_processes_each_log_their_trials(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    albacore.create_study(storage=url, study_name="wandb-shared")
    run_workers("wandb", url, "wandb-shared", 3, str(tmp_path))
    runs = sorted((tmp_path / "wandb").glob("offline-run-*"))
    assert len(runs) == 6  # one run per trial, from both processes
    trials = albacore.load_study(study_name="wandb-shared", storage=url).trials
    assert sorted(t.number for t in trials) == list(range(6))
