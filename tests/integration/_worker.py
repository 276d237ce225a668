"""A worker process for the multi-process integration tests: joins a study and runs trials with one callback.

    python _worker.py LIBRARY STORAGE_URL STUDY_NAME N_TRIALS [TRACKING_LOCATION]

Separate interpreters (rather than ``optimize(n_processes=...)``, which forks) because a process forked after
OpenMP has started its threads (XGBoost, CatBoost, torch) can hang in the child.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import albacore

ROUNDS = 6


def _breast_cancer() -> tuple[Any, Any]:
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(return_X_y=True)


def xgboost_objective(trial: albacore.Trial) -> float:
    import xgboost as xgb

    x, y = _breast_cancer()
    dtrain, dvalid = xgb.DMatrix(x[:400], label=y[:400]), xgb.DMatrix(x[400:], label=y[400:])
    params = {"objective": "binary:logistic", "nthread": 1, "eta": trial.suggest_float("eta", 0.01, 1.0, log=True)}
    history: dict[str, Any] = {}
    callback = albacore.integration.XGBoostPruningCallback(trial, "valid-logloss")
    xgb.train(params, dtrain, ROUNDS, evals=[(dvalid, "valid")], evals_result=history, callbacks=[callback])
    return float(history["valid"]["logloss"][-1])


def catboost_objective(trial: albacore.Trial) -> float:
    import catboost

    x, y = _breast_cancer()
    model = catboost.CatBoostClassifier(
        iterations=ROUNDS,
        depth=2,
        learning_rate=trial.suggest_float("learning_rate", 0.01, 0.5, log=True),
        thread_count=1,
        verbose=0,
        allow_writing_files=False,
    )
    callback = albacore.integration.CatBoostPruningCallback(trial, "Logloss")
    model.fit(x[:400], y[:400], eval_set=[(x[400:], y[400:])], callbacks=[callback])
    callback.check_pruned()
    return float(model.get_best_score()["validation"]["Logloss"])


def lightning_objective(trial: albacore.Trial) -> float:
    import torch
    from _lightning_models import TinyClassifier, quiet_trainer, tiny_loaders

    torch.set_num_threads(1)
    callback = albacore.integration.PyTorchLightningPruningCallback(trial, monitor="val_loss")
    trainer = quiet_trainer(callback, ROUNDS)
    train, valid = tiny_loaders()
    trainer.fit(TinyClassifier(trial.suggest_float("lr", 1e-3, 1.0, log=True)), train, valid)
    callback.check_pruned()
    return float(trainer.callback_metrics["val_loss"])


def _quadratic(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    trial.set_user_attr("pid", os.getpid())
    return (x - 2) ** 2


OBJECTIVES = {"xgboost": xgboost_objective, "catboost": catboost_objective, "lightning": lightning_objective}


def main() -> None:
    library, url, study_name, n_trials = sys.argv[1:5]
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    study = albacore.load_study(study_name=study_name, storage=url)
    callbacks: list[Any] = []
    objective = OBJECTIVES.get(library, _quadratic)
    if library == "mlflow":
        callbacks = [albacore.integration.MLflowCallback(tracking_uri=sys.argv[5], mlflow_kwargs={"nested": True})]
    elif library == "wandb":
        wandb_kwargs = {"dir": sys.argv[5], "mode": "offline"}
        callbacks = [albacore.integration.WeightsAndBiasesCallback(wandb_kwargs=wandb_kwargs, as_multirun=True)]
    study.optimize(objective, n_trials=int(n_trials), callbacks=callbacks)


def run_workers(library: str, url: str, study_name: str, n_trials: int, *extra: str, n_workers: int = 2) -> None:
    """Run ``n_workers`` worker processes at once on one study and wait for them; fail if any fails."""
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), *sys.path])}
    command = [sys.executable, str(Path(__file__)), library, url, study_name, str(n_trials), *extra]
    workers = [subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) for _ in range(n_workers)]
    errors = [worker.communicate(timeout=600)[1] for worker in workers]
    for worker, error in zip(workers, errors, strict=True):
        assert worker.returncode == 0, error[-3000:]


if __name__ == "__main__":
    main()
