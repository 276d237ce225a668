"""Callbacks for XGBoost, CatBoost, PyTorch Lightning, MLflow and Weights & Biases: the time each trial spends
outside the training library (the optimization library's overhead, callbacks included), and the best score.

    python benchmarks/bench_integration_callbacks.py --lib albacore|optuna [--quick]
    BENCH_ONLY="xgboost mlflow" python benchmarks/bench_integration_callbacks.py --lib albacore   # a subset

With ``--lib optuna`` the callbacks come from optuna-integration 5.0.0. Both libraries run the same objectives with
a seeded RandomSampler and a MedianPruner, every training library on one thread. Overhead per trial is the wall time
of ``optimize`` minus the time inside the training library (its calls timed in the objective, less the time spent
in the callback's hooks, which run inside it), divided by the number of trials. The trackers (MLflow on an SQLite
store, W&B offline) wrap a trivial objective, so their overhead is the cost of logging a trial.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from _common import Metric, emit, parse_args

warnings.filterwarnings("ignore")  # deprecation notices of either library are not what is measured here

_library = [0.0]  # seconds inside the training library (hooks included)
_hooks = [0.0]  # seconds inside the callback's hooks


@contextlib.contextmanager
def _in_library() -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        _library[0] += time.perf_counter() - started


def _timed_hooks(callback: Any, *names: str) -> Any:
    # Instance attributes shadow the class's methods, and the training libraries look hooks up on the instance.
    for name in names:
        method = getattr(callback, name, None)
        if method is None:
            continue

        def timed(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return _method(*args, **kwargs)
            finally:
                _hooks[0] += time.perf_counter() - started

        setattr(callback, name, timed)
    return callback


def _run(
    lib: Any, objective: Callable[[Any], float], n_trials: int, seed: int, direction: str = "minimize", **optimize: Any
) -> tuple[Any, float]:
    """Optimize; return the study and the overhead per trial in seconds."""
    _library[0] = _hooks[0] = 0.0
    study = lib.create_study(
        direction=direction,
        sampler=lib.samplers.RandomSampler(seed=seed),
        pruner=lib.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2),
    )
    started = time.perf_counter()
    study.optimize(objective, n_trials=n_trials, **optimize)
    total = time.perf_counter() - started
    return study, (total - (_library[0] - _hooks[0])) / n_trials


def _xgboost(lib: Any, integration: Any, seed: int, n_trials: int) -> tuple[float, float]:
    import xgboost as xgb
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    dtrain, dvalid = xgb.DMatrix(x_train, label=y_train), xgb.DMatrix(x_valid, label=y_valid)

    def objective(trial: Any) -> float:
        params = {
            "objective": "binary:logistic",
            "eval_metric": "logloss",
            "nthread": 1,
            "eta": trial.suggest_float("eta", 1e-3, 0.5, log=True),
            "max_depth": trial.suggest_int("max_depth", 1, 6),
        }
        callback = _timed_hooks(integration.XGBoostPruningCallback(trial, "valid-logloss"), "after_iteration")
        history: dict[str, Any] = {}
        with _in_library():
            xgb.train(
                params,
                dtrain,
                40,
                evals=[(dvalid, "valid")],
                evals_result=history,
                verbose_eval=False,
                callbacks=[callback],
            )
        return min(history["valid"]["logloss"])

    study, overhead = _run(lib, objective, n_trials, seed)
    return study.best_value, overhead


def _catboost(lib: Any, integration: Any, seed: int, n_trials: int) -> tuple[float, float]:
    import catboost
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    x, y = load_wine(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)

    def objective(trial: Any) -> float:
        model = catboost.CatBoostClassifier(
            iterations=40,
            learning_rate=trial.suggest_float("learning_rate", 1e-3, 0.3, log=True),
            depth=trial.suggest_int("depth", 2, 6),
            eval_metric="MultiClass",
            thread_count=1,
            verbose=0,
            allow_writing_files=False,
        )
        callback = _timed_hooks(integration.CatBoostPruningCallback(trial, "MultiClass"), "after_iteration")
        with _in_library():
            model.fit(x_train, y_train, eval_set=[(x_valid, y_valid)], callbacks=[callback])
        callback.check_pruned()
        return float(model.get_best_score()["validation"]["MultiClass"])

    study, overhead = _run(lib, objective, n_trials, seed)
    return study.best_value, overhead


def _lightning(lib: Any, integration: Any, seed: int, n_trials: int) -> tuple[float, float]:
    import lightning.pytorch as pl
    import torch
    from sklearn.datasets import load_digits
    from torch.utils.data import DataLoader, TensorDataset

    torch.set_num_threads(1)
    x, y = load_digits(return_X_y=True)
    features, labels = torch.tensor(x / 16.0, dtype=torch.float32), torch.tensor(y)
    train = DataLoader(TensorDataset(features[:1200], labels[:1200]), batch_size=100)
    valid = DataLoader(TensorDataset(features[1200:], labels[1200:]), batch_size=200)

    class Net(pl.LightningModule):  # type: ignore[misc]
        def __init__(self, hidden: int, lr: float) -> None:
            super().__init__()
            self.lr = lr
            self.net = torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))

        def training_step(self, batch: Any, _: int) -> Any:
            return torch.nn.functional.cross_entropy(self.net(batch[0]), batch[1])

        def validation_step(self, batch: Any, _: int) -> None:
            self.log("val_acc", (self.net(batch[0]).argmax(dim=1) == batch[1]).float().mean())

        def configure_optimizers(self) -> Any:
            return torch.optim.Adam(self.parameters(), lr=self.lr)

    def objective(trial: Any) -> float:
        model = Net(trial.suggest_int("hidden", 8, 64, log=True), trial.suggest_float("lr", 1e-4, 1e-1, log=True))
        callback = _timed_hooks(integration.PyTorchLightningPruningCallback(trial, "val_acc"), "on_validation_end")
        with _in_library():
            trainer = pl.Trainer(
                max_epochs=5,
                accelerator="cpu",
                callbacks=[callback],
                logger=False,
                enable_checkpointing=False,
                enable_progress_bar=False,
                enable_model_summary=False,
            )
            trainer.fit(model, train, valid)
        return float(trainer.callback_metrics["val_acc"])

    study, overhead = _run(lib, objective, n_trials, seed, direction="maximize")
    return study.best_value, overhead


def _quadratic(trial: Any) -> float:
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_int("y", 0, 5)
    trial.set_user_attr("note", "benchmark")
    return (x - 2) ** 2 + y


def _mlflow(lib: Any, integration: Any, seed: int, n_trials: int, tracked: bool) -> float:
    import mlflow

    with tempfile.TemporaryDirectory() as directory:
        uri = f"sqlite:///{os.path.join(directory, 'mlflow.db')}"
        mlflow.MlflowClient(uri).search_experiments()  # create the schema before timing
        callback = integration.MLflowCallback(tracking_uri=uri)
        objective = callback.track_in_mlflow()(_quadratic) if tracked else _quadratic
        _, overhead = _run(lib, objective, n_trials, seed, callbacks=[callback])
        with contextlib.suppress(Exception):
            mlflow.end_run()
    return overhead


def _wandb(lib: Any, integration: Any, seed: int, n_trials: int) -> float:
    import wandb

    with tempfile.TemporaryDirectory() as directory:
        kwargs = {"project": "bench", "mode": "offline", "dir": directory, "settings": wandb.Settings(silent=True)}
        callback = integration.WeightsAndBiasesCallback(wandb_kwargs=kwargs)
        _, overhead = _run(lib, _quadratic, n_trials, seed, callbacks=[callback])
        wandb.finish()
    return overhead


def main() -> None:
    lib, quick, args = parse_args(__doc__ or "")
    integration = importlib.import_module(
        "albacore.integration" if lib.__name__ == "albacore" else "optuna_integration"
    )
    only = set(os.environ.get("BENCH_ONLY", "xgboost catboost lightning mlflow wandb").split())
    seeds = [0] if quick else [0, 1, 2]
    metrics: list[Metric] = []

    def add(name: str, values: list[float], unit: str, better: str) -> None:
        metrics.append(Metric(name, statistics.mean(values), unit, better))  # type: ignore[arg-type]

    if "xgboost" in only:
        runs = [_xgboost(lib, integration, seed, 4 if quick else 40) for seed in seeds]
        add("XGBoostPruningCallback: overhead per trial", [1000 * r[1] for r in runs], "ms", "lower")
        add("XGBoostPruningCallback: best validation log loss", [r[0] for r in runs], "logloss", "lower")
    if "catboost" in only:
        runs = [_catboost(lib, integration, seed, 4 if quick else 30) for seed in seeds]
        add("CatBoostPruningCallback: overhead per trial", [1000 * r[1] for r in runs], "ms", "lower")
        add("CatBoostPruningCallback: best validation multiclass log loss", [r[0] for r in runs], "logloss", "lower")
    if "lightning" in only:
        runs = [_lightning(lib, integration, seed, 2 if quick else 12) for seed in seeds]
        add("PyTorchLightningPruningCallback: overhead per trial", [1000 * r[1] for r in runs], "ms", "lower")
        add("PyTorchLightningPruningCallback: best validation accuracy (digits)", [r[0] for r in runs], "", "higher")
    if "mlflow" in only:
        n = 5 if quick else 40
        add(
            "MLflowCallback (SQLite store): overhead per trial",
            [1000 * _mlflow(lib, integration, s, n, False) for s in seeds[:1]],
            "ms",
            "lower",
        )
        add(
            "MLflowCallback + track_in_mlflow: overhead per trial",
            [1000 * _mlflow(lib, integration, s, n, True) for s in seeds[:1]],
            "ms",
            "lower",
        )
    if "wandb" in only:
        n = 10 if quick else 200
        add(
            "WeightsAndBiasesCallback (offline): overhead per trial",
            [1000 * _wandb(lib, integration, s, n) for s in seeds[:1]],
            "ms",
            "lower",
        )
    emit(metrics)
    del args


if __name__ == "__main__":
    main()
