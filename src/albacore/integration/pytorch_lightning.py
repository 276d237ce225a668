"""PyTorch Lightning: report a validation metric every epoch and prune unpromising trials, in one process or in
distributed data parallel (DDP) training.

In one process the callback raises ``TrialPruned`` from inside ``trainer.fit``, like the other pruning callbacks.

Under DDP with ``strategy="ddp_spawn"`` (or ``"ddp_fork"``/``"ddp_notebook"``), training runs in worker processes
that each hold a copy of the callback, while the trial belongs to the process that called ``fit``. Rank 0 alone
reads the metric, reports it to the study's storage and asks the pruner; its decision is broadcast so that every
rank stops at the same epoch. A rank whose ``trainer.callback_metrics`` lacks the metric (a metric logged on rank 0
only, Optuna issue #1417) follows rank 0 instead of failing or waiting forever. After ``fit`` returns, call
:meth:`PyTorchLightningPruningCallback.check_pruned` in the objective: it brings the reported values into the
trial and raises ``TrialPruned`` when the pruner stopped training. Worker processes open the study's storage
themselves, so DDP needs a storage that other processes can open (an SQLite or server database URL, a journal).
"""

from __future__ import annotations

import os
import pickle
import warnings
from typing import TYPE_CHECKING, Any

from albacore._optional import require
from albacore.exceptions import InvalidArgumentError, TrialPruned
from albacore.trial import Trial

require("lightning.pytorch", extra="lightning", feature="PyTorchLightningPruningCallback")
import lightning.pytorch as pl  # noqa: E402 - require() has named the extra if Lightning is missing

if TYPE_CHECKING:
    from albacore.storages import BaseStorage
    from albacore.study import Study
    from albacore.trial import FrozenTrial

__all__ = ["PyTorchLightningPruningCallback"]

# Trial system attribute in which rank 0 of a distributed run records the epoch at which the trial was pruned.
_PRUNED_AT_KEY = "albacore:lightning_pruned_at_epoch"


def _is_process_shareable(storage: BaseStorage) -> bool:
    from albacore.storages import JournalStorage, RDBStorage

    # A caching wrapper (its `backend` is a storage) shares whatever it caches.
    return isinstance(storage, (JournalStorage, RDBStorage)) or isinstance(
        getattr(storage, "backend", None), RDBStorage
    )


def _read_through(storage: BaseStorage, trial_id: int) -> FrozenTrial:
    from albacore.storages import BaseStorage

    # A caching wrapper, or a journal, serves a running trial from this process's copy; the ranks wrote to the
    # shared storage.
    inner = getattr(storage, "backend", None)
    return (inner if isinstance(inner, BaseStorage) else storage)._get_trial_written_elsewhere(trial_id)


