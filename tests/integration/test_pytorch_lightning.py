"""PyTorchLightningPruningCallback with the real Lightning on CPU: one process, DDP, several worker processes."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.trial import TrialState

pl = pytest.importorskip("lightning.pytorch")
torch = pytest.importorskip("torch")

from _lightning_models import TinyClassifier, quiet_trainer, tiny_loaders  # noqa: E402 - needs torch, checked just above
from _worker import ROUNDS as WORKER_ROUNDS  # noqa: E402
from _worker import run_workers  # noqa: E402

from albacore.integration import PyTorchLightningPruningCallback  # noqa: E402

EPOCHS = 3


def _trainer(callback: Any, epochs: int = EPOCHS, **extra: Any) -> Any:
    return quiet_trainer(callback, epochs, **extra)


class RankAccuracy(TinyClassifier):
    """Logs accuracy 0.3 on rank 0 and 0.6 on rank 1, averaged over ranks (0.45) unless only rank 0 logs it."""

    def __init__(self, rank_zero_only: bool = False) -> None:
        super().__init__()
        self.rank_zero_only = rank_zero_only

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        if self.rank_zero_only:
            if self.global_rank == 0:
                self.log("accuracy", 0.3, rank_zero_only=True)
            return
        self.log("accuracy", torch.tensor(0.3 if self.global_rank == 0 else 0.6), sync_dist=True)


def _ddp_objective(strategy: str, rank_zero_only: bool = False) -> Callable[[albacore.Trial], float]:
    def objective(trial: albacore.Trial) -> float:
        callback = PyTorchLightningPruningCallback(trial, monitor="accuracy")
        trainer = _trainer(callback, epochs=2, devices=2, strategy=strategy)
        with warnings.catch_warnings():
            # Forked ranks inherit pytest's warnings-as-errors; a metric logged on one rank makes Lightning
            # recommend sync_dist, which is the situation under test.
            warnings.filterwarnings("ignore", message=r".*sync_dist=True", category=UserWarning)
            trainer.fit(RankAccuracy(rank_zero_only), *tiny_loaders(n=16))
        callback.check_pruned()
        return 1.0

    return objective


@pytest.fixture(autouse=True)
def _one_torch_thread() -> None:
    torch.set_num_threads(1)


def test_reports_every_epoch_and_completes(fixed_pruner: Callable[[bool], Any]) -> None:
    last: list[float] = []

    def objective(trial: albacore.Trial) -> float:
        callback = PyTorchLightningPruningCallback(trial, monitor="val_loss")
        trainer = _trainer(callback)
        trainer.fit(TinyClassifier(), *tiny_loaders())
        last.append(float(trainer.callback_metrics["val_loss"]))
        return last[-1]

    study = albacore.create_study(pruner=fixed_pruner(False))
    study.optimize(objective, n_trials=1)
    trial = study.trials[0]
    assert trial.state == TrialState.COMPLETE
    assert sorted(trial.intermediate_values) == list(range(EPOCHS))
    assert trial.intermediate_values[EPOCHS - 1] == pytest.approx(last[0])
    assert trial.intermediate_values[0] > trial.intermediate_values[EPOCHS - 1]  # the model learns


def test_pruning_raises_from_fit_after_the_first_epoch(fixed_pruner: Callable[[bool], Any]) -> None:
    def objective(trial: albacore.Trial) -> float:
        _trainer(PyTorchLightningPruningCallback(trial, monitor="val_acc")).fit(TinyClassifier(), *tiny_loaders())
        return 1.0

    study = albacore.create_study(pruner=fixed_pruner(True))
    study.optimize(objective, n_trials=1)
    assert study.trials[0].state == TrialState.PRUNED
    assert list(study.trials[0].intermediate_values) == [0]


def test_median_pruner_stops_bad_learning_rates() -> None:
    def objective(trial: albacore.Trial) -> float:
        torch.manual_seed(trial.number)  # the same initial weights in every run of the test
        callback = PyTorchLightningPruningCallback(trial, monitor="val_loss")
        trainer = _trainer(callback, epochs=4)
        trainer.fit(TinyClassifier(trial.suggest_float("lr", 1e-4, 1.0, log=True)), *tiny_loaders())
        callback.check_pruned()  # harmless in one process
        return float(trainer.callback_metrics["val_loss"])

    sampler = albacore.samplers.RandomSampler(seed=3)
    study = albacore.create_study(sampler=sampler, pruner=albacore.pruners.MedianPruner(n_startup_trials=2))
    study.optimize(objective, n_trials=8)
    pruned = [t for t in study.trials if t.state == TrialState.PRUNED]
    assert pruned and all(len(t.intermediate_values) < 4 for t in pruned)


def test_a_missing_metric_warns_and_reports_nothing(fixed_pruner: Callable[[bool], Any]) -> None:
    study = albacore.create_study(pruner=fixed_pruner(True))
    trial = study.ask()
    callback = PyTorchLightningPruningCallback(trial, monitor="val_accuracy")
    with pytest.warns(UserWarning, match=r"'val_accuracy' is not in trainer.callback_metrics.*'val_acc'"):
        _trainer(callback, epochs=1).fit(TinyClassifier(), *tiny_loaders())
    study.tell(trial, 1.0)
    assert study.trials[0].intermediate_values == {}


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="monitor"):
        PyTorchLightningPruningCallback(albacore.create_study().ask(), monitor="")
    two_objectives = albacore.create_study(directions=["minimize", "maximize"])
    with pytest.raises(InvalidArgumentError, match="single-objective"):
        PyTorchLightningPruningCallback(two_objectives.ask(), monitor="val_loss")


@pytest.mark.slow
@pytest.mark.parametrize("prune", [True, False])
def test_ddp_reports_the_synced_metric_and_prunes_every_rank(
    tmp_path: Path, fixed_pruner: Callable[[bool], Any], prune: bool
) -> None:
    url = f"sqlite:///{tmp_path / 'ddp.db'}"
    study = albacore.create_study(storage=url, pruner=fixed_pruner(prune))
    study.optimize(_ddp_objective("ddp_fork"), n_trials=1)
    trial = albacore.load_study(study_name=study.study_name, storage=url).trials[0]
    # Both views agree: the storage and this process's study.
    assert study.trials[0].intermediate_values == trial.intermediate_values
    if prune:
        assert trial.state == TrialState.PRUNED
        assert trial.intermediate_values == pytest.approx({0: 0.45})
    else:
        assert trial.state == TrialState.COMPLETE and trial.value == 1.0
        assert trial.intermediate_values == pytest.approx({0: 0.45, 1: 0.45})


@pytest.mark.slow
def test_ddp_with_the_metric_on_rank_zero_only(tmp_path: Path, fixed_pruner: Callable[[bool], Any]) -> None:
    # Optuna issue #1417: ranks whose callback_metrics lack the metric. Rank 1 must follow rank 0, not hang.
    url = f"journal:///{tmp_path / 'ddp.log'}"
    study = albacore.create_study(storage=url, pruner=fixed_pruner(True))
    study.optimize(_ddp_objective("ddp_fork", rank_zero_only=True), n_trials=1)
    assert study.trials[0].state == TrialState.PRUNED
    assert study.trials[0].intermediate_values == pytest.approx({0: 0.3})


@pytest.mark.slow
def test_ddp_spawn(tmp_path: Path, fixed_pruner: Callable[[bool], Any]) -> None:
    url = f"sqlite:///{tmp_path / 'spawn.db'}"
    study = albacore.create_study(storage=url, pruner=fixed_pruner(True))
    with warnings.catch_warnings():
        # Spawned workers re-import this module; Lightning warns that ddp_spawn is slower than ddp.
        warnings.simplefilter("ignore", UserWarning)
        study.optimize(_ddp_objective("ddp_spawn"), n_trials=1)
    assert study.trials[0].state == TrialState.PRUNED
    assert study.trials[0].intermediate_values == pytest.approx({0: 0.45})


@pytest.mark.slow
def test_ddp_refuses_a_storage_other_processes_cannot_open(fixed_pruner: Callable[[bool], Any]) -> None:
    study = albacore.create_study(pruner=fixed_pruner(True))
    with pytest.raises(Exception, match="storage that other processes can open"):
        study.optimize(_ddp_objective("ddp_fork"), n_trials=1)
    assert study.trials[0].state == TrialState.FAIL


@pytest.mark.slow
def test_several_processes_on_a_persistent_storage(tmp_path: Path) -> None:
    url = f"journal:///{tmp_path / 'lightning.log'}"
    study = albacore.create_study(storage=url, pruner=albacore.pruners.MedianPruner(n_startup_trials=2))
    run_workers("lightning", url, study.study_name, 3)
    trials = albacore.load_study(study_name=study.study_name, storage=url).trials
    assert sorted(t.number for t in trials) == list(range(6))
    for trial in trials:
        assert trial.state in (TrialState.COMPLETE, TrialState.PRUNED)
        steps = sorted(trial.intermediate_values)
        assert steps == list(range(WORKER_ROUNDS if trial.state == TrialState.COMPLETE else len(steps)))
