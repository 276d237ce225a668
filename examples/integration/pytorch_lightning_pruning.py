"""Prune unpromising PyTorch Lightning trainings (a small MLP on scikit-learn's digits, on CPU).

python examples/integration/pytorch_lightning_pruning.py [--trials 20] [--epochs 10]
python examples/integration/pytorch_lightning_pruning.py --devices 2 --storage sqlite:///lightning.db

With ``--devices 2`` every trial trains with distributed data parallel (``strategy="ddp_spawn"``) in two worker
processes, which report to the study's storage: give a storage that other processes can open (SQLite, a journal
file, a database server) and call ``check_pruned()`` after ``fit``.
"""

from __future__ import annotations

import argparse
from typing import Any

import lightning.pytorch as pl
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

import albacore as optuna


class DigitsMLP(pl.LightningModule):  # type: ignore[misc] # Lightning is untyped for mypy here
    def __init__(self, hidden: int, dropout: float, lr: float) -> None:
        super().__init__()
        self.lr = lr
        self.net = torch.nn.Sequential(
            torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Dropout(dropout), torch.nn.Linear(hidden, 10)
        )

    def training_step(self, batch: Any, batch_idx: int) -> Any:
        x, y = batch
        return torch.nn.functional.cross_entropy(self.net(x), y)

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        x, y = batch
        accuracy = (self.net(x).argmax(dim=1) == y).float().mean()
        self.log("val_acc", accuracy, sync_dist=True)  # averaged over the processes under DDP

    def configure_optimizers(self) -> Any:
        return torch.optim.Adam(self.parameters(), lr=self.lr)


def loaders() -> tuple[DataLoader[Any], DataLoader[Any]]:
    x, y = load_digits(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x / 16.0, y, test_size=0.25, random_state=0, stratify=y)

    def loader(x: Any, y: Any, shuffle: bool) -> DataLoader[Any]:
        data = TensorDataset(torch.tensor(x, dtype=torch.float32), torch.tensor(y))
        return DataLoader(data, batch_size=64, shuffle=shuffle)

    return loader(x_train, y_train, True), loader(x_valid, y_valid, False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--devices", type=int, default=1)
    parser.add_argument("--storage", default=None)
    args = parser.parse_args()
    if args.devices > 1 and args.storage is None:
        parser.error("--devices > 1 needs --storage (training processes report to it)")
    train, valid = loaders()

    def objective(trial: optuna.Trial) -> float:
        model = DigitsMLP(
            hidden=trial.suggest_int("hidden", 8, 128, log=True),
            dropout=trial.suggest_float("dropout", 0.0, 0.5),
            lr=trial.suggest_float("lr", 1e-4, 1e-1, log=True),
        )
        pruning = optuna.integration.PyTorchLightningPruningCallback(trial, monitor="val_acc")
        trainer = pl.Trainer(
            max_epochs=args.epochs,
            accelerator="cpu",
            devices=args.devices,
            strategy="ddp_spawn" if args.devices > 1 else "auto",
            callbacks=[pruning],
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
        )
        trainer.fit(model, train, valid)
        pruning.check_pruned()  # needed under DDP; does nothing in one process
        return float(trainer.callback_metrics["val_acc"])

    study = optuna.create_study(
        study_name="lightning-pruning",
        direction="maximize",
        storage=args.storage,
        load_if_exists=args.storage is not None,
        pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2),
    )
    study.optimize(objective, n_trials=args.trials)
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    print(f"best accuracy {study.best_value:.4f} with {study.best_params}; {pruned} trials pruned")


if __name__ == "__main__":
    main()
