"""A tiny LightningModule and synthetic data for the Lightning tests (importable by worker processes too)."""

from __future__ import annotations

from typing import Any

import lightning.pytorch as pl
import torch
from torch.utils.data import DataLoader, TensorDataset


def quiet_trainer(callback: Any, epochs: int, **extra: Any) -> pl.Trainer:
    """A CPU trainer that writes nothing (no logger, checkpoints, progress bar or model summary)."""
    return pl.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        callbacks=[callback],
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        **extra,
    )


def tiny_loaders(seed: int = 0, n: int = 64) -> tuple[DataLoader[Any], DataLoader[Any]]:
    """Training and validation loaders over a linearly separable synthetic problem."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(2 * n, 4, generator=generator)
    y = (x @ torch.tensor([1.0, -2.0, 0.5, 1.5]) > 0).long()
    train = DataLoader(TensorDataset(x[:n], y[:n]), batch_size=16)
    valid = DataLoader(TensorDataset(x[n:], y[n:]), batch_size=16)
    return train, valid


class TinyClassifier(pl.LightningModule):  # type: ignore[misc] # Lightning is untyped for mypy here
    """One linear layer; logs ``val_loss`` and ``val_acc`` every validation epoch."""

    def __init__(self, lr: float = 0.1) -> None:
        super().__init__()
        self.lr = lr
        self.layer = torch.nn.Linear(4, 2)

    def training_step(self, batch: Any, batch_idx: int) -> Any:
        x, y = batch
        return torch.nn.functional.cross_entropy(self.layer(x), y)

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        x, y = batch
        logits = self.layer(x)
        self.log("val_loss", torch.nn.functional.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(dim=1) == y).float().mean())

    def configure_optimizers(self) -> Any:
        return torch.optim.SGD(self.parameters(), lr=self.lr)