class PyTorchLightningPruningCallback(pl.Callback):  # type: ignore[misc] # Lightning is untyped for mypy here
    """Report ``monitor`` after every validation epoch; stop training when the trial is pruned.

    Args:
        trial: The trial being evaluated.
        monitor: The name of the metric to report, as logged with ``self.log(monitor, value)`` in the
            LightningModule, for example ``"val_loss"`` or ``"val_acc"``.

    Raises:
        InvalidArgumentError: When ``monitor`` is not a non-empty string or the study has several objectives
            (pruners compare one value per step); under DDP, when the study's storage cannot be opened by other
            processes (the in-memory storage).

    In one process, training stops with :class:`~albacore.TrialPruned` raised from ``trainer.fit``. Under DDP
    (``strategy="ddp_spawn"``), call :meth:`check_pruned` right after ``trainer.fit``; see the module
    documentation. A metric missing from ``trainer.callback_metrics`` gives a ``UserWarning`` and no report.

    Example:
        >>> import albacore, torch, lightning.pytorch as pl
        >>> from torch.utils.data import DataLoader, TensorDataset
        >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
        <...>
        >>> x = torch.randn(64, 4)
        >>> data = DataLoader(TensorDataset(x, (x.sum(dim=1) > 0).long()), batch_size=16)
        >>> class Net(pl.LightningModule):
        ...     def __init__(self, lr):
        ...         super().__init__()
        ...         self.lr, self.layer = lr, torch.nn.Linear(4, 2)
        ...     def training_step(self, batch, _):
        ...         return torch.nn.functional.cross_entropy(self.layer(batch[0]), batch[1])
        ...     def validation_step(self, batch, _):
        ...         self.log("val_loss", torch.nn.functional.cross_entropy(self.layer(batch[0]), batch[1]))
        ...     def configure_optimizers(self):
        ...         return torch.optim.SGD(self.parameters(), lr=self.lr)
        >>> def objective(trial):
        ...     pruning = albacore.integration.PyTorchLightningPruningCallback(trial, monitor="val_loss")
        ...     trainer = pl.Trainer(max_epochs=3, accelerator="cpu", callbacks=[pruning], logger=False,
        ...                          enable_checkpointing=False, enable_progress_bar=False,
        ...                          enable_model_summary=False)
        ...     trainer.fit(Net(trial.suggest_float("lr", 1e-3, 1.0, log=True)), data, data)
        ...     pruning.check_pruned()  # needed under DDP only; harmless here
        ...     return trainer.callback_metrics["val_loss"].item()
        >>> study = albacore.create_study()
        >>> study.optimize(objective, n_trials=2)
        >>> sorted(study.trials[0].intermediate_values)
        [0, 1, 2]
    """

    def __init__(self, trial: Trial, monitor: str) -> None:
        super().__init__()
        if not isinstance(monitor, str) or not monitor:
            raise InvalidArgumentError(
                "`monitor` of PyTorchLightningPruningCallback must be the name of a logged metric such as "
                f"'val_loss', got {monitor!r}."
            )
        if len(trial.study.directions) > 1:
            raise InvalidArgumentError(
                "PyTorchLightningPruningCallback needs a single-objective study: pruners compare one value per "
                f"epoch, and this study has {len(trial.study.directions)} objectives."
            )
        self.monitor = monitor
        self._trial: Trial | None = trial
        self._trial_id = trial._trial_id
        self._owner_pid = os.getpid()
        # Set in worker processes: the study opened anew there (or why it could not be), and the steps reported.
        self._study: Study | None = None
        self._unshareable: str | None = None
        self._worker_steps: set[int] = set()
        # Set where the trial's own process ran rank 0 of a distributed run and the pruner stopped it.
        self._pruned_at: int | None = None
        self._single_process_ran = False

    def __getstate__(self) -> dict[str, Any]:
        # Pickled when Lightning spawns its workers: they get the study (which reopens its storage), not the
        # trial, whose heartbeat and sampler state belong to this process.
        state = self.__dict__.copy()
        trial = state.pop("_trial")
        state["_trial"] = None
        if trial is not None and state["_study"] is None:
            storage = trial.study._storage
            if _is_process_shareable(storage):
                state["_study"] = trial.study
            else:
                state["_unshareable"] = type(storage).__name__
        return state

    def setup(self, trainer: Any, pl_module: Any, stage: str) -> None:
        """Called by Lightning in every training process; a worker process opens the study's storage here."""
        if os.getpid() == self._owner_pid or self._study is not None:
            return
        if self._unshareable is None and self._trial is not None:
            storage = self._trial.study._storage
            if _is_process_shareable(storage):
                # A forked worker inherited this process's storage and its connections: open a fresh one.
                self._study = pickle.loads(pickle.dumps(self._trial.study))
            else:
                self._unshareable = type(storage).__name__
        if self._study is None:
            raise InvalidArgumentError(
                "PyTorchLightningPruningCallback under distributed training (DDP) reports from worker processes, "
                f"which cannot reach this study's {self._unshareable}: create the study with a storage that other "
                "processes can open, for example storage='sqlite:///study.db' or a journal file."
            )

    def on_validation_end(self, trainer: Any, pl_module: Any) -> None:
        """Report the metric after a validation epoch; prune (one process) or stop every rank (DDP)."""
        # Lightning runs a short validation before training (the sanity check); it is not an epoch.
        if trainer.sanity_checking:
            return
        epoch = int(pl_module.current_epoch)
        if trainer.world_size <= 1 and os.getpid() == self._owner_pid and self._trial is not None:
            self._single_process_ran = True
            value = self._metric_value(trainer)
            if value is None:
                return
            self._trial.report(value, step=epoch)
            if self._trial.should_prune():
                raise TrialPruned(f"Trial was pruned at epoch {epoch}.")
            return
        pruned = False
        if trainer.is_global_zero:
            value = self._metric_value(trainer)
            pruned = value is not None and self._report_from_rank_zero(value, epoch)
        # Every rank joins the broadcast, whatever its own callback_metrics hold, so none waits for the others.
        if trainer.strategy.broadcast(pruned, src=0):
            trainer.should_stop = True

    def check_pruned(self) -> None:
        """Raise :class:`~albacore.TrialPruned` if distributed training was stopped by the pruner.

        Call it in the objective right after ``trainer.fit``. It also copies the values that the training
        processes reported into the trial. In a single-process run it does nothing (the trial was pruned from
        inside ``fit``).

        Raises:
            TrialPruned: When the pruner stopped training.
        """
        if self._pruned_at is not None:
            raise TrialPruned(f"Trial was pruned at epoch {self._pruned_at}.")
        trial = self._trial
        if trial is None or self._single_process_ran:
            return
        stored = _read_through(trial.study._storage, self._trial_id)
        known = trial._as_frozen().intermediate_values
        for step in sorted(stored.intermediate_values):
            if step not in known:
                trial.report(stored.intermediate_values[step], step=step)
        pruned_at = stored.system_attrs.get(_PRUNED_AT_KEY)
        if pruned_at is not None:
            raise TrialPruned(f"Trial was pruned at epoch {pruned_at}.")

    def _metric_value(self, trainer: Any) -> float | None:
        value = trainer.callback_metrics.get(self.monitor)
        if value is None:
            warnings.warn(
                f"PyTorchLightningPruningCallback: the metric {self.monitor!r} is not in trainer.callback_metrics "
                f"(which has {sorted(trainer.callback_metrics)}), so nothing was reported for this epoch; check the "
                "name given to self.log() in the LightningModule.",
                UserWarning,
                stacklevel=2,
            )
            return None
        return float(value.item() if hasattr(value, "item") else value)

    def _report_from_rank_zero(self, value: float, epoch: int) -> bool:
        if os.getpid() == self._owner_pid and self._trial is not None:
            # Rank 0 runs in the trial's own process (Lightning's subprocess launcher).
            self._trial.report(value, step=epoch)
            if self._trial.should_prune():
                self._pruned_at = epoch
                return True
            return False
        study = self._study
        assert study is not None, "setup() opens the study in every worker process"
        storage = study._storage
        if epoch in self._worker_steps:
            return False  # a second validation in one epoch: the first value stands, as with Trial.report
        self._worker_steps.add(epoch)
        storage.set_trial_intermediate_value(self._trial_id, epoch, value)
        if not study.pruner.prune(study, _read_through(storage, self._trial_id)):
            return False
        storage.set_trial_system_attr(self._trial_id, _PRUNED_AT_KEY, epoch)
        return True
